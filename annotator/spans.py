"""Writes to spans and relations in one annotation set: create, change, delete,
undo a delete, link to an entity (a mention's spelling becomes an alias only when confirmed).

Every change is checked here (offsets are code points and must cover exactly the
submitted text; labels, relation types and entities must be of the article's
project; attribute values must fit the label), runs in one transaction, and is
written to the event log.  A stale version is a 409 (``Conflict``), never a quiet
overwrite; the same span asked for twice is created once.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .attributes import clean_attribute_values
from .errors import Conflict, ServiceError
from .events import log_event, span_data
from .models import AnnotationSet, Entity, EntityMerge, Event, Label, Relation, RelationType, SetStatus, Span


def _excerpt(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def require_editable(annotation_set: AnnotationSet):
    if not annotation_set.is_editable:
        raise ServiceError(
            f"This annotation set is {annotation_set.get_status_display().lower()}; reopen it to make changes."
        )


def check_place(*, text: str, start, end, covered) -> list[str]:
    """Offsets are code points into ``text``; ``covered`` must be exactly what they cover."""
    if not isinstance(start, int) or not isinstance(end, int):
        return ["Start and end must be whole numbers."]
    if start < 0 or end > len(text):
        return [f"The span {start}–{end} lies outside the article (0–{len(text)})."]
    if end <= start:
        return [f"The span {start}–{end} is empty or inverted."]
    actual = text[start:end]
    if covered != actual:
        return [
            f"The selected text “{_excerpt(covered or '')}” does not match the article at {start}–{end} "
            f"(“{_excerpt(actual)}”). Reload the page and select again."
        ]
    return []


def _touch_set(annotation_set: AnnotationSet):
    if annotation_set.status == SetStatus.NEW:
        annotation_set.status = SetStatus.IN_PROGRESS if not annotation_set.is_gold else SetStatus.IN_REVIEW
        annotation_set.save(update_fields=["status", "updated_at"])


def span_create(
    *,
    annotation_set: AnnotationSet,
    label: Label,
    start: int,
    end: int,
    text: str,
    user,
    attributes: dict | None = None,
    note: str = "",
    entity: Entity | None = None,
) -> tuple[Span, bool]:
    """Create a span; asking twice for the same one returns the first (``created`` False)."""
    article = annotation_set.article
    require_editable(annotation_set)
    if label.project_id != article.project_id:
        raise ServiceError(f"The label “{label.name}” belongs to another project.")
    errors = check_place(text=article.text, start=start, end=end, covered=text)
    cleaned, attribute_errors = clean_attribute_values(label, attributes or {})
    errors += attribute_errors
    if entity is not None and entity.project_id != article.project_id:
        errors.append("That entity belongs to another project.")
    if errors:
        raise ServiceError(*errors)
    if not article.project.allow_overlap:
        # A second request for the same span answers with the first, before the overlap check.
        existing = Span.objects.filter(annotation_set=annotation_set, label=label, start=start, end=end).first()
        if existing:
            return existing, False
        clash = annotation_set.spans.filter(start__lt=end, end__gt=start).select_related("label").first()
        if clash:
            raise ServiceError(
                f"This project does not allow overlapping spans: “{_excerpt(clash.text)}” "
                f"({clash.label.name}) already covers part of the selection."
            )
    try:
        with transaction.atomic():
            span = Span.objects.create(
                annotation_set=annotation_set,
                label=label,
                start=start,
                end=end,
                text=text,
                attributes=cleaned,
                note=note,
                entity=entity,
            )
            _touch_set(annotation_set)
            log_event(user=user, action=Event.Action.CREATE, obj=span, data=span_data(span))
    except IntegrityError:
        # The same span arrived twice at once: the other request created it.
        existing = Span.objects.filter(annotation_set=annotation_set, label=label, start=start, end=end).first()
        if existing is None:
            raise
        return existing, False
    return span, True


_UNSET = object()


@transaction.atomic
def span_update(
    *,
    span: Span,
    user,
    version: int,
    label: Label | None = None,
    attributes: dict | None = None,
    note: str | None = None,
    entity=_UNSET,
) -> Span:
    """Change a span the caller last saw at ``version``; a newer version means 409."""
    annotation_set = span.annotation_set
    require_editable(annotation_set)
    before = span_data(span)
    new_label = label or span.label
    if new_label.project_id != annotation_set.article.project_id:
        raise ServiceError(f"The label “{new_label.name}” belongs to another project.")
    if attributes is None:
        # Keep the values the new label also defines.
        known = {d["name"] for d in new_label.attributes or []}
        attributes = {k: v for k, v in span.attributes.items() if k in known}
    cleaned, errors = clean_attribute_values(new_label, attributes)
    if errors:
        raise ServiceError(*errors)
    if new_label.pk != span.label_id and Span.objects.filter(
        annotation_set=annotation_set, label=new_label, start=span.start, end=span.end
    ).exists():
        raise ServiceError(f"There is already a {new_label.name} span on exactly this text.")
    changes = {"label": new_label, "attributes": cleaned, "note": span.note if note is None else note[:5000]}
    if entity is not _UNSET:
        changes["entity"] = entity
    elif not new_label.links_entity:
        changes["entity"] = None
    updated = Span.objects.filter(pk=span.pk, version=version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise Conflict(
            "Someone changed this span (perhaps you, in another tab) after you opened it. "
            "Nothing was saved; the panel now shows the current version."
        )
    span.refresh_from_db()
    log_event(user=user, action=Event.Action.UPDATE, obj=span, data={"before": before, "after": span_data(span)})
    return span


@transaction.atomic
def span_delete(*, span: Span, user) -> Event:
    """Delete a span and its relations; the event keeps what undo needs."""
    require_editable(span.annotation_set)
    relations = [
        {"id": r.pk, "type_id": r.type_id, "source": r.source_id, "target": r.target_id}
        for r in Relation.objects.filter(Q(source=span) | Q(target=span))
    ]
    data = span_data(span) | {"relations": relations, "span_id": span.pk}
    event = log_event(user=user, action=Event.Action.DELETE, obj=span, data=data)
    span.delete()
    return event


def _entity_now(entity_id, *, project_id) -> Entity | None:
    """The entity ``entity_id`` is now: itself, or the entity it was merged into,
    following merges one after another."""
    for _ in range(20):
        if entity_id is None:
            return None
        entity = Entity.objects.filter(pk=entity_id, project_id=project_id).first()
        if entity is not None:
            return entity
        entity_id = (
            EntityMerge.objects.filter(project_id=project_id, merged_id=entity_id).values_list("into_id", flat=True)
            .first()
        )
    return None


@transaction.atomic
def span_restore(*, event: Event, user) -> Span:
    """Undo a deletion: the span comes back with the relations whose other end still exists."""
    if event.action != Event.Action.DELETE or event.object_type != "span":
        raise ServiceError("Only a deleted span can be restored.")
    annotation_set = event.annotation_set
    if annotation_set is None:
        raise ServiceError("The annotation set of this span no longer exists.")
    if event.data.get("restored"):
        raise ServiceError("This span was already restored.")
    data = event.data
    label = Label.objects.filter(pk=data["label_id"], project_id=annotation_set.article.project_id).first()
    if label is None:
        raise ServiceError("The span's label no longer exists.")
    entity = _entity_now(data.get("entity"), project_id=label.project_id)
    span, _ = span_create(
        annotation_set=annotation_set,
        label=label,
        start=data["start"],
        end=data["end"],
        text=data["text"],
        user=user,
        attributes=data.get("attributes") or {},
        note=data.get("note", ""),
        entity=entity,
    )
    old_id = data["span_id"]
    ids = {r["source"] for r in data["relations"]} | {r["target"] for r in data["relations"]}
    alive = set(annotation_set.spans.filter(pk__in=ids).values_list("pk", flat=True)) | {span.pk}
    for r in data["relations"]:
        source = span.pk if r["source"] == old_id else r["source"]
        target = span.pk if r["target"] == old_id else r["target"]
        if source in alive and target in alive:
            Relation.objects.get_or_create(
                annotation_set=annotation_set, type_id=r["type_id"], source_id=source, target_id=target
            )
    event.data = data | {"restored": span.pk}
    event.save(update_fields=["data"])
    return span


def relation_create(*, annotation_set: AnnotationSet, type: RelationType, source: Span, target: Span, user):
    """Link two spans of one set; the relation type must fit their labels."""
    require_editable(annotation_set)
    errors = []
    if type.project_id != annotation_set.article.project_id:
        errors.append(f"The relation type “{type.name}” belongs to another project.")
    if source.annotation_set_id != annotation_set.pk or target.annotation_set_id != annotation_set.pk:
        errors.append("Both spans must be in this annotation set.")
    if source.pk == target.pk:
        errors.append("A span cannot be linked to itself.")
    if source.label_id != type.source_label_id or target.label_id != type.target_label_id:
        errors.append(
            f"“{type.name}” links a {type.source_label.name} to a {type.target_label.name}, "
            f"not a {source.label.name} to a {target.label.name}."
        )
    if errors:
        raise ServiceError(*errors)
    with transaction.atomic():
        relation, created = Relation.objects.get_or_create(
            annotation_set=annotation_set, type=type, source=source, target=target
        )
        if created:
            log_event(
                user=user,
                action=Event.Action.CREATE,
                obj=relation,
                data={"type": type.name, "source": source.pk, "target": target.pk},
            )
    return relation, created


@transaction.atomic
def relation_delete(*, relation: Relation, user):
    require_editable(relation.annotation_set)
    log_event(
        user=user,
        action=Event.Action.DELETE,
        obj=relation,
        data={"type": relation.type.name, "source": relation.source_id, "target": relation.target_id},
    )
    relation.delete()


def looks_like_name_variant(mention: str, entity: Entity) -> bool:
    """Whether ``mention`` reads as another spelling of ``entity``'s name: every word
    capitalised (no "the South Korean minister") and sharing a word or most letters
    with the name or an alias ("Jung Ui Young" for "Jong Ui Young", "Lavrov")."""
    mention = " ".join(mention.split())
    words = mention.split()
    if not words or len(words) > 6 or not all(w[:1].isupper() or not w[:1].isalpha() for w in words):
        return False
    folded = mention.casefold()
    for known in [entity.name, *entity.aliases]:
        known_words = {w.casefold() for w in str(known).split()}
        if known_words & {w.casefold() for w in words}:
            return True
        if _similar(folded, str(known).casefold()) >= 0.75:
            return True
    return False


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


@transaction.atomic
def span_link_entity(*, span: Span, entity: Entity | None, user, version: int, add_alias: bool = False) -> Span:
    """Link an actor mention to an entity.  Its spelling becomes an alias of the entity
    only when the annotator confirmed it (``add_alias``): "the South Korean minister"
    is a mention of Jong Ui Young, not a name of his.  A label with a ``kind``
    attribute takes the entity's kind, so the span and its entity never disagree."""
    if entity is not None:
        if not span.label.links_entity:
            raise ServiceError(f"{span.label.name} spans do not link to entities.")
        if entity.project_id != span.label.project_id:
            raise ServiceError("That entity belongs to another project.")
    attributes = None
    kind = span.label.attribute("kind")
    if entity is not None and kind and entity.kind in kind.get("choices", []):
        attributes = {k: v for k, v in span.attributes.items() if span.label.attribute(k)} | {"kind": entity.kind}
    span = span_update(span=span, user=user, version=version, entity=entity, attributes=attributes)
    if entity is not None and add_alias:
        mention = " ".join(span.text.split())
        entity = Entity.objects.select_for_update().get(pk=entity.pk)
        if mention and mention != entity.name and mention not in entity.aliases:
            entity.aliases = [*entity.aliases, mention]
            entity.save(update_fields=["aliases"])
    return span
