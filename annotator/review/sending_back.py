"""Sending a submitted set back to its annotator, and what they find sent back.

A reviewer reopens an annotator's submitted set with a reason; the set carries
``sent_back_at``, ``sent_back_by`` and ``sent_back_reason`` until its annotator
submits it again (then the submit clears them), and the annotator finds the
article, with the reason, on the project page and on top of the workspace.  The
state is read from those fields; the event log keeps the history.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from articles.models import Article

from ..errors import ServiceError
from ..events import log_event
from ..models import AnnotationSet, Event, SetStatus

SENT_BACK = "sent_back"  # Event.data["by"] of the reopen event that sent a set back


@transaction.atomic
def send_back(*, article: Article, set_id, user, reason: str = "") -> AnnotationSet:
    """Reopen an annotator's submitted set of ``article`` so that they can change it.

    The annotator finds the article open again, with the reviewer's reason on top
    of the workspace, until they submit it again.
    """
    annotation_set = (
        AnnotationSet.objects.select_for_update(of=("self",)).select_related("user")
        .filter(pk=set_id, article=article).first()
    )
    if annotation_set is None:
        raise ServiceError("That annotation set is not part of this article.")
    if annotation_set.is_gold:
        raise ServiceError("The gold set is reopened with “Reopen gold”.")
    name = annotation_set.user.get_username()
    if annotation_set.status != SetStatus.SUBMITTED:
        raise ServiceError(f"{name} has not submitted this article, so there is nothing to send back.")
    reason = " ".join(reason.split())[:500]
    annotation_set.status = SetStatus.IN_PROGRESS
    annotation_set.sent_back_at = timezone.now()
    annotation_set.sent_back_by = user if user and user.is_authenticated else None
    annotation_set.sent_back_reason = reason
    annotation_set.save(update_fields=["status", "sent_back_at", "sent_back_by", "sent_back_reason", "updated_at"])
    annotation_set.article = article
    log_event(user=user, action=Event.Action.REOPEN, obj=annotation_set, annotation_set=annotation_set,
              data={"by": SENT_BACK, "annotator": name, "reason": reason})
    return annotation_set


def sent_back_to(user, project) -> list[AnnotationSet]:
    """``user``'s sets in ``project`` that a reviewer sent back and they have not
    submitted again, newest first, with their articles' titles; one query."""
    return list(
        AnnotationSet.objects.filter(
            article__project=project, user=user, is_gold=False, sent_back_at__isnull=False,
            status__in=[SetStatus.NEW, SetStatus.IN_PROGRESS],
        )
        .select_related("article", "sent_back_by")
        .defer("article__text", "article__meta")
        .order_by("-sent_back_at", "-id")
    )
