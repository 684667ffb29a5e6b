"""The knowledge base of actors, as curated on the Entities page: the list with its
counts, saving an entry, merging a duplicate into another, deleting an unused one.

Every write runs in one transaction and is written to the event log.  A merge
relinks spans in every set (annotators' and gold) and raises their ``version``, so
an open span panel elsewhere gets a conflict (409) instead of overwriting the link.
"""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.db.models import Count, F, ProtectedError, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from .errors import ServiceError
from .events import log_event
from .models import Entity, EntityKind, EntityMerge, Event, Span

ENTITY_FIELDS = ("name", "kind", "aliases", "wikidata_id", "description")


def entity_data(entity: Entity) -> dict:
    return {field: getattr(entity, field) for field in ENTITY_FIELDS}


# ---------------------------------------------------------------- reads


def _as_stored_in_json(query: str) -> str:
    """``query`` as it appears inside a JSON string in the database.

    Aliases live in a JSON list; SQLite keeps the text Python wrote (non-ASCII as
    ``\\uXXXX``), PostgreSQL prints jsonb with the characters themselves.  Quotes and
    backslashes are escaped in both.
    """
    return json.dumps(query, ensure_ascii=connection.vendor != "postgresql")[1:-1]


def entities_matching(queryset: QuerySet[Entity], query: str) -> QuerySet[Entity]:
    """Entities whose name or one of whose aliases contains ``query``, ignoring case."""
    query = " ".join(query.split())
    if not query:
        return queryset
    return queryset.filter(Q(name__icontains=query) | Q(aliases__icontains=_as_stored_in_json(query)))


def entity_rows(project, query: str = "", *, only_user=None) -> QuerySet[Entity]:
    """The project's entities by name, each with ``n_spans`` (spans linked to it in every
    set, or only in ``only_user``'s sets) and ``n_articles`` (articles those spans are
    in), in one query."""
    mine = Q(spans__annotation_set__user=only_user) if only_user is not None else None
    entities = project.entities.annotate(
        n_spans=Count("spans", distinct=True, filter=mine),
        n_articles=Count("spans__annotation_set__article", distinct=True, filter=mine),
    ).order_by(Lower("name"), "pk")
    return entities_matching(entities, query)


def merged_aliases(target: Entity, merged: Entity) -> list[str]:
    """``target``'s aliases, then ``merged``'s name and aliases: each once, ignoring
    case, and never the target's own name."""
    seen = {target.name.casefold()}
    aliases = []
    for alias in [*target.aliases, merged.name, *merged.aliases]:
        alias = " ".join(str(alias).split())
        if alias and alias.casefold() not in seen:
            seen.add(alias.casefold())
            aliases.append(alias)
    return aliases


# ---------------------------------------------------------------- writes


@transaction.atomic
def entity_create(*, project, name: str, kind: str = EntityKind.PERSON, aliases=(), user, article=None) -> Entity:
    """A new entry of ``project``'s knowledge base (from the Entities page or from a mention)."""
    name = " ".join(name.split())
    if not name:
        raise ServiceError("An entity needs a name.")
    if kind not in EntityKind.values:
        raise ServiceError(f"“{kind}” is not a kind of entity.")
    if Entity.objects.filter(project=project, name=name).exists():
        raise ServiceError(f"There is already an entity called “{name}”.")
    with transaction.atomic():
        entity = Entity.objects.create(project=project, name=name, kind=kind, aliases=list(aliases))
        log_event(user=user, action=Event.Action.CREATE, obj=entity, project=project, article=article,
                  data={"name": name, "kind": kind})
    return entity


def entity_save(*, entity: Entity, user, before: dict | None = None) -> Entity:
    """Save a new or changed entry (already validated by ``EntityForm``) and log it."""
    created = entity.pk is None
    entity.save()
    data = entity_data(entity)
    log_event(
        user=user,
        action=Event.Action.CREATE if created else Event.Action.UPDATE,
        obj=entity,
        project=entity.project,
        data=data if created else {"before": before, "after": data},
    )
    return entity


def merge_refusal(entity: Entity, target: Entity) -> str | None:
    if target.pk == entity.pk:
        return "An entity cannot be merged into itself; choose another one."
    if target.project_id != entity.project_id:
        return "Choose another entity of this project."
    return None


@transaction.atomic
def entity_merge(*, entity: Entity, target: Entity, user) -> int:
    """Merge ``entity`` into ``target``; returns how many spans were relinked.

    Its spans, in every set of the project, now link to ``target`` (one UPDATE that
    raises each span's version); its name and aliases become aliases of ``target``;
    it is deleted.  One event records what it was and where it went.
    """
    refusal = merge_refusal(entity, target)
    if refusal:
        raise ServiceError(refusal)
    # Both rows locked, in a fixed order, while aliases are rewritten: a mention
    # linked in the workspace meanwhile adds its alias before or after, never lost.
    locked = {e.pk: e for e in Entity.objects.select_for_update().filter(pk__in=[entity.pk, target.pk]).order_by("pk")}
    if len(locked) != 2:
        raise ServiceError("One of the two entities was just deleted; reload the page.")
    entity, target = locked[entity.pk], locked[target.pk]
    relinked = Span.objects.filter(entity=entity).update(
        entity=target, version=F("version") + 1, updated_at=timezone.now()
    )
    target.aliases = merged_aliases(target, entity)
    target.save(update_fields=["aliases"])
    data = entity_data(entity) | {"merged_into": target.name, "merged_into_id": target.pk, "spans": relinked}
    log_event(user=user, action=Event.Action.DELETE, obj=entity, project=entity.project, data=data)
    EntityMerge.objects.create(project_id=entity.project_id, merged_id=entity.pk, merged_name=entity.name,
                               into=target, by=user if user and user.is_authenticated else None, spans=relinked)
    entity.delete()
    return relinked


def delete_refusal(entity: Entity, n_spans: int | None = None) -> str | None:
    n_spans = entity.spans.count() if n_spans is None else n_spans
    if n_spans:
        return (
            f"“{entity.name}” was not deleted: {n_spans} span{'s' if n_spans != 1 else ''} "
            f"link{'' if n_spans != 1 else 's'} to it. Merge it into the entity they should link to instead."
        )
    return None


def entity_delete(*, entity: Entity, user) -> None:
    """Delete an entry no span links to; refused (``ServiceError``) while any does."""
    refusal = delete_refusal(entity)
    if refusal:
        raise ServiceError(refusal)
    try:
        with transaction.atomic():
            log_event(user=user, action=Event.Action.DELETE, obj=entity, project=entity.project,
                      data=entity_data(entity))
            entity.delete()
    except ProtectedError:
        # A span was linked to it between the check and the delete.
        refusal = delete_refusal(entity) or f"“{entity.name}” was not deleted: a span was just linked to it."
        raise ServiceError(refusal) from None
