"""`manage.py agreement PROJECT [--json] [--include-unsubmitted] [--labels A,B]`."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import annotate

pytestmark = pytest.mark.django_db

METRICS = {"span_f1_exact", "span_f1_overlap", "kappa_token", "alpha_token"}


def run(*args):
    out = StringIO()
    call_command("agreement", *args, stdout=out)
    return out.getvalue()


def test_json_is_one_object_of_the_documented_shape(two_articles):
    report = json.loads(run("news", "--json"))  # fails on anything but exactly one JSON value

    assert set(report) == {"articles", "overall", "labels", "pairs"}
    assert report["articles"] == 1
    assert set(report["overall"]) == METRICS | {"verdict_agreement"}
    assert set(report["overall"]["verdict_agreement"]) == {"pairs", "agreement", "kappa"}
    assert list(report["labels"]) == ["Claim", "Actor", "Quote", "Cue"]
    assert all(set(figures) == METRICS for figures in report["labels"].values())
    assert [(p["a"], p["b"]) for p in report["pairs"]] == [("ann", "ann2")]
    assert set(report["pairs"][0]) == {"a", "b", "verdict_agreement"} | METRICS
    assert all(report["overall"][key] == 1.0 for key in METRICS)
    assert report["labels"]["Quote"]["span_f1_exact"] is None  # nobody marked a quote


def test_include_unsubmitted_counts_the_open_set(two_articles):
    report = json.loads(run("news", "--json", "--include-unsubmitted"))

    assert report["articles"] == 2
    # The open article's actors are disjoint: 2 of the 4 actor spans match exactly.
    assert report["labels"]["Actor"]["span_f1_exact"] == 0.5
    assert report["labels"]["Claim"]["span_f1_exact"] == 1.0


def test_labels_option_limits_the_report(two_articles):
    report = json.loads(run("news", "--json", "--labels", "Actor, Claim"))
    assert list(report["labels"]) == ["Actor", "Claim"]


def test_readable_table(two_articles):
    out = run("news")

    assert "Newsroom (news): 1 article counted (only articles with at least two submitted sets count)." in out
    assert "exact F1" in out and "token alpha" in out
    lines = out.splitlines()
    actor = next(line for line in lines if line.startswith("Actor "))
    assert actor.split()[1:] == ["1.000", "1.000", "1.000", "1.000"]
    quote = next(line for line in lines if line.startswith("Quote "))
    assert quote.split()[1:3] == ["-", "-"]
    assert any(line.startswith("ann / ann2 ") for line in lines)
    assert "overall: 1 claim pair, agreement 1.000, kappa 1.000" in out


def test_readable_table_with_nothing_to_compare(project, article, annotator):
    annotate(article, annotator, ("Actor", "Sergei Lavrov"))
    out = run("news")
    assert "0 articles counted" in out
    assert "Nothing to compare yet" in out


def test_unknown_project_and_label_are_refused(project):
    with pytest.raises(CommandError, match="No project with the slug “nope”"):
        run("nope")
    with pytest.raises(CommandError, match=r"Unknown label\(s\) Speaker; the project's labels are: Claim, Actor"):
        run("news", "--labels", "Actor,Speaker")
