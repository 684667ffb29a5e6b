"""What the agreement metrics read from the database: which sets count, and their spans.

:func:`agreement_articles` turns a project's counted sets into the plain
:class:`~annotator.agreement.metrics.ArticleSets` the metrics take, and
:func:`agreement_report` is the project's report straight from the database;
:func:`article_agreement` scores a page of articles for the article list, and
:func:`unknown_labels` checks label names given on the command line. Each costs a
fixed number of SQL queries, whatever the size of the project (docs/design.md,
rule 6): rows come back as plain values (``values()``/``values_list()``) and the
metrics are computed by :mod:`annotator.agreement.metrics` over plain data.

Which sets take part in agreement
---------------------------------
Only annotators' sets (never the gold set). By default a set counts when it is
submitted, and an article counts when at least two of its sets do. With
``include_unsubmitted`` a set counts when it is submitted or holds at least one
span (a submitted empty set still counts: it says "nothing to mark here").
Annotators are named by their usernames.
"""

from __future__ import annotations

import json
from collections import defaultdict
from itertools import combinations

from django.db.models import Count, Exists, OuterRef, Q, TextField
from django.db.models.functions import Cast

from ..models import AnnotationSet, SetStatus, Span
from .metrics import ArticleSets, SpanRef, f1, project_agreement, span_f1

__all__ = ["agreement_articles", "agreement_report", "article_agreement", "unknown_labels"]


def _counted_sets(project, *, include_unsubmitted: bool = False):
    """The annotators' sets of ``project`` that take part in agreement."""
    sets = AnnotationSet.objects.filter(article__project=project, is_gold=False)
    if include_unsubmitted:
        has_spans = Exists(Span.objects.filter(annotation_set=OuterRef("pk")))
        return sets.filter(Q(status=SetStatus.SUBMITTED) | has_spans)
    return sets.filter(status=SetStatus.SUBMITTED)


class _ParsedAttributes(dict):
    """Span attributes, JSON text -> sorted tuple of ``(name, value)`` pairs.

    Spans repeat a handful of attribute values (``{"kind": "person"}``), so each
    distinct text is parsed once, on first lookup.
    """

    def __missing__(self, raw: str | None) -> tuple:
        values = json.loads(raw) if raw else {}
        if not isinstance(values, dict):
            values = {}
        parsed = self[raw] = tuple(
            sorted((name, tuple(value) if isinstance(value, list) else value) for name, value in values.items())
        )
        return parsed


def agreement_articles(project, *, include_unsubmitted: bool = False, labels=None) -> list[ArticleSets]:
    """Every counted article as :class:`ArticleSets` (text and spans by username).

    Four queries: the labels, the counted articles' texts, their counted sets, and
    the spans of those sets. Articles with fewer than two counted sets are left out
    in SQL. With ``labels`` (names), only spans of those labels are loaded.
    """
    label_names = dict(project.labels.values_list("pk", "name"))
    if labels is not None:
        wanted = set(labels)
        label_names = {pk: name for pk, name in label_names.items() if name in wanted}
    sets = _counted_sets(project, include_unsubmitted=include_unsubmitted)
    shared = sets.values("article_id").annotate(n=Count("id")).filter(n__gte=2).values("article_id")
    texts = dict(project.articles.filter(pk__in=shared).values_list("pk", "text"))
    by_article: dict[int, dict[str, list[SpanRef]]] = {pk: {} for pk in texts}
    span_lists: dict[int, list[SpanRef]] = {}
    for set_id, article_id, username in sets.filter(article_id__in=shared).values_list(
        "pk", "article_id", "user__username"
    ):
        span_lists[set_id] = by_article[article_id][username] = []
    spans = Span.objects.filter(annotation_set__in=sets.filter(article_id__in=shared).values("pk"))
    if labels is not None:
        spans = spans.filter(label_id__in=list(label_names))
    # The attributes come as JSON text: Django's JSON decoding per row costs more than the rest of the load.
    rows = spans.values_list("annotation_set_id", "label_id", "start", "end", Cast("attributes", TextField()))
    parsed = _ParsedAttributes()
    for set_id, label_id, start, end, attributes in rows.order_by().iterator(chunk_size=5000):
        span_lists[set_id].append(SpanRef(label_names[label_id], start, end, parsed[attributes]))
    return [ArticleSets(texts[pk], by_article[pk]) for pk in sorted(texts)]


def article_agreement(article_ids) -> dict[int, float | None]:
    """Per article: the mean exact span F1 over every pair of its submitted annotators'
    sets (all labels together), or None with fewer than two such sets or no span at
    all.  One query, for a page of articles on the article list."""
    sets: dict[int, dict[int, list[SpanRef]]] = defaultdict(dict)
    for article_id, set_id in AnnotationSet.objects.filter(
        article_id__in=list(article_ids), is_gold=False, status=SetStatus.SUBMITTED
    ).values_list("article_id", "pk"):
        sets[article_id][set_id] = []
    rows = Span.objects.filter(annotation_set_id__in=[s for by_set in sets.values() for s in by_set]).values_list(
        "annotation_set__article_id", "annotation_set_id", "label_id", "start", "end"
    )
    for article_id, set_id, label_id, start, end in rows.order_by():
        sets[article_id][set_id].append(SpanRef(str(label_id), start, end, ()))
    result = {}
    for article_id in article_ids:
        scores = [f1(*span_f1(a, b)) for a, b in combinations(sets.get(article_id, {}).values(), 2)]
        scores = [score for score in scores if score is not None]
        result[article_id] = sum(scores) / len(scores) if scores else None
    return result


def unknown_labels(project, names) -> list[str]:
    """The names among ``names`` that are not labels of ``project``."""
    known = set(project.labels.values_list("name", flat=True))
    return [name for name in names if name not in known]


def agreement_report(project, *, include_unsubmitted: bool = False, labels=None) -> dict:
    """The agreement report of ``project`` (see :func:`annotator.agreement.project_agreement`).

    Without ``labels`` the report lists every label of the project's schema, in
    schema order, then any other label found in the spans.
    """
    articles = agreement_articles(project, include_unsubmitted=include_unsubmitted, labels=labels)
    if labels is None:
        schema = list(project.labels.order_by("order", "name").values_list("name", flat=True))
        used = {span.label for article in articles for spans in article.sets.values() for span in spans}
        labels = schema + sorted(used - set(schema))
    return project_agreement(articles, labels=list(labels))
