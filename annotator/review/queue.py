"""Which articles wait for a reviewer, and which one comes next.

An article waits once at least k of its annotators' sets are submitted (k = the
project's annotators per article) and its gold set is not done; reviewers go
through them in id order with "Next to review".
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from articles.models import Article
from articles.selectors import correlated_count

from ..models import AnnotationSet, SetStatus


def waiting_for_review(project):
    """The project's articles that wait for a reviewer: at least k annotators'
    sets submitted (k = annotators per article) and no finished gold set."""
    submitted = AnnotationSet.objects.filter(article=OuterRef("pk"), is_gold=False, status=SetStatus.SUBMITTED)
    done = AnnotationSet.objects.filter(article=OuterRef("pk"), is_gold=True, status=SetStatus.DONE)
    return (
        project.articles.annotate(n_submitted=correlated_count(submitted, "article"))
        .filter(n_submitted__gte=project.annotators_per_article)
        .exclude(Exists(done))
        .order_by("pk")
    )


def next_to_review(project, *, after: int | None = None) -> Article | None:
    """The next article waiting for review after ``after`` (by id), wrapping around."""
    waiting = waiting_for_review(project).only("pk", "project_id")
    if after is not None:
        following = waiting.filter(pk__gt=after).first()
        if following is not None:
            return following
        return waiting.exclude(pk=after).first()
    return waiting.first()
