"""Writes to whole annotation sets: submit and reopen, and the annotator's own set
of an article (handed out through assignment)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .assignment import open_set
from .errors import ServiceError
from .events import log_event
from .models import AnnotationSet, Event, SetStatus


@transaction.atomic
def set_submit(*, annotation_set: AnnotationSet, user) -> AnnotationSet:
    if annotation_set.is_gold:
        annotation_set.status = SetStatus.DONE
    else:
        if annotation_set.status == SetStatus.SUBMITTED:
            raise ServiceError("This annotation set is already submitted.")
        annotation_set.status = SetStatus.SUBMITTED
        # Submitted again: whatever a reviewer sent back has been answered.
        annotation_set.sent_back_at, annotation_set.sent_back_by, annotation_set.sent_back_reason = None, None, ""
    annotation_set.submitted_at = timezone.now()
    annotation_set.save(
        update_fields=["status", "submitted_at", "sent_back_at", "sent_back_by", "sent_back_reason", "updated_at"]
    )
    log_event(user=user, action=Event.Action.SUBMIT, obj=annotation_set, annotation_set=annotation_set)
    return annotation_set


@transaction.atomic
def set_reopen(*, annotation_set: AnnotationSet, user) -> AnnotationSet:
    if annotation_set.is_editable:
        raise ServiceError("This annotation set is open already.")
    if not annotation_set.is_gold and _gold_is_done(annotation_set.article_id):
        # Agreement and the gold were settled on what was submitted; only a reviewer
        # reopens it now (``review.sending_back.send_back``), which leaves a trace.
        raise ServiceError(
            "The gold for this article is done, so your submitted annotation can no longer be reopened. "
            "Ask a reviewer to send it back to you if it needs a change."
        )
    annotation_set.status = SetStatus.IN_REVIEW if annotation_set.is_gold else SetStatus.IN_PROGRESS
    annotation_set.save(update_fields=["status", "updated_at"])
    log_event(user=user, action=Event.Action.REOPEN, obj=annotation_set, annotation_set=annotation_set)
    return annotation_set


def _gold_is_done(article_id) -> bool:
    return AnnotationSet.objects.filter(article_id=article_id, is_gold=True, status=SetStatus.DONE).exists()


def set_for_annotator(*, article, user) -> AnnotationSet:
    """The user's own set for ``article``, created on first visit while the article
    has a free slot (see ``annotator.assignment``); an annotator whose article's k
    slots are taken by others gets ``NotAssigned``, a 403 with a message."""
    return open_set(article=article, user=user)
