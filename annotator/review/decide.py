"""Settling an article into gold: what a reviewer's decision writes.

The gold set is created on first use; each decision copies an annotator's version
of an item into gold (or drops it), replaces what an earlier decision on that item
put there, and stores itself as the item's ``ReviewDecision`` row (the event log
gets a copy, as history).  Everything is idempotent: taking the same version twice
changes nothing and logs nothing the second time.  A decision made from a stale
page is refused with a conflict rather than silently overwriting another
reviewer's (docs/design.md, rule 5).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from articles.models import Article

from ..errors import Conflict, ServiceError
from ..events import log_event
from ..models import AnnotationSet, Event, Relation, ReviewDecision, SetStatus, Span
from ..sets import set_reopen, set_submit
from ..spans import relation_create, relation_delete, span_create, span_delete, span_update
from .compare import DROP, TAKE, AgreedSpan, Place, RelationItem, attributes_key, review_for, span_place

REVIEW = "review"  # Event.object_type of the decisions' log entries


def gold_set_for(article: Article) -> AnnotationSet:
    """The article's gold set, created (in review) on first use."""
    gold = AnnotationSet.objects.filter(article=article, is_gold=True).first()
    if gold is None:
        try:
            with transaction.atomic():
                gold = AnnotationSet.objects.create(article=article, is_gold=True, status=SetStatus.IN_REVIEW)
        except IntegrityError:
            gold = AnnotationSet.objects.get(article=article, is_gold=True)
    gold.article = article
    return gold


def _locked_gold(article: Article) -> AnnotationSet:
    gold = gold_set_for(article)
    AnnotationSet.objects.select_for_update().filter(pk=gold.pk).values_list("pk", flat=True).first()
    gold.refresh_from_db(fields=["status"])
    if gold.status == SetStatus.DONE:
        raise ServiceError("The gold set of this article is done; reopen it to change it.")
    if gold.status == SetStatus.NEW:
        gold.status = SetStatus.IN_REVIEW
        gold.save(update_fields=["status", "updated_at"])
    return gold


def _record(*, gold, user, item: str, choice: str, number=None, annotator="", gold_spans=(), kind="", **extra):
    """Store the decision on ``item`` (replacing an earlier one, raising its version) and log it."""
    by = user if user and user.is_authenticated else None
    fields = {"choice": choice, "number": number, "annotator": annotator, "gold_spans": sorted(gold_spans),
              "kind": kind, "by": by}
    decision, created = ReviewDecision.objects.get_or_create(gold_set=gold, item=item, defaults=fields)
    if not created:
        for name, value in fields.items():
            setattr(decision, name, value)
        decision.version += 1
        decision.save()
    data = {"item": item, "choice": choice, "number": number, "annotator": annotator,
            "gold_spans": sorted(gold_spans), "kind": kind} | extra
    log_event(user=user, action=Event.Action.UPDATE, obj=gold, annotation_set=gold, object_type=REVIEW, data=data)
    return decision


def _put(*, gold, span: Span, user, note=None) -> tuple[Span, bool]:
    """Make gold hold ``span``'s value; returns (gold span, whether anything changed)."""
    existing = Span.objects.filter(annotation_set=gold, label_id=span.label_id, start=span.start, end=span.end).first()
    note = span.note if note is None else note
    if existing is None:
        created, _ = span_create(
            annotation_set=gold, label=span.label, start=span.start, end=span.end, text=span.text, user=user,
            attributes=dict(span.attributes or {}), note=note, entity=span.entity,
        )
        return created, True
    if attributes_key(existing) == attributes_key(span) and existing.entity_id == span.entity_id:
        return existing, False
    updated = span_update(
        span=existing, user=user, version=existing.version, label=span.label,
        attributes=dict(span.attributes or {}), note=note, entity=span.entity,
    )
    return updated, True


def _remove(*, gold, span_ids, user) -> bool:
    changed = False
    spans = Span.objects.filter(annotation_set=gold, pk__in=list(span_ids))
    for span in spans.select_related("label", "annotation_set__article__project"):
        span_delete(span=span, user=user)
        changed = True
    return changed


def _gold_span_at(gold, place_key) -> Span | None:
    label_id, start, end = place_key
    spans = Span.objects.filter(annotation_set=gold, label_id=label_id, start=start, end=end)
    return spans.select_related("label").first()


def _set_relation(*, gold, item: RelationItem, present: bool, user) -> bool:
    source = _gold_span_at(gold, span_place(item.source))
    target = _gold_span_at(gold, span_place(item.target))
    if source is None or target is None:
        raise ServiceError("Both ends of this relation must be in gold first.")
    relation_type = item.type
    existing = Relation.objects.filter(annotation_set=gold, type=relation_type, source=source, target=target).first()
    if present and existing is None:
        relation_create(annotation_set=gold, type=relation_type, source=source, target=target, user=user)
        return True
    if not present and existing is not None:
        existing.annotation_set = gold
        relation_delete(relation=existing, user=user)
        return True
    return False


def _joined_notes(spans) -> str:
    notes = []
    for span in spans:
        if span.note and span.note not in notes:
            notes.append(span.note)
    return " / ".join(notes)


@transaction.atomic
def accept_agreed(*, article: Article, user) -> tuple[int, int]:
    """Copy every proposed agreed span, then every agreed relation whose ends are in gold."""
    gold = _locked_gold(article)
    review = review_for(article)
    spans = 0
    for item in review.proposed:
        _, changed = _put(gold=gold, span=item.sample, user=user, note=_joined_notes(item.spans))
        spans += changed
    relations = 0
    for item in review_for(article).proposed_relations:
        relations += _set_relation(gold=gold, item=item, present=True, user=user)
    if spans or relations:
        _record(gold=gold, user=user, item="agreed", choice="accept", spans=spans, relations=relations)
    return spans, relations


