"""Where an article stands in the workflow: the one definition the progress
dashboard's buckets, the Assignments page's filters and the export's filters share.

Each article is in exactly one status, the most advanced that applies
(k = the project's annotators per article):

``done``         its gold set is done;
``in_review``    its gold set exists and is not done;
``submitted``    at least k annotators' sets are submitted;
``in_progress``  at least one annotator's set exists, fewer than k submitted;
``unassigned``   no annotator's set at all.

``with_status_inputs`` annotates a queryset of articles with what these need
(correlated subqueries, so one query whatever the number of articles), and
``status_q`` turns a status into a filter over those annotations.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from articles.selectors import correlated_count

from .models import AnnotationSet, SetStatus, Span

STATUSES = {
    "unassigned": "Unassigned",
    "in_progress": "In progress",
    "submitted": "Submitted by all",
    "in_review": "Gold in review",
    "done": "Gold done",
}
STATUS_ORDER = list(STATUSES)

# What the export keeps, relative to the sets chosen for it (all, gold, submitted, mine).
EXPORT_FILTERS = {
    "": "Any article",
    "annotated": "With spans in the chosen sets",
    "submitted": "With a submitted set",
    "gold": "With a gold set",
    "unannotated": "Without spans in the chosen sets",
}


def with_status_inputs(articles: QuerySet) -> QuerySet:
    """``articles`` with ``n_started``, ``n_submitted``, ``gold_open`` and ``gold_done``."""
    sets = AnnotationSet.objects.filter(article=OuterRef("pk"))
    return articles.annotate(
        n_started=correlated_count(sets.filter(is_gold=False), "article"),
        n_submitted=correlated_count(sets.filter(is_gold=False, status=SetStatus.SUBMITTED), "article"),
        gold_open=Exists(sets.filter(is_gold=True).exclude(status=SetStatus.DONE)),
        gold_done=Exists(sets.filter(is_gold=True, status=SetStatus.DONE)),
    )


def status_q(status: str, k: int) -> Q:
    """The articles (annotated by ``with_status_inputs``) whose status is ``status``."""
    done = Q(gold_done=True)
    review = Q(gold_open=True) & ~done
    if status == "done":
        return done
    if status == "in_review":
        return review
    if status == "submitted":
        return Q(n_submitted__gte=k) & ~done & ~review
    if status == "in_progress":
        return Q(n_started__gt=0, n_submitted__lt=k) & ~done & ~review
    if status == "unassigned":
        return Q(n_started=0) & ~done & ~review
    raise ValueError(f"Unknown article status {status!r}")


def export_filter(articles: QuerySet, in_scope: QuerySet, status: str) -> QuerySet:
    """``articles`` kept by the export filter ``status``; ``in_scope`` are the chosen
    sets, filtered on ``article=OuterRef("pk")``."""
    with_spans = in_scope.filter(Exists(Span.objects.filter(annotation_set=OuterRef("pk"))))
    if status == "annotated":
        return articles.filter(Exists(with_spans))
    if status == "unannotated":
        return articles.exclude(Exists(with_spans))
    if status == "submitted":
        return articles.filter(Exists(in_scope.filter(status=SetStatus.SUBMITTED)))
    if status == "gold":
        return articles.filter(Exists(in_scope.filter(is_gold=True)))
    return articles
