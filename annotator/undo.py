"""Undo and redo of one person's changes in one annotation set, through the event log.

Every change to a span or relation is an event; undoing one applies its inverse
through the same checked services (``annotator.spans``), so the inverse is an event
too, tagged ``undo_of`` (and the undone event ``undone``).  Redo applies the inverse
of the latest undo not yet redone, tagged ``redo_of``; a fresh change in between
ends what can be redone, as in any editor.

What a span was is read back from the events (its delete event keeps its content;
an update event keeps the values before and after); a span that came back under a
new id is followed through the ``restored`` id its delete event records.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from . import spans as span_writes
from .errors import ServiceError
from .models import AnnotationSet, Entity, Event, Label, Relation, RelationType, Span

KINDS = ("span", "relation")
ACTIONS = (Event.Action.CREATE, Event.Action.UPDATE, Event.Action.DELETE)
LOOK_BACK = 200  # events read per step: far more than anyone undoes in a row


@dataclass
class Outcome:
    """What an undo or redo did: a sentence for the page, the span to show (if it
    still exists) and the text places whose paragraphs changed."""

    message: str
    span_id: int | None
    places: list[tuple[int, int]]


def _history(annotation_set: AnnotationSet, user) -> list[Event]:
    return list(
        Event.objects.filter(annotation_set=annotation_set, user=user, object_type__in=KINDS, action__in=ACTIONS)
        .order_by("-id")[:LOOK_BACK]
    )


def _undoable(event: Event) -> bool:
    data = event.data or {}
    if "undo_of" in data or data.get("undone"):
        return False
    # A deletion already brought back with the Undo button is not undone again.
    return not (event.action == Event.Action.DELETE and event.object_type == "span" and data.get("restored"))


def _current_span(annotation_set, span_id) -> Span | None:
    """The span ``span_id`` is now: itself, or the span its deletion was undone into."""
    for _ in range(20):
        span = Span.objects.select_related("label", "entity", "annotation_set__article__project").filter(
            pk=span_id, annotation_set=annotation_set).first()
        if span is not None:
            return span
        restored = (
            Event.objects.filter(annotation_set=annotation_set, object_type="span", object_id=span_id,
                                 action=Event.Action.DELETE).values_list("data__restored", flat=True).first()
        )
        if not restored:
            return None
        span_id = restored
    return None


def _gone(what: str):
    return ServiceError(f"There is nothing to {what}: the span it changed no longer exists.")


def _inverse(event: Event, user, what: str) -> Outcome:
    """Apply the inverse of ``event``; returns what happened."""
    annotation_set = event.annotation_set
    data = event.data or {}
    if event.object_type == "relation":
        return _inverse_relation(event, user, what)
    if event.action == Event.Action.CREATE:
        span = _current_span(annotation_set, event.object_id)
        if span is None:
            raise _gone(what)
        span_writes.span_delete(span=span, user=user)
        return Outcome(f"removed {span.label.name} “{span_writes._excerpt(span.text)}”", None, [(span.start, span.end)])
    if event.action == Event.Action.DELETE:
        span = span_writes.span_restore(event=event, user=user)
        return Outcome(f"brought back {span.label.name} “{span_writes._excerpt(span.text)}”", span.pk,
                       [(span.start, span.end)])
    span = _current_span(annotation_set, event.object_id)
    if span is None:
        raise _gone(what)
    before = data.get("before") or {}
    project_id = annotation_set.article.project_id
    label = Label.objects.filter(pk=before.get("label_id"), project_id=project_id).first() or span.label
    entity_id = before.get("entity")
    entity = Entity.objects.filter(pk=entity_id, project_id=project_id).first() if entity_id else None
    span_writes.span_update(span=span, user=user, version=span.version, label=label,
                            attributes=before.get("attributes") or {}, note=before.get("note", ""), entity=entity)
    return Outcome(f"set {label.name} “{span_writes._excerpt(span.text)}” back", span.pk, [(span.start, span.end)])


def _inverse_relation(event: Event, user, what: str) -> Outcome:
    annotation_set = event.annotation_set
    data = event.data or {}
    source = _current_span(annotation_set, data.get("source"))
    target = _current_span(annotation_set, data.get("target"))
    if source is None or target is None:
        raise _gone(what)
    places = [(source.start, source.end), (target.start, target.end)]
    if event.action == Event.Action.CREATE:
        relation = Relation.objects.select_related("type", "annotation_set").filter(pk=event.object_id).first()
        if relation is None:
            relation = Relation.objects.select_related("type", "annotation_set").filter(
                annotation_set=annotation_set, type__name=data.get("type"), source=source, target=target).first()
        if relation is None:
            raise ServiceError(f"There is nothing to {what}: that link is already gone.")
        span_writes.relation_delete(relation=relation, user=user)
        return Outcome(f"removed the link “{relation.type.name}”", source.pk, places)
    relation_type = RelationType.objects.select_related("source_label", "target_label").filter(
        project_id=annotation_set.article.project_id, name=data.get("type")).first()
    if relation_type is None:
        raise ServiceError(f"The relation type “{data.get('type')}” no longer exists.")
    span_writes.relation_create(annotation_set=annotation_set, type=relation_type, source=source, target=target,
                                user=user)
    return Outcome(f"brought back the link “{relation_type.name}”", source.pk, places)


def _tag_new_events(annotation_set, user, after_id: int, tag: dict):
    for event in Event.objects.filter(annotation_set=annotation_set, user=user, pk__gt=after_id):
        event.data = (event.data or {}) | tag
        event.save(update_fields=["data"])


def _latest_id(annotation_set) -> int:
    return Event.objects.filter(annotation_set=annotation_set).order_by("-id").values_list("pk", flat=True).first() or 0


def _replay(annotation_set, user, event: Event, *, kind: str, done: str) -> Outcome:
    """Apply the inverse of ``event`` (``kind`` "undo" or "redo"), tag the events that
    writes, and mark ``event`` as ``done``."""
    event.annotation_set = annotation_set
    mark = _latest_id(annotation_set)
    outcome = _inverse(event, user, kind)
    _tag_new_events(annotation_set, user, mark, {f"{kind}_of": event.pk})
    event.data = (event.data or {}) | {done: True}
    event.save(update_fields=["data"])
    return outcome


@transaction.atomic
def undo(*, annotation_set: AnnotationSet, user) -> Outcome:
    """Undo ``user``'s latest change in ``annotation_set`` not undone yet."""
    span_writes.require_editable(annotation_set)
    event = next((e for e in _history(annotation_set, user) if _undoable(e)), None)
    if event is None:
        raise ServiceError("Nothing to undo in this article.")
    outcome = _replay(annotation_set, user, event, kind="undo", done="undone")
    outcome.message = "Undone: " + outcome.message + "."
    return outcome


@transaction.atomic
def redo(*, annotation_set: AnnotationSet, user) -> Outcome:
    """Redo the latest undo of ``user`` in ``annotation_set``, unless a change came after it."""
    span_writes.require_editable(annotation_set)
    target = None
    for event in _history(annotation_set, user):
        data = event.data or {}
        if "redo_of" in data or ("undo_of" in data and data.get("redone")):
            continue
        if "undo_of" in data:
            target = event
        break
    if target is None:
        raise ServiceError("Nothing to redo.")
    outcome = _replay(annotation_set, user, target, kind="redo", done="redone")
    outcome.message = "Redone: " + outcome.message + "."
    return outcome
