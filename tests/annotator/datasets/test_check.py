"""The checking pass (:mod:`annotator.datasets.check`): every bad record listed with its place and
nothing saved; ids, texts already in the project, titles, entities, sets that would be merged."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model

from annotator.datasets import ImportRefused
from annotator.formats.common import make_entity, make_relation, make_span
from annotator.models import AnnotationSet, Entity, Label, Span
from articles.models import Article
from tests import factories as db
from tests.annotator.datasets.helpers import TEXT, lines, run_import, simple_record, span

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_every_bad_record_is_listed_with_file_and_line_and_nothing_is_saved(project):
    good = simple_record("good")
    mismatch = simple_record("mismatch", spans=[make_span(id=1, label="Actor", start=0, end=6, text="Lavrov")])
    out_of_range = simple_record("range", spans=[make_span(id=1, label="Actor", start=70, end=99, text="x")])
    inverted = simple_record("inverted", spans=[make_span(id=1, label="Actor", start=5, end=2, text="")])
    dangling = simple_record("dangling", relations=[make_relation("said_by", 1, 7)])
    data = lines(good, mismatch) + b"{not json\n" + lines(out_of_range, inverted, dangling)
    before = (Article.objects.count(), User.objects.count(), Span.objects.count())

    with pytest.raises(ImportRefused) as refused:
        run_import(project, data)

    errors = refused.value.errors
    assert errors[0] == ("corpus.jsonl, line 2: span 1: text does not match: expected 'Sergei' at 0–6, "
                         "file has 'Lavrov'")
    assert errors[1].startswith("corpus.jsonl, line 3: not valid JSON")
    assert errors[2] == ("corpus.jsonl, line 4: span 1: out of range: 70–99 but the text has "
                         f"{len(TEXT)} characters")
    assert errors[3] == "corpus.jsonl, line 5: span 1: inverted or empty: start 5, end 2"
    assert errors[4] == "corpus.jsonl, line 6: relation said_by 1→7: unknown target span 7"
    assert len(errors) == 5
    assert (Article.objects.count(), User.objects.count(), Span.objects.count()) == before


def test_lists_and_objects_where_ids_or_values_belong_are_reported_not_crashed_on(project):
    lavrov = span("Sergei Lavrov", "Actor", id=1)
    records = [
        simple_record("list-id", spans=[span("Sergei Lavrov", "Actor", id=[1])]),
        simple_record("object-id", spans=[span("Sergei Lavrov", "Actor", id={"n": 1})]),
        simple_record("list-entity", spans=[span("Sergei Lavrov", "Actor", id=1, entity=[1])]),
        simple_record("list-end", spans=[lavrov, span("said", "Cue", id=2)],
                      relations=[{"type": "cue", "source": [1], "target": 2}]),
        simple_record("list-value", spans=[span("Sergei Lavrov", "Actor", id=1, attributes={"kind": ["person"]})]),
        simple_record("new-label", spans=[span("Seoul", "Place", id=1, attributes={"tags": {"a": 1}})]),
    ]
    before = (Article.objects.count(), Span.objects.count(), Label.objects.count())
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(*records), add_labels=True)
    assert refused.value.errors == [
        "corpus.jsonl, line 1: span [1]: id must be an integer",
        "corpus.jsonl, line 2: span {'n': 1}: id must be an integer",
        "corpus.jsonl, line 3: span 1: entity must be an entity id, not a list or an object",
        "corpus.jsonl, line 4: relation cue [1]→2: source must be a span id, not a list or an object",
        "corpus.jsonl, line 5: span 1: “['person']” is not a kind of Actor; choose one of person, organisation, "
        "state, other.",
        "corpus.jsonl, line 6: span 1: attribute 'tags' holds a list or an object; an attribute holds a text, "
        "a number or yes/no",
    ]
    assert (Article.objects.count(), Span.objects.count(), Label.objects.count()) == before


def test_entity_ids_that_are_lists_or_objects_are_reported_not_crashed_on(project):
    record = simple_record("list-entity-id", spans=[span("Sergei Lavrov", "Actor", id=1)])
    record["entities"] = [make_entity(id=[5], name="Sergei Lavrov"), make_entity(id={"n": 6}, name="Kim In Chol")]
    before = (Article.objects.count(), Entity.objects.count())
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record))
    assert refused.value.errors == [
        "corpus.jsonl, line 1: entity '[5]': id must be a number or a text, not a list or an object",
        "corpus.jsonl, line 1: entity '{'n': 6}': id must be a number or a text, not a list or an object",
    ]
    assert (Article.objects.count(), Entity.objects.count()) == before


def test_a_wikidata_id_longer_than_the_column_is_reported_not_left_to_the_database(project):
    record = simple_record("long-q", spans=[span("Sergei Lavrov", "Actor", id=1, entity=1)])
    record["entities"] = [make_entity(id=1, name="Sergei Lavrov", wikidata="Q" + "1" * 20)]
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record))
    assert refused.value.errors == [
        "corpus.jsonl, line 1: entity 1: 'Q11111111111111111111' is not a Wikidata id (like Q42)"]
    assert not Entity.objects.filter(project=project).exists()


def test_an_entity_repeated_across_records_is_created_once_with_every_alias(project):
    def record(record_id, text, aliases, kind="person"):
        found = span("Sergei Lavrov", "Actor", id=1, text=text, entity=9)
        data = simple_record(record_id, spans=[found], text=text)
        data["entities"] = [make_entity(id=9, name="Sergei Lavrov", kind=kind, aliases=aliases)]
        return data

    texts = [f"{n}: Sergei Lavrov said so." for n in range(5)]
    report = run_import(project, lines(record("r0", texts[0], ["Lavrov"]), record("r1", texts[1], ["Lavrov"]),
                                       record("r2", texts[2], ["Lavrov", "S. Lavrov"]),
                                       record("r3", texts[3], ["Lavrov"]), record("r4", texts[4], ["Lavrov"])))
    (lavrov,) = Entity.objects.filter(project=project)
    assert (lavrov.name, lavrov.aliases, report.entities_created) == ("Sergei Lavrov", ["Lavrov", "S. Lavrov"], 1)
    assert Span.objects.filter(entity=lavrov).count() == 5

    with pytest.raises(ImportRefused) as refused:  # the same entity again, now with a kind that does not exist
        run_import(db.make_project(), lines(record("r0", texts[0], ["Lavrov"]),
                                            record("r1", texts[1], ["Lavrov"], kind="planet")))
    assert refused.value.errors == [
        "corpus.jsonl, line 2: entity 9: kind 'planet' is not one of person, organisation, state, other"]


def test_same_id_with_another_text_is_an_error_and_same_text_under_another_id_is_skipped(project):
    db.make_article(project, TEXT, external_id="r1")
    db.make_article(project, "Another article entirely.", external_id="other")
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(simple_record("other")))
    assert refused.value.errors == ["corpus.jsonl, line 1: article 'other' is already in the project with a "
                                    "different text; give this record another id, or leave the article out"]

    report = run_import(project, lines(simple_record("copy"), simple_record("new", text=TEXT + " More."),
                                       simple_record("new-twin", text=TEXT + " More.")))
    assert report.skipped == ["line 1: same text as article 'r1', skipped with its 1 annotation set",
                              "line 3: same text as article 'new', skipped with its 1 annotation set"]
    assert sorted(Article.objects.filter(project=project).values_list("external_id", flat=True)) == [
        "new", "other", "r1"]


def test_a_set_that_already_has_spans_is_never_merged(project, annotator):
    article = db.make_article(project, TEXT, external_id="r1")
    db.make_span(db.make_set(article, annotator), "Actor", "Seoul")
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(simple_record("r1", annotator="ann")))
    assert refused.value.errors == [
        "corpus.jsonl, line 1: A set of 'ann' already exists on article 'r1' with 1 span; sets are not merged: "
        "delete it first, or import these annotations under another annotator name"]
    assert Span.objects.filter(annotation_set__article=article).count() == 1


def test_titles_are_cut_to_300_characters_and_normalised(project):
    decomposed = "Cafe\u0301 talks"
    records = [simple_record(f"r{n}", spans=[], text=f"Text {n}.") for n in (1, 2, 3)]
    records[0]["title"] = "x" * 300
    records[1]["title"] = "y" * 301
    records[2]["title"] = decomposed
    run_import(project, lines(*records))
    titles = dict(Article.objects.filter(project=project).values_list("external_id", "title"))
    assert titles["r1"] == "x" * 300
    assert titles["r2"] == "y" * 299 + "…"
    assert titles["r3"] == "Caf\u00e9 talks"


def test_csv_articles_without_ids_get_one_from_their_text(project):
    data = b'title,text,published\nTalks,"Seoul and Moscow talk.",2021-10-28\n,Second text.,\n'
    calls = []
    report = run_import(project, data, "csv", name="articles.csv", progress=lambda done, total: calls.append(
        (done, total)))
    first, second = Article.objects.filter(project=project).order_by("pk")
    assert re.fullmatch(r"text-[0-9a-f]{12}", first.external_id) and first.external_id != second.external_id
    assert (first.title, first.published) == ("Talks", dt.date(2021, 10, 28))
    assert second.title == "Second text"  # made from the first sentence, as for plain text
    assert report.articles_created == 2 and calls == [(2, 2)]
    assert not AnnotationSet.objects.filter(article__project=project).exists()


def test_an_empty_file_is_refused(project):
    with pytest.raises(ImportRefused) as refused:
        run_import(project, b"\n\n")
    assert refused.value.errors == ["corpus.jsonl, file: no records found"]
