"""The progress dashboard's figures: how far a project has come, and who is doing what.

:func:`project_progress` gives the articles per status (as a stacked bar), how many
sets each annotator started and submitted with their spans and pace, and the spans
per label; :func:`article_status_counts` the status counts alone, and
:func:`recent_articles` the articles by their latest event. Each costs a fixed
number of SQL queries, whatever the size of the project (docs/design.md, rule 6):
counts come from aggregate queries.

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

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import TruncHour
from django.utils import timezone

from articles.models import Role

from .models import AnnotationSet, Event, Label, SetStatus, Span
from .status import STATUS_ORDER, STATUSES, status_q, with_status_inputs

__all__ = [
    "ACTIVITY_WINDOW",
    "AnnotatorRow",
    "Bucket",
    "LabelRow",
    "Progress",
    "article_status_counts",
    "project_progress",
    "recent_articles",
]

ACTIVITY_WINDOW = timedelta(days=7)


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


# The buckets' names: those of annotator.status, two of them worded for the bar ({k}: annotators per article).
STATUS_NAMES = {**STATUSES, "submitted": "Submitted by {k}", "in_review": "In review"}


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
