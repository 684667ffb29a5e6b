"""annotator.progress: the progress dashboard's numbers, each in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotator.models import Event, SetStatus
from annotator.progress import article_status_counts, project_progress, recent_articles
from annotator.spans import span_create, span_delete
from tests.factories import Role, annotate, label, make_article, make_set, make_user

pytestmark = pytest.mark.django_db

ACTORS = [("Actor", "Jong Ui Young"), ("Actor", "Sergei Lavrov")]


def test_article_status_buckets(k2_project):
    counts = article_status_counts(k2_project)
    assert counts == {
        "total": 6,
        "unassigned": 1,
        "in_progress": 2,
        "submitted": 1,
        "in_review": 1,
        "done": 1,
        "partial_0": 1,  # opened, nothing submitted
        "partial_1": 1,  # one of two submitted
    }


def test_a_single_submitted_set_is_enough_when_k_is_1(project, annotator):
    annotate(make_article(project), annotator, ("Actor", "Sergei Lavrov"))
    counts = article_status_counts(project)
    assert counts["submitted"] == 1 and counts["in_progress"] == 0
    assert "partial_1" not in counts


def test_progress_per_annotator_and_labels(k2_project, annotator, other_annotator, reviewer):
    outsider_annotator = make_user("newcomer")
    k2_project.memberships.create(user=outsider_annotator, role=Role.ANNOTATOR)

    progress = project_progress(k2_project)

    rows = {row.username: row for row in progress.annotators}
    assert set(rows) == {"ann", "ann2", "newcomer"}  # annotators, even those who have not started
    assert (rows["ann"].started, rows["ann"].submitted, rows["ann"].spans) == (5, 4, 7)
    assert (rows["ann2"].started, rows["ann2"].submitted, rows["ann2"].spans) == (4, 3, 4)
    assert (rows["newcomer"].started, rows["newcomer"].spans) == (0, 0)
    assert rows["newcomer"].spans_per_hour is None
    labels = {row.name: (row.spans, row.gold) for row in progress.labels}
    assert labels == {"Claim": (3, 0), "Actor": (8, 2), "Quote": (0, 0), "Cue": (0, 0)}
    assert [b.key for b in progress.buckets] == ["unassigned", "in_progress", "submitted", "in_review", "done"]
    assert progress.buckets[2].name == "Submitted by 2"
    assert sum(b.percent for b in progress.buckets) == pytest.approx(100)
    assert progress.partial == [{"submitted": 0, "count": 1}, {"submitted": 1, "count": 1}]


def test_spans_per_hour_counts_creates_over_active_hours(project, article, annotator, other_annotator):
    now = timezone.now().replace(minute=30, second=0, microsecond=0)
    annotation_set = make_set(article, annotator)
    labels = {name: label(project, name) for name in ("Actor", "Claim")}
    text = article.text

    def create(needle, label_name, when):
        start = text.index(needle)
        span, _ = span_create(annotation_set=annotation_set, label=labels[label_name], start=start,
                                       end=start + len(needle), text=needle, user=annotator)
        Event.objects.filter(object_type="span", object_id=span.pk).update(created_at=when)
        return span

    create("Jong Ui Young", "Actor", now - timedelta(hours=3))
    create("Sergei Lavrov", "Actor", now - timedelta(hours=3, minutes=10))
    create("Moscow", "Actor", now - timedelta(hours=1))
    lavrov = create("Lavrov", "Claim", now - timedelta(days=9))  # older than a week
    span_delete(span=lavrov, user=annotator)
    Event.objects.filter(action="delete").update(created_at=now - timedelta(hours=1, minutes=5))

    row = next(r for r in project_progress(project, now=now).annotators if r.username == "ann")

    # Three spans this week, in two distinct clock hours with activity (a delete counts as activity).
    assert row.spans_this_week == 3
    assert row.active_hours == 2
    assert row.spans_per_hour == 1.5


def test_recent_articles_newest_first(project, annotator):
    older, newer = make_article(project, external_id="older"), make_article(project, external_id="newer")
    for article, hours in ((older, 5), (newer, 1)):
        annotation_set = make_set(article, annotator)
        needle = "Sergei Lavrov"
        start = article.text.index(needle)
        span_create(annotation_set=annotation_set, label=label(project, "Actor"), start=start,
                             end=start + len(needle), text=needle, user=annotator)
        Event.objects.filter(article=article).update(created_at=timezone.now() - timedelta(hours=hours))
    rows = list(recent_articles(project))
    assert [row["article_id"] for row in rows] == [newer.pk, older.pk]
    assert rows[0]["events"] == 1 and rows[0]["last_user"] == "ann"


def test_progress_costs_the_same_queries_for_1_or_30_articles(project, annotator, other_annotator):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            project_progress(project)
        return len(captured)

    annotate(make_article(project, external_id="first"), annotator, *ACTORS)
    few = queries()
    for n in range(29):
        article = make_article(project, external_id=f"more{n}")
        annotate(article, annotator, *ACTORS)
        annotate(article, other_annotator, ("Cue", "said"), status=SetStatus.IN_PROGRESS)
    assert queries() == few
