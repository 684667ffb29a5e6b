"""The agreement report of a project, computed once per state of its annotations.

:func:`cached_agreement_report` keeps :func:`~annotator.agreement.load.agreement_report`
in Django's cache under a fingerprint of everything the report reads
(:func:`agreement_state`), so a visit recomputes only after a change.
:func:`agreement_counts` says how many articles count beside it, and
:func:`public_report` gives the report the shape ``agreement --json`` prints. Each
costs a fixed number of SQL queries (docs/design.md, rule 6).
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q

from articles.selectors import correlated_count

from ..models import AnnotationSet, Event, SetStatus, Span
from .load import agreement_report

__all__ = [
    "AGREEMENT_CACHE_SECONDS",
    "agreement_counts",
    "agreement_state",
    "cached_agreement_report",
    "public_report",
]


def public_report(report: dict) -> dict:
    """The report in the shape ``agreement --json`` prints.

    Top level ``articles``, ``overall``, ``labels``, ``pairs``; each figure holds
    the four metrics; ``overall`` and each pair also carry ``verdict_agreement``.
    """
    metrics = ("span_f1_exact", "span_f1_overlap", "kappa_token", "alpha_token")

    def pick(figures, *extra):
        return {key: figures[key] for key in (*metrics, *extra)}

    return {
        "articles": report["articles"],
        "overall": pick(report["overall"], "verdict_agreement"),
        "labels": {name: pick(figures) for name, figures in report["labels"].items()},
        "pairs": [{"a": pair["a"], "b": pair["b"]} | pick(pair, "verdict_agreement") for pair in report["pairs"]],
    }


AGREEMENT_CACHE_SECONDS = 15 * 60


def agreement_state(project) -> str:
    """A fingerprint of everything the agreement report reads, in four small queries.

    Every change through the app writes an event (the event log), submitting or
    reopening touches the set, a span's count or latest change moves with any edit,
    Django admin's included, and the label schema is read directly; a new fingerprint
    therefore means the report may have changed.
    """
    last_event = Event.objects.filter(project=project).aggregate(last=Max("id"))["last"]
    sets = AnnotationSet.objects.filter(article__project=project).aggregate(n=Count("id"), changed=Max("updated_at"))
    spans = Span.objects.filter(annotation_set__article__project=project).aggregate(
        n=Count("id"), changed=Max("updated_at")
    )
    labels = list(project.labels.order_by("pk").values_list("pk", "name", "order"))
    raw = repr((project.pk, last_event, sets["n"], sets["changed"], spans["n"], spans["changed"], labels))
    return hashlib.sha1(raw.encode()).hexdigest()


def cached_agreement_report(project, *, include_unsubmitted: bool = False) -> dict:
    """:func:`agreement_report`, computed once per state of the project's annotations."""
    key = f"agreement:{project.pk}:{int(include_unsubmitted)}:{agreement_state(project)}"
    report = cache.get(key)
    if report is None:
        report = agreement_report(project, include_unsubmitted=include_unsubmitted)
        cache.set(key, report, AGREEMENT_CACHE_SECONDS)
    return report


def agreement_counts(project) -> dict:
    """How many articles the project has, and how many have 2+ submitted / 2+ counted-with-unsubmitted sets.

    One query.
    """
    sets = AnnotationSet.objects.filter(is_gold=False, article=OuterRef("pk"))
    has_spans = Exists(Span.objects.filter(annotation_set=OuterRef("pk")))
    submitted = correlated_count(sets.filter(status=SetStatus.SUBMITTED), "article")
    any_work = correlated_count(sets.filter(Q(status=SetStatus.SUBMITTED) | has_spans), "article")
    return project.articles.annotate(n_submitted=submitted, n_worked=any_work).aggregate(
        total=Count("id"),
        with_submitted=Count("id", filter=Q(n_submitted__gte=2)),
        with_work=Count("id", filter=Q(n_worked__gte=2)),
    )
