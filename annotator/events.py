"""The event log: who created, changed or deleted what, and when.

The log is history.  Nothing reads current state back out of it: review
decisions, sent-back sets and entity merges keep their own fields.  The one
exception is undo, which restores a deleted span from what its delete event kept.
"""

from __future__ import annotations

from .models import Event, Span


def log_event(
    *, user, action, obj, annotation_set=None, article=None, project=None, data=None, object_type: str | None = None
) -> Event:
    """Append one event; ``object_type`` defaults to the object's model name."""
    annotation_set = annotation_set or getattr(obj, "annotation_set", None)
    article = article or (annotation_set.article if annotation_set else None)
    project = project or article.project
    return Event.objects.create(
        project=project,
        article=article,
        annotation_set=annotation_set,
        user=user if user and user.is_authenticated else None,
        action=action,
        object_type=object_type or type(obj).__name__.lower(),
        object_id=obj.pk,
        data=data or {},
    )


def span_data(span: Span) -> dict:
    """What an event keeps of a span: enough to show the change and to undo a delete."""
    return {
        "label": span.label.name,
        "label_id": span.label_id,
        "start": span.start,
        "end": span.end,
        "text": span.text,
        "attributes": span.attributes,
        "entity": span.entity_id,
        "note": span.note,
    }
