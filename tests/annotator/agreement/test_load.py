"""annotator.agreement.load: which sets count for agreement, and the figures through
the database, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.agreement.cache import agreement_counts
from annotator.agreement.load import agreement_articles, agreement_report
from annotator.models import SetStatus
from tests.factories import SEED_TEXT, annotate, make_article, make_set

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

