"""annotator.reports: which sets count for agreement, the figures through the database,
and the progress dashboard's numbers, each in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotator.models import Event, SetStatus
from annotator.reports import (
    agreement_articles,
    agreement_counts,
    agreement_report,
    article_status_counts,
    project_progress,
    public_report,
    recent_articles,
)
from annotator.spans import span_create, span_delete
from tests.factories import SEED_TEXT, Role, annotate, label, make_article, make_set, make_user

pytestmark = pytest.mark.django_db


def article_named(project, name):
    """An article whose text ends with its name, to tell articles apart by text."""
    return make_article(project, f"{SEED_TEXT}\n\n{name}", external_id=name)


ACTORS = [("Actor", "Jong Ui Young"), ("Actor", "Sergei Lavrov")]


# ---------------------------------------------------------------- which articles count


def test_only_articles_with_two_submitted_sets_count(project, annotator, other_annotator, reviewer):
    both = article_named(project, "both")
    annotate(both, annotator, *ACTORS)
    annotate(both, other_annotator, *ACTORS)
    one_open = article_named(project, "one-open")
    annotate(one_open, annotator, *ACTORS)
    annotate(one_open, other_annotator, *ACTORS, status=SetStatus.IN_PROGRESS)
    lonely = article_named(project, "lonely")
    annotate(lonely, annotator, *ACTORS)
    gold = annotate(lonely, None, *ACTORS, status=SetStatus.DONE)  # gold never counts
    assert gold.is_gold

    articles = agreement_articles(project)

    assert [a.text.rsplit("\n", 1)[1] for a in articles] == ["both"]
    assert set(articles[0].sets) == {"ann", "ann2"}  # usernames
    assert agreement_report(project)["articles"] == 1


def test_include_unsubmitted_counts_every_non_empty_set(project, annotator, other_annotator, reviewer):
    open_with_spans = article_named(project, "open")
    annotate(open_with_spans, annotator, *ACTORS)
    annotate(open_with_spans, other_annotator, *ACTORS, status=SetStatus.IN_PROGRESS)
    open_but_empty = article_named(project, "empty")
    annotate(open_but_empty, annotator, *ACTORS, status=SetStatus.IN_PROGRESS)
    make_set(open_but_empty, other_annotator)  # opened, nothing marked
    submitted_empty = article_named(project, "submitted-empty")
    annotate(submitted_empty, annotator, *ACTORS, status=SetStatus.IN_PROGRESS)
    annotate(submitted_empty, other_annotator)  # submitted with nothing to mark: it counts

    assert agreement_report(project)["articles"] == 0
    counted = agreement_articles(project, include_unsubmitted=True)
    assert sorted(a.text.rsplit("\n", 1)[1] for a in counted) == ["open", "submitted-empty"]
    assert agreement_report(project, include_unsubmitted=True)["articles"] == 2
    assert agreement_counts(project) == {"total": 3, "with_submitted": 0, "with_work": 2}


# ---------------------------------------------------------------- figures through the database


def test_identical_sets_agree_perfectly(project, article, annotator, other_annotator):
    spans = [*ACTORS, ("Claim", "Russia and the Republic of Korea are strategic partners", {"verdict": "true"})]
    annotate(article, annotator, *spans)
    annotate(article, other_annotator, *spans)

    report = agreement_report(project)

    assert report["articles"] == 1
    for key in ("span_f1_exact", "span_f1_overlap", "kappa_token", "alpha_token"):
        assert report["overall"][key] == 1.0
        assert report["pairs"][0][key] == 1.0
        assert report["labels"]["Actor"][key] == 1.0
    assert report["overall"]["verdict_agreement"] == {"pairs": 1, "agreement": 1.0, "kappa": 1.0}
    assert (report["pairs"][0]["a"], report["pairs"][0]["b"]) == ("ann", "ann2")


def test_disjoint_sets_have_zero_f1(project, article, annotator, other_annotator):
    annotate(article, annotator, ("Actor", "Jong Ui Young"))
    annotate(article, other_annotator, ("Actor", "Sergei Lavrov"))

    report = agreement_report(project)

    assert report["overall"]["span_f1_exact"] == 0.0
    assert report["overall"]["span_f1_overlap"] == 0.0
    assert report["labels"]["Actor"]["span_f1_exact"] == 0.0
    assert report["overall"]["kappa_token"] < 0  # each marked what the other left out


def test_partial_overlap_and_verdict_disagreement(project, article, annotator, other_annotator):
    claim = "Russia and the Republic of Korea are strategic partners"
    annotate(article, annotator, ("Actor", "Sergei Lavrov"), ("Claim", claim, {"verdict": "true"}))
    annotate(article, other_annotator, ("Actor", "Lavrov"), ("Claim", claim, {"verdict": "false"}))

    report = agreement_report(project)

    # Actor: no exact match, but the spans overlap; Claim matches exactly.
    assert report["labels"]["Actor"]["span_f1_exact"] == 0.0
    assert report["labels"]["Actor"]["span_f1_overlap"] == 1.0
    assert report["labels"]["Claim"]["span_f1_exact"] == 1.0
    assert report["overall"]["span_f1_exact"] == 0.5  # 1 of 2 spans each: 2*1 / (2*1 + 1 + 1)
    assert report["overall"]["verdict_agreement"]["pairs"] == 1
    assert report["overall"]["verdict_agreement"]["agreement"] == 0.0


def test_label_filter_and_schema_order(project, article, annotator, other_annotator):
    annotate(article, annotator, ("Actor", "Sergei Lavrov"), ("Cue", "said"))
    annotate(article, other_annotator, ("Actor", "Sergei Lavrov"))

    assert list(agreement_report(project)["labels"]) == ["Claim", "Actor", "Quote", "Cue"]
    only_actors = agreement_report(project, labels=["Actor"])
    assert list(only_actors["labels"]) == ["Actor"]
    assert only_actors["overall"]["span_f1_exact"] == 1.0  # the Cue is ignored


def test_public_report_has_the_documented_keys(project, article, annotator, other_annotator):
    annotate(article, annotator, *ACTORS)
    annotate(article, other_annotator, *ACTORS)
    report = public_report(agreement_report(project))
    metrics = {"span_f1_exact", "span_f1_overlap", "kappa_token", "alpha_token"}
    assert set(report) == {"articles", "overall", "labels", "pairs"}
    assert set(report["overall"]) == metrics | {"verdict_agreement"}
    assert all(set(figures) == metrics for figures in report["labels"].values())
    assert set(report["pairs"][0]) == {"a", "b", "verdict_agreement"} | metrics


def test_agreement_load_costs_the_same_queries_for_1_or_30_articles(project, annotator, other_annotator):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            agreement_report(project)
            agreement_report(project, include_unsubmitted=True)
        return len(captured)

    for n in range(1):
        article = make_article(project, external_id=f"q{n}")
        annotate(article, annotator, *ACTORS)
        annotate(article, other_annotator, *ACTORS)
    few = queries()
    for n in range(1, 30):
        article = make_article(project, external_id=f"q{n}")
        annotate(article, annotator, *ACTORS)
        annotate(article, other_annotator, *ACTORS)
    assert agreement_report(project)["articles"] == 30
    assert queries() == few


# ---------------------------------------------------------------- progress


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
