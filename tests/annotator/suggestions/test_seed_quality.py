"""The suggestion targets on the seed article (issue #12), with a knowledge base of only the four
principal names and no aliases: every direct quote found with its exact boundaries, speakers right
for all but at most one, actor recall at least 0.9 (variant spellings included) and precision at least
0.8, measured against the gold of tests/annotator/suggestions/seed.py by the evaluation the Suggestions
page and ``evaluate_suggestions`` show."""

import pytest

from annotator.models import Entity, Label, RelationType, SetStatus, Span
from annotator.suggestions.evaluation import evaluate
from annotator.suggestions.store import suggest_articles
from tests.factories import make_article, make_project, make_relation, make_set

from .seed import PRINCIPALS, gold, seed_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    project = make_project(slug="seed")
    entities = {name: Entity.objects.create(project=project, name=name) for name in PRINCIPALS}
    article = make_article(project, seed_text(), external_id="seed")
    truth = gold(article.text)
    gold_set = make_set(article, None, status=SetStatus.DONE)
    labels = {label.name: label for label in Label.objects.filter(project=project)}

    def span(label, start, end, entity=None):
        return Span.objects.get_or_create(annotation_set=gold_set, label=labels[label], start=start, end=end,
                                          defaults={"text": article.text[start:end], "entity": entity})[0]

    actors = {(start, end): span("Actor", start, end, entities.get(name)) for start, end, name in truth["actors"]}
    for (start, end), cue, speaker in truth["quotes"]:
        quote = span("Quote", start, end)
        make_relation(gold_set, "cue", quote, span("Cue", *cue))
        make_relation(gold_set, "said_by", quote, actors[speaker])
    assert RelationType.objects.filter(project=project).count() >= 2
    return project, article


def _row(table, recommender, label):
    return next(row for row in table["rows"] if row["recommender"] == recommender and row["label"] == label)


def test_seed_article_meets_the_targets(seeded):
    project, article = seeded
    report = suggest_articles(project)
    assert report.articles == 1
    table = evaluate(project, against="gold")
    quotes = _row(table, "all", "Quote")
    assert quotes["reference"] == 6
    assert quotes["recall"] == 1.0  # every direct quote, exact boundaries (marks included)
    assert quotes["precision"] == 1.0  # and no scare quote
    assert table["speakers"]["quotes"] == 6
    assert table["speakers"]["right"] >= 5
    actors = _row(table, "all", "Actor")
    assert actors["recall"] >= 0.9
    assert actors["precision"] >= 0.8
    cues = _row(table, "all", "Cue")
    assert cues["recall"] >= 5 / 6


def test_variant_spellings_link_to_their_entity(seeded):
    project, article = seeded
    suggest_articles(project)
    linked = {s.text: s.entity.name for s in article.suggestions.filter(label__name="Actor", entity__isnull=False)}
    assert linked["Jung Ui Young"] == "Jong Ui Young"
    assert linked["Kim In Chul"] == "Kim In Chol"
    assert linked["Moon Jae In"] == "Moon Jae-in"
    assert linked["Moon"] == "Moon Jae-in"
    assert linked["the South Korean minister"] == "Jong Ui Young"
    assert linked["the diplomat"] == "Kim In Chol"