# ---------------------------------------------------------------- one item


def _check_version(item, version: int | None) -> None:
    """Refuse a decision made on a page older than the item's decision; ``None``
    (a form from before versions were sent) is not checked."""
    if version is not None and version != item.version:
        raise Conflict("Someone else decided this item after the page was loaded, so your decision was not saved. "
                       "The list now shows their decision; decide again if you still disagree.")


def _taken_annotator(review, item, choice: str, number: int | None):
    """The annotator whose version a take of a disagreement copies (None for a drop,
    and for agreed items, where every annotator's version is the same)."""
    if choice != TAKE or isinstance(item, AgreedSpan) or (isinstance(item, RelationItem) and item.agreed):
        return None
    annotator = next((a for a in review.annotators if a.number == number), None)
    if annotator is None:
        raise ServiceError(f"There is no annotator {number} on this article; choose 1–{len(review.annotators)}.")
    return annotator


def _settle_agreed(*, gold, item: AgreedSpan, choice, user) -> tuple[list[int], bool]:
    if choice == TAKE:
        span, changed = _put(gold=gold, span=item.sample, user=user, note=_joined_notes(item.spans))
        return [span.pk], changed
    existing = _gold_span_at(gold, span_place(item.sample))
    return [], _remove(gold=gold, span_ids=[existing.pk] if existing else [], user=user)


def _settle_place(*, gold, item: Place, choice, number, user) -> tuple[list[int], bool]:
    kept, changed = [], False
    if choice == TAKE:
        for span in next(v for v in item.versions if v.number == number).spans:
            gold_span, did = _put(gold=gold, span=span, user=user)
            kept.append(gold_span.pk)
            changed |= did
    earlier = item.decision.gold_spans if item.decision else []
    changed |= _remove(gold=gold, span_ids=[pk for pk in earlier if pk not in kept], user=user)
    return kept, changed


def _settle_relation(*, gold, item: RelationItem, choice, number, user) -> tuple[list[int], bool]:
    present = choice == TAKE and (item.agreed or number in item.holders)
    return [], _set_relation(gold=gold, item=item, present=present, user=user)


def _settle(*, gold, item, choice, number, user) -> tuple[list[int], bool]:
    """Make gold hold what the decision says; returns (the gold spans it put there, whether gold changed)."""
    if isinstance(item, AgreedSpan):
        return _settle_agreed(gold=gold, item=item, choice=choice, user=user)
    if isinstance(item, Place):
        return _settle_place(gold=gold, item=item, choice=choice, number=number, user=user)
    return _settle_relation(gold=gold, item=item, choice=choice, number=number, user=user)


@transaction.atomic
def decide(*, article: Article, key: str, choice: str, number: int | None, user, version: int | None = None) -> bool:
    """Settle one item: ``take`` annotator ``number``'s version, or ``drop`` it.

    ``version`` is the item's decision version the reviewer saw (0: undecided);
    when it has changed meanwhile the decision is refused with ``Conflict`` and
    nothing changes.  Returns whether gold or the decisions changed (False when it
    was already so).
    """
    if choice not in (TAKE, DROP):
        raise ServiceError("Choose to take an annotator's version or to drop it.")
    gold = _locked_gold(article)
    review = review_for(article)
    item = review.item(key)
    if item is None:
        raise Conflict("This item changed since the page was loaded (an annotator edited their spans, or someone "
                       "else decided it). The list now shows the current state; look again.")
    _check_version(item, version)
    annotator = _taken_annotator(review, item, choice, number)
    previous = item.decision
    kept, changed = _settle(gold=gold, item=item, choice=choice, number=number, user=user)
    recorded = number if annotator else None
    same = (previous is not None and previous.choice == choice and previous.number == recorded
            and sorted(previous.gold_spans) == sorted(kept))
    if changed or not same:
        _record(gold=gold, user=user, item=key, choice=choice, number=recorded,
                annotator=annotator.name if annotator else "", gold_spans=kept, kind=type(item).__name__.lower())
        return True
    return False


# ---------------------------------------------------------------- the gold set as a whole


@transaction.atomic
def gold_finish(*, article: Article, user) -> AnnotationSet:
    """Mark the gold set done; refused while anything waits for a decision."""
    review = review_for(article)
    if review.pending:
        parts = []
        if review.open_count:
            parts.append(f"{review.open_count} disagreement{'s' if review.open_count != 1 else ''}")
        if review.proposed_count:
            parts.append(f"{review.proposed_count} agreed item{'s' if review.proposed_count != 1 else ''}")
        verb = "waits" if review.pending == 1 else "wait"
        raise ServiceError(f"Not done yet: {' and '.join(parts)} still {verb} for a decision.")
    gold = gold_set_for(article)
    if gold.status == SetStatus.DONE:
        raise ServiceError("The gold set is already done.")
    return set_submit(annotation_set=gold, user=user)


def gold_reopen(*, article: Article, user) -> AnnotationSet:
    gold = AnnotationSet.objects.filter(article=article, is_gold=True).first()
    if gold is None or gold.status != SetStatus.DONE:
        raise ServiceError("The gold set is not done, so there is nothing to reopen.")
    gold.article = article
    return set_reopen(annotation_set=gold, user=user)
