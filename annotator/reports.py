"""Reads behind the agreement report and the progress dashboard.

Every function here costs a fixed number of SQL queries, whatever the size of
the project: rows come back as plain values (``values()``/``values_list()``),
counts come from aggregate queries, and the metrics themselves are computed by
:mod:`annotator.agreement` over plain data.

Which sets take part in agreement
---------------------------------
Only annotators' sets (never the gold set). By default a set counts when it is
submitted, and an article counts when at least two of its sets do. With
``include_unsubmitted`` a set counts when it is submitted or holds at least one
span (a submitted empty set still counts: it says "nothing to mark here").
Annotators are named by their usernames.

Article status on the dashboard
-------------------------------
Each article is in exactly one bucket: see :mod:`annotator.status`.

Spans per hour
--------------
For the last 7 days (a rolling week, not the calendar week): the span-create
events a user wrote in annotators' sets of the project, divided by the number of
distinct clock hours in which that user wrote any event in the project. An hour
with a single edit counts as a whole hour, so the figure is a pace while working,
not an average over the week.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import combinations

from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast, TruncHour
from django.utils import timezone

from articles.models import Role
from articles.selectors import correlated_count

from .agreement import ArticleSets, SpanRef, f1, project_agreement, span_f1
from .models import AnnotationSet, Event, Label, SetStatus, Span
from .status import STATUS_ORDER, status_q, with_status_inputs

ACTIVITY_WINDOW = timedelta(days=7)


# ---------------------------------------------------------------------------
# Agreement


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


# ---------------------------------------------------------------------------
# Progress


@dataclass
class Bucket:
    key: str
    name: str
    count: int
    percent: float = 0.0
    offset: float = 0.0  # where its bar starts, in percent, in a stacked bar


@dataclass
class AnnotatorRow:
    username: str
    role: str | None
    started: int = 0
    submitted: int = 0
    spans: int = 0
    spans_this_week: int = 0
    active_hours: int = 0

    @property
    def spans_per_hour(self) -> float | None:
        if not self.active_hours:
            return None
        return self.spans_this_week / self.active_hours


@dataclass
class LabelRow:
    name: str
    colour: str
    spans: int
    gold: int
    percent: float = 0.0


@dataclass
class Progress:
    k: int
    total: int
    buckets: list[Bucket]
    partial: list[dict] = field(default_factory=list)
    annotators: list[AnnotatorRow] = field(default_factory=list)
    labels: list[LabelRow] = field(default_factory=list)
    since: object = None

    @property
    def max_pace(self) -> float:
        """The fastest pace, the full scale of the pace bars (at least 1)."""
        paces = [row.spans_per_hour for row in self.annotators if row.spans_per_hour]
        return max([1.0, *paces])


def _percent(part: int, whole: int) -> float:
    return 100 * part / whole if whole else 0.0


def article_status_counts(project) -> dict:
    """Articles per status (see :mod:`annotator.status`), plus ``partial_<j>``: in
    progress with j submitted sets.  One aggregate query."""
    k = project.annotators_per_article
    per_article = with_status_inputs(project.articles.all())
    aggregates = {"total": Count("id")}
    for status in STATUS_ORDER:
        aggregates[status] = Count("id", filter=status_q(status, k))
    in_progress = status_q("in_progress", k)
    for j in range(k):
        aggregates[f"partial_{j}"] = Count("id", filter=in_progress & Q(n_submitted=j))
    return per_article.aggregate(**aggregates)


def _annotator_rows(project, since) -> list[AnnotatorRow]:
    """Per person with an annotator's set, or with the annotator role: sets started, submitted, spans, pace.

    Three queries: members, set counts, this week's events.
    """
    rows: dict[int, AnnotatorRow] = {}
    for user_id, username, role in project.memberships.filter(role=Role.ANNOTATOR).values_list(
        "user_id", "user__username", "role"
    ):
        rows[user_id] = AnnotatorRow(username=username, role=role)
    set_counts = (
        AnnotationSet.objects.filter(article__project=project, is_gold=False)
        .values("user_id", "user__username")
        .annotate(
            started=Count("id", distinct=True),
            submitted=Count("id", filter=Q(status=SetStatus.SUBMITTED), distinct=True),
            spans=Count("spans"),
        )
        .order_by()
    )
    for entry in set_counts:
        row = rows.setdefault(entry["user_id"], AnnotatorRow(username=entry["user__username"], role=None))
        row.started, row.submitted, row.spans = entry["started"], entry["submitted"], entry["spans"]
    created = Q(action=Event.Action.CREATE, object_type="span", annotation_set__is_gold=False)
    paces = (
        Event.objects.filter(project=project, created_at__gte=since, user_id__in=list(rows))
        .values("user_id")
        .annotate(spans=Count("id", filter=created), hours=Count(TruncHour("created_at"), distinct=True))
        .order_by()
    )
    for entry in paces:
        row = rows[entry["user_id"]]
        row.spans_this_week, row.active_hours = entry["spans"], entry["hours"]
    return sorted(rows.values(), key=lambda row: row.username.lower())


def _label_rows(project) -> list[LabelRow]:
    """Spans per label in annotators' sets and in gold, every label of the schema. Two queries."""
    counts = {
        entry["label_id"]: entry
        for entry in Span.objects.filter(label__project=project)
        .values("label_id")
        .annotate(spans=Count("id", filter=Q(annotation_set__is_gold=False)),
                  gold=Count("id", filter=Q(annotation_set__is_gold=True)))
        .order_by()
    }
    rows = [
        LabelRow(
            name=name,
            colour=colour,
            spans=counts.get(pk, {}).get("spans", 0),
            gold=counts.get(pk, {}).get("gold", 0),
        )
        for pk, name, colour in Label.objects.filter(project=project).values_list("pk", "name", "colour")
    ]
    biggest = max((row.spans for row in rows), default=0)
    for row in rows:
        row.percent = _percent(row.spans, biggest)
    return rows


STATUS_NAMES = {
    "unassigned": "Unassigned",
    "in_progress": "In progress",
    "submitted": "Submitted by {k}",
    "in_review": "In review",
    "done": "Gold done",
}


def project_progress(project, *, now=None) -> Progress:
    """Everything the progress dashboard shows, in six queries."""
    now = now or timezone.now()
    since = now - ACTIVITY_WINDOW
    k = project.annotators_per_article
    counts = article_status_counts(project)
    total = counts["total"]
    buckets, offset = [], 0.0
    for key in STATUS_ORDER:
        percent = _percent(counts[key], total)
        buckets.append(Bucket(key, STATUS_NAMES[key].format(k=k), counts[key], percent, offset))
        offset += percent
    partial = []
    if k > 1:
        partial = [{"submitted": j, "count": counts[f"partial_{j}"]} for j in range(k)]
    return Progress(
        k=k,
        total=total,
        buckets=buckets,
        partial=partial,
        annotators=_annotator_rows(project, since),
        labels=_label_rows(project),
        since=since,
    )


def recent_articles(project):
    """Articles by their latest event, newest first (a queryset of dicts to paginate).

    Each row: ``article_id``, ``article__title``, ``last`` (time), ``events`` (how
    many) and ``last_user`` (who wrote the latest event).
    """
    latest = Event.objects.filter(article_id=OuterRef("article_id")).order_by("-created_at", "-id")
    return (
        Event.objects.filter(project=project, article__isnull=False)
        .values("article_id", "article__title")
        .annotate(
            last=Max("created_at"),
            events=Count("id"),
            last_user=Subquery(latest.values("user__username")[:1]),
        )
        .order_by("-last", "-article_id")
    )
