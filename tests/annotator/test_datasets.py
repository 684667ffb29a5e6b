"""Dataset import and export services: all-or-nothing imports, offsets through
normalisation, schema and knowledge-base matching, streamed exports and round trips."""

import datetime as dt
import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from annotator.datasets import ImportRefused, export_bytes, export_records, import_records
from annotator.errors import ServiceError
from annotator.formats import READABLE
from annotator.formats.common import make_entity, make_record, make_relation, make_set, make_span
from annotator.models import AnnotationSet, Entity, Event, Label, Relation, RelationType, SetStatus, Span
from articles.models import Article
from articles.text import normalise
from tests import factories as db
from tests.formats.samples import relation_view, seed_record, span_view, texts

pytestmark = pytest.mark.django_db

User = get_user_model()
TEXT = "Sergei Lavrov said Seoul is a partner. Kim In Chol criticized the United States."


def span(needle, label, *, id, text=TEXT, occurrence=0, **fields):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return make_span(id=id, label=label, start=start, end=start + len(needle), text=needle, **fields)


def lines(*records) -> bytes:
    return b"".join(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n" for record in records)


def run_import(project, data: bytes, fmt="jsonl", *, user=None, name="corpus.jsonl", **options):
    return import_records(project, READABLE[fmt].read(io.BytesIO(data)), user=user, source_name=name, **options)


def exported(project, **filters) -> list[dict]:
    return list(export_records(project, user=None, **filters))


def simple_record(record_id="r1", *, annotator="ann", spans=None, relations=None, text=TEXT, meta=None):
    spans = spans if spans is not None else [span("Sergei Lavrov", "Actor", id=1), span("said", "Cue", id=2)]
    return make_record(id=record_id, text=text, title="Talks", meta=meta,
                       annotations=[make_set(annotator=annotator, spans=spans, relations=relations or [])])


# --------------------------------------------------------------------------- import


def test_import_saves_articles_sets_spans_relations_entities_and_events(project, manager):
    record = seed_record()
    report = run_import(project, lines(record), user=manager, name="seed.jsonl")

    article = Article.objects.get(project=project, external_id="seed-000")
    assert (article.title, article.source, article.published, article.url) == (
        "Seoul counts on Moscow", "Kommersant", dt.date(2021, 10, 28), "https://example.org/korea")
    annotation_set = AnnotationSet.objects.get(article=article)
    assert annotation_set.user.username == "annotator1" and annotation_set.status == SetStatus.SUBMITTED
    spans = {s.text: s for s in Span.objects.filter(annotation_set=annotation_set).select_related("label", "entity")}
    assert sorted((s.label.name, s.start, s.end) for s in spans.values()) == sorted(
        (s["label"], s["start"], s["end"]) for s in record["annotations"][0]["spans"])
    assert spans["Sergei Lavrov"].entity.wikidata_id == "Q1234"
    assert spans["Kim In Chul"].entity == spans["Kim In Chol"].entity
    assert spans["Kim In Chul"].note == "Same person as Kim In Chol."
    claim = next(s for s in spans.values() if s.label.name == "Claim")
    assert claim.attributes == {"verdict": "mostly-true", "checkworthy": True}
    assert sorted(Relation.objects.filter(annotation_set=annotation_set).values_list("type__name", flat=True)) == [
        "claimed_by", "cue", "said_by"]
    assert set(Entity.objects.filter(project=project).values_list("name", flat=True)) == {"Sergei Lavrov",
                                                                                       "Kim In Chol"}
    events = Event.objects.filter(project=project, action=Event.Action.IMPORT)
    assert sorted(events.values_list("object_type", flat=True)) == ["annotationset", "article"]
    assert all(event.user == manager and event.data["source"] == "seed.jsonl" for event in events)
    assert (report.articles_created, report.sets, report.spans, report.relations) == (1, 1, 6, 3)


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


def test_meta_nested_hundreds_of_levels_deep_is_checked_without_recursing(project):
    deep = json.loads("[" * 600 + '"ok"' + "]" * 600)
    unstorable = json.loads("[" * 600 + '"\\u0000"' + "]" * 600)
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(simple_record("nul", meta={"x": unstorable})))
    assert refused.value.errors == [
        "corpus.jsonl, line 1: meta contains a character that cannot be stored (NUL, or half of a UTF-16 "
        "surrogate pair); remove it"]
    assert not Article.objects.filter(project=project).exists()

    run_import(project, lines(simple_record("deep", meta={"x": deep})))
    assert Article.objects.get(project=project, external_id="deep").meta == {"x": deep}


def test_nan_and_infinity_in_meta_are_reported_not_left_to_the_database(project):
    data = (b'{"id": "nan", "text": "Seoul hopes.", "meta": {"score": NaN}}\n'
            b'{"id": "inf", "text": "Moscow hopes.", "meta": {"scores": [1, 1e400]}}\n')
    with pytest.raises(ImportRefused) as refused:
        run_import(project, data)
    assert refused.value.errors == [
        "corpus.jsonl, line 1: meta holds NaN or Infinity, which JSON cannot store; write it as a text",
        "corpus.jsonl, line 2: meta holds NaN or Infinity, which JSON cannot store; write it as a text",
    ]
    assert not Article.objects.filter(project=project).exists()


def test_a_wikidata_id_longer_than_the_column_is_reported_not_left_to_the_database(project):
    record = simple_record("long-q", spans=[span("Sergei Lavrov", "Actor", id=1, entity=1)])
    record["entities"] = [make_entity(id=1, name="Sergei Lavrov", wikidata="Q" + "1" * 20)]
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record))
    assert refused.value.errors == [
        "corpus.jsonl, line 1: entity 1: 'Q11111111111111111111' is not a Wikidata id (like Q42)"]
    assert not Entity.objects.filter(project=project).exists()


def test_labels_and_relation_types_outside_the_schema_are_refused_with_a_list(project):
    record = simple_record(spans=[span("Seoul", "Place", id=1), span("United States", "Place", id=2),
                                  span("criticized", "Stance", id=3), span("Kim In Chol", "Actor", id=4)],
                           relations=[make_relation("located_in", 4, 2)])
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record))
    message = " ".join(refused.value.errors)
    assert "labels not in the project's schema: Place (2 spans, first at line 1), Stance (1 span" in message
    assert "relation types not in the project's schema: located_in (1 relation" in message
    assert "add missing labels" in message
    assert not project.labels.filter(name__in=["Place", "Stance"]).exists()
    assert not Article.objects.filter(project=project).exists()


def test_add_labels_creates_labels_with_fresh_colours_inferred_attributes_and_relation_types(project):
    record = simple_record(spans=[span("Seoul", "Place", id=1, attributes={"scale": "city", "capital": True}),
                                  span("United States", "Place", id=2, attributes={"scale": "country"}),
                                  span("Kim In Chol", "Actor", id=3)],
                           relations=[make_relation("located_in", 3, 2)])
    colours_before = set(project.labels.values_list("colour", flat=True))

    report = run_import(project, lines(record), add_labels=True)

    place = project.labels.get(name="Place")
    assert place.key == "" and place.colour not in colours_before
    assert place.attributes == [{"name": "scale", "type": "choice", "choices": ["city", "country"]},
                                {"name": "capital", "type": "bool"}]
    located_in = RelationType.objects.get(project=project, name="located_in")
    assert (located_in.source_label.name, located_in.target_label.name) == ("Actor", "Place")
    assert report.labels_created == ["Place"] and report.relation_types_created == ["located_in"]
    assert Span.objects.filter(label=place, attributes={"scale": "city", "capital": True}).exists()


def test_a_relation_type_must_fit_its_labels(project):
    record = simple_record(spans=[span("Sergei Lavrov", "Actor", id=1), span("Seoul is a partner", "Claim", id=2)],
                           relations=[make_relation("said_by", 2, 1)])
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record))
    assert refused.value.errors == ["corpus.jsonl, line 1: relation said_by 2→1: said_by links Quote to Actor "
                                    "spans, not Claim to Actor"]


def test_attribute_values_are_checked_against_the_label(project):
    record = simple_record(spans=[span("Seoul is a partner", "Claim", id=1, attributes={"verdict": "maybe"}),
                                  span("Sergei Lavrov", "Actor", id=2, attributes={"mood": "calm"})])
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record))
    errors = refused.value.errors
    assert errors[0].startswith("corpus.jsonl, line 1: span 1: “maybe” is not a verdict of Claim; choose one of true,")
    assert errors[1] == "corpus.jsonl, line 1: span 2: Actor has no attribute “mood”."


def test_unknown_annotators_become_inactive_users_who_cannot_log_in(project, annotator):
    record = make_record(id="r1", text=TEXT, annotations=[
        make_set(annotator="ann", spans=[span("Seoul", "Actor", id=1)]),
        make_set(annotator="newcomer", spans=[span("Seoul", "Actor", id=1)])])
    report = run_import(project, lines(record))

    newcomer = User.objects.get(username="newcomer")
    assert not newcomer.is_active and not newcomer.has_usable_password()
    assert AnnotationSet.objects.filter(user=annotator, article__project=project).count() == 1
    assert report.users_created == ["newcomer"]
    assert any("newcomer" in note and "ann," not in note for note in report.notes)


def test_sets_without_an_annotator_go_to_the_default_name(project):
    record = simple_record(annotator=None)
    run_import(project, lines(record), default_annotator="desk-import")
    assert AnnotationSet.objects.get(article__project=project).user.username == "desk-import"


def test_gold_sets_become_the_gold_set_and_are_done(project):
    record = make_record(id="r1", text=TEXT, annotations=[
        make_set(annotator="ann", spans=[span("Seoul", "Actor", id=1)]),
        make_set(annotator=None, gold=True, status="submitted", spans=[span("Seoul", "Actor", id=1)])])
    run_import(project, lines(record))
    gold = AnnotationSet.objects.get(article__project=project, is_gold=True)
    assert gold.user is None and gold.status == SetStatus.DONE and gold.spans.count() == 1


def test_label_studio_predictions_become_a_set_of_their_own(project, annotator):
    text = "Sergei Lavrov met Jong Ui Young in Moscow."

    def region(region_id, needle, label):
        start = text.index(needle)
        return {"id": region_id, "type": "labels", "from_name": "label", "to_name": "text",
                "value": {"start": start, "end": start + len(needle), "text": needle, "labels": [label]}}

    tasks = [{"id": 7, "data": {"text": text},
              "annotations": [{"id": 1, "created_username": "ann, 4",
                               "result": [region("a", "Sergei Lavrov", "Actor")]}],
              "predictions": [{"id": 2, "model_version": "ner", "result": [region("p", "Jong Ui Young", "Actor"),
                                                                             region("q", "Moscow", "Actor")]}]}]
    run_import(project, json.dumps(tasks).encode(), "labelstudio", name="tasks.json")

    sets = {s.user.username: s for s in AnnotationSet.objects.filter(article__project=project)}
    assert set(sets) == {"ann", "predictions"}
    assert sorted(sets["predictions"].spans.values_list("text", flat=True)) == ["Jong Ui Young", "Moscow"]
    assert list(sets["ann"].spans.values_list("text", flat=True)) == ["Sergei Lavrov"]


def test_offsets_are_mapped_through_line_endings_and_nfc(project):
    raw = "Line one\r\nCafe\u0301 owner Lavrov said\r\nmore 🚀 text"
    cafe = raw.index("Cafe")
    lavrov = raw.index("Lavrov")
    rocket = raw.index("🚀")
    spans = [make_span(id=1, label="Actor", start=cafe, end=cafe + 5, text="Cafe\u0301"),
             make_span(id=2, label="Actor", start=lavrov, end=lavrov + 6, text="Lavrov"),
             make_span(id=3, label="Quote", start=0, end=rocket + 1, text=raw[:rocket + 1])]
    run_import(project, lines(simple_record(text=raw, spans=spans)))

    article = Article.objects.get(project=project)
    assert article.text == "Line one\nCafé owner Lavrov said\nmore 🚀 text"
    stored = {s.label.name + s.text[:4]: s for s in Span.objects.filter(annotation_set__article=article)}
    for s in stored.values():
        assert article.text[s.start:s.end] == s.text
    assert (stored["ActorCafé"].start, stored["ActorCafé"].end) == (9, 13)
    assert stored["ActorLavr"].start == article.text.index("Lavrov")
    assert stored["QuoteLine"].text == "Line one\nCafé owner Lavrov said\nmore 🚀"


def test_a_span_that_normalisation_cannot_keep_is_reported(project):
    raw = "Cafe\u0301 au lait\r\n"
    accent = raw.index("\u0301")
    record = simple_record(text=raw, spans=[make_span(id=1, label="Actor", start=accent, end=accent + 1,
                                                      text="\u0301")])
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record))
    (error,) = refused.value.errors
    assert error.startswith("corpus.jsonl, line 1: span 1: text does not match")
    assert error.endswith("(offsets counted after normalising the text: line endings to \\n, Unicode to NFC)")


def test_existing_article_with_the_same_id_and_text_receives_the_sets(project, annotator):
    article = db.make_article(project, TEXT, external_id="r1")
    empty = db.make_set(article, annotator)  # opened in the workspace, never annotated
    report = run_import(project, lines(simple_record("r1", annotator="ann")))
    assert Article.objects.filter(project=project).count() == 1
    assert AnnotationSet.objects.get(article=article, user=annotator).pk == empty.pk
    assert empty.spans.count() == 2
    assert (report.articles_created, report.articles_annotated) == (0, 1)


def test_a_set_that_already_has_spans_is_never_merged(project, annotator):
    article = db.make_article(project, TEXT, external_id="r1")
    db.make_span(db.make_set(article, annotator), "Actor", "Seoul")
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(simple_record("r1", annotator="ann")))
    assert refused.value.errors == [
        "corpus.jsonl, line 1: A set of 'ann' already exists on article 'r1' with 1 span; sets are not merged: "
        "delete it first, or import these annotations under another annotator name"]
    assert Span.objects.filter(annotation_set__article=article).count() == 1


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


def test_entities_are_matched_by_name_and_their_aliases_merged(project):
    lavrov = db.make_entity(project, "Sergei Lavrov", aliases=["Lavrov"])
    record = simple_record(spans=[span("Sergei Lavrov", "Actor", id=1, entity=5),
                                  span("Kim In Chol", "Actor", id=2, entity=6)])
    record["entities"] = [make_entity(id=5, name="Sergei Lavrov", kind="person", aliases=["S. Lavrov", "Lavrov"],
                                      wikidata="Q1234"),
                          make_entity(id=6, name="Kim  In Chol", kind="person")]
    report = run_import(project, lines(record))

    lavrov.refresh_from_db()
    assert (lavrov.aliases, lavrov.wikidata_id) == (["Lavrov", "S. Lavrov"], "Q1234")
    assert Span.objects.get(text="Sergei Lavrov").entity == lavrov
    assert Span.objects.get(text="Kim In Chol").entity.name == "Kim In Chol"
    assert report.entities_created == 1


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


def test_overlapping_spans_are_refused_when_the_project_forbids_them(project):
    project.allow_overlap = False
    project.save()
    record = simple_record(spans=[span("Sergei Lavrov", "Actor", id=1), span("Lavrov said", "Quote", id=2)])
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record))
    assert refused.value.errors == ["corpus.jsonl, line 1: span 2 overlaps span 1; this project does not allow "
                                    "overlapping spans"]


def test_meta_fields_are_checked(project):
    record = simple_record(meta={"published": "28/10/2021", "url": "javascript:alert(1)", "desk": "Asia"})
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record))
    assert refused.value.errors == [
        "corpus.jsonl, line 1: meta published '28/10/2021' is not a date (use YYYY-MM-DD)",
        "corpus.jsonl, line 1: meta url 'javascript:alert(1)' is not an http(s) address"]


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


def test_characters_no_database_stores_are_refused_with_a_clear_message(project):
    text = "Sergei\x00 Lavrov said so."
    record = simple_record(text=text, spans=[span("said", "Cue", id=1, note="a\x00b", text=text)])
    # JSON may carry half of a surrogate pair: json.loads accepts it, no database can store it.
    lone = b'{"id": "s", "title": "Talks \\ud83d", "text": "Seoul \\udc00 spoke."}\n'
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record) + lone)
    unstorable = "contains a character that cannot be stored (NUL, or half of a UTF-16 surrogate pair); remove it"
    assert refused.value.errors == [
        f"corpus.jsonl, line 1: text {unstorable} (character 6)",
        f"corpus.jsonl, line 1: span 1: note {unstorable}",
        f"corpus.jsonl, line 2: text {unstorable} (character 6)",
        f"corpus.jsonl, line 2: title {unstorable}"]


def test_an_empty_file_is_refused(project):
    with pytest.raises(ImportRefused) as refused:
        run_import(project, b"\n\n")
    assert refused.value.errors == ["corpus.jsonl, file: no records found"]


# --------------------------------------------------------------------------- export


@pytest.fixture
def annotated(project, annotator, other_annotator):
    """Two articles: one with two annotators' sets and a gold set, one with no annotation."""
    article = db.make_article(project, TEXT, external_id="a1", title="Talks", source="Wire", author="K. Lee",
                           url="https://example.org/a1", published=dt.date(2021, 10, 28), language="en",
                           meta={"desk": "Asia"})
    db.make_article(project, "A quiet day in Seoul.", external_id="a2", title="Quiet")
    lavrov = db.make_entity(project, "Sergei Lavrov", aliases=["Lavrov"], wikidata_id="Q1234")
    mine = db.make_set(article, annotator, status=SetStatus.SUBMITTED)
    actor = db.make_span(mine, "Actor", "Sergei Lavrov", entity=lavrov, attributes={"kind": "person"})
    quote = db.make_span(mine, "Quote", "Seoul is a partner", attributes={"type": "indirect"}, note="paraphrase")
    cue = db.make_span(mine, "Cue", "said")
    db.make_relation(mine, "said_by", quote, actor)
    db.make_relation(mine, "cue", quote, cue)
    theirs = db.make_set(article, other_annotator)
    db.make_span(theirs, "Claim", "Kim In Chol criticized the United States",
                 attributes={"verdict": "half-true", "checkworthy": True})
    gold = db.make_set(article, None, status=SetStatus.DONE)
    db.make_span(gold, "Actor", "Kim In Chol")
    return article


def test_export_records_have_the_documented_shape(project, annotated):
    first, second = exported(project)
    assert list(first) == ["id", "title", "text", "meta", "annotations", "entities"]
    assert (first["id"], first["title"], first["text"]) == ("a1", "Talks", TEXT)
    assert first["meta"] == {"source": "Wire", "url": "https://example.org/a1", "published": "2021-10-28",
                             "author": "K. Lee", "language": "en", "desk": "Asia"}
    assert [(s["annotator"], s["gold"], s["status"]) for s in first["annotations"]] == [
        (None, True, "done"), ("ann", False, "submitted"), ("ann2", False, "new")]
    mine = first["annotations"][1]
    assert [s["label"] for s in mine["spans"]] == ["Actor", "Cue", "Quote"]  # text order
    actor, cue, quote = mine["spans"]
    assert list(actor) == ["id", "label", "start", "end", "text", "attributes", "entity", "note"]
    assert mine["relations"] == [{"type": "said_by", "source": quote["id"], "target": actor["id"]},
                                 {"type": "cue", "source": quote["id"], "target": cue["id"]}]
    assert first["entities"] == [{"id": actor["entity"], "name": "Sergei Lavrov", "kind": "person",
                                  "aliases": ["Lavrov"], "wikidata": "Q1234"}]
    assert (second["id"], second["annotations"], second["entities"]) == ("a2", [], [])


def test_export_filters_sets_labels_and_articles(project, annotated):
    (gold_only,) = exported(project, sets="gold")
    assert [s["gold"] for s in gold_only["annotations"]] == [True]
    (submitted,) = exported(project, sets="submitted")
    assert [s["annotator"] for s in submitted["annotations"]] == ["ann"]
    (theirs,) = exported(project, sets="ann2")
    assert [s["annotator"] for s in theirs["annotations"]] == ["ann2"]

    first, _ = exported(project, labels=["Quote", "Actor"])
    mine = first["annotations"][1]
    assert [s["label"] for s in mine["spans"]] == ["Actor", "Quote"]
    assert [r["type"] for r in mine["relations"]] == ["said_by"]  # the cue relation lost its target

    assert [r["id"] for r in exported(project, search="quiet")] == ["a2"]
    assert [r["id"] for r in exported(project, status="unannotated")] == ["a2"]
    assert [r["id"] for r in exported(project, status="gold")] == ["a1"]


def test_annotators_export_only_their_own_sets(project, annotated, annotator, reviewer):
    records = list(export_records(project, user=annotator))
    assert [[s["annotator"] for s in r["annotations"]] for r in records] == [["ann"], []]
    with pytest.raises(ServiceError, match="only their own annotation sets"):
        export_records(project, user=annotator, sets="gold")
    with pytest.raises(ServiceError, match="only their own annotation sets"):
        export_records(project, user=annotator, sets="ann2")
    first, _ = export_records(project, user=reviewer)
    assert len(first["annotations"]) == 3


def add_annotated_article(project, annotator, number):
    article = db.make_article(project, f"Report {number}: Sergei Lavrov said Seoul is a partner.",
                           external_id=f"q{number}")
    annotation_set = db.make_set(article, annotator)
    entity = Entity.objects.get_or_create(project=project, name="Sergei Lavrov")[0]
    actor = db.make_span(annotation_set, "Actor", "Sergei Lavrov", entity=entity)
    quote = db.make_span(annotation_set, "Quote", "Seoul is a partner")
    db.make_relation(annotation_set, "said_by", quote, actor)


def count_export_queries(project) -> int:
    with CaptureQueriesContext(connection) as queries:
        records = list(export_records(project, user=None))
    assert all(r["annotations"][0]["relations"] and r["entities"] for r in records)
    return len(queries)


def test_export_costs_the_same_queries_for_1_or_50_articles(annotator):
    one, fifty = db.make_project(), db.make_project()
    add_annotated_article(one, annotator, 0)
    for number in range(50):
        add_annotated_article(fifty, annotator, number)
    assert count_export_queries(one) == count_export_queries(fifty) == 7  # labels, types; 5 for the chunk


def test_export_streams_chunk_by_chunk(project, annotator, monkeypatch):
    monkeypatch.setattr("annotator.datasets.CHUNK", 3)
    for number in range(7):
        add_annotated_article(project, annotator, number)
    with CaptureQueriesContext(connection) as queries:
        ids = [r["id"] for r in export_records(project, user=None)]
    assert ids == [f"q{n}" for n in range(7)]
    assert len(queries) == 2 + 5 * 3  # three chunks of five queries


def test_jsonl_export_writes_stored_values_as_the_jsonl_writer_does(project, annotator):
    """Floats in any notation, integers past 64 bits, escapes and non-ASCII text: the export's
    own encoder gives the bytes formats.jsonl writes for the same records."""
    values = [1e16, 1e-07, 0.1, -2.5, 1.0, 10**30, 2**64, -(2**63), "x\u2028y", "\x01\x7f\"\\", "é😀", True, None,
              [1.5, {"k": 2e-05}], {"ñ": 3}]
    article = db.make_article(project, TEXT, external_id="n1", meta={f"k{n}": v for n, v in enumerate(values)})
    plain = db.make_article(project, "A quiet day in Seoul.", external_id="n2", meta={"weight": 0.25})
    lavrov = db.make_entity(project, "Sergei Lavrov", aliases=["Lavrov", "С. Лавров"])
    mine = db.make_set(article, annotator)
    db.make_span(mine, "Actor", "Sergei Lavrov", entity=lavrov, attributes={"kind": "person", "score": 1e-07})
    db.make_span(mine, "Cue", "said", attributes={"weight": 10**30}, note="tab\there")
    db.make_span(db.make_set(plain, annotator), "Actor", "Seoul", attributes={"score": 0.5})

    data = b"".join(export_bytes(project, "jsonl", user=None))
    assert data == b"".join(READABLE["jsonl"].write(export_records(project, user=None)))
    assert b'"score":1e-07' in data and b'"weight":1000000000000000000000000000000' in data
    assert data.decode("utf-8").count("\n") == 2


# --------------------------------------------------------------------------- round trips


def normalised_ids(data: bytes) -> list[str]:
    """Each line with span and entity ids renumbered 1, 2, … in order of appearance.

    Database ids are the only thing allowed to differ between two projects: span ``id``,
    relation ``source``/``target``, span ``entity`` and entity ``id``.
    """
    out = []
    for line in data.decode("utf-8").splitlines():
        record = json.loads(line)
        span_ids, entity_ids = {}, {}
        for entity in record["entities"]:
            entity["id"] = entity_ids.setdefault(entity["id"], len(entity_ids) + 1)
        for annotation_set in record["annotations"]:
            for s in annotation_set["spans"]:
                s["id"] = span_ids.setdefault(s["id"], len(span_ids) + 1)
                s["entity"] = entity_ids.get(s["entity"]) if s["entity"] is not None else None
            for r in annotation_set["relations"]:
                r["source"], r["target"] = span_ids[r["source"]], span_ids[r["target"]]
        out.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
    return out


def test_factmark_jsonl_round_trip_is_byte_identical_except_ids(project, annotated):
    first = b"".join(export_bytes(project, "jsonl", user=None))
    copy = db.make_project()
    run_import(copy, first)
    second = b"".join(export_bytes(copy, "jsonl", user=None))

    assert normalised_ids(second) == normalised_ids(first)
    strip = re.compile(rb'"(id|source|target|entity)":\d+')
    assert strip.sub(b"", second) == strip.sub(b"", first)


@pytest.mark.parametrize("fmt", ["doccano", "labelstudio", "brat"])
def test_one_layer_formats_keep_every_span_and_relation(fmt, project, annotated):
    original = exported(project, sets="ann")
    data = b"".join(export_bytes(project, fmt, user=None, sets="ann"))
    copy = db.make_project()
    run_import(copy, data, fmt, name=f"export.{fmt}")

    returned = exported(copy)
    assert len(returned) == len(original) == 1
    assert span_view(returned[0]) == span_view(original[0])
    assert relation_view(returned[0]) == relation_view(original[0])


def test_label_studio_round_trip_keeps_attributes_and_notes(project, annotated):
    data = b"".join(export_bytes(project, "labelstudio", user=None, sets="ann"))
    copy = db.make_project()
    run_import(copy, data, "labelstudio")
    spans = {s.text: s for s in Span.objects.filter(annotation_set__article__project=copy)}
    assert spans["Seoul is a partner"].attributes == {"type": "indirect"}
    assert spans["Seoul is a partner"].note == "paraphrase"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=texts, data=st.data())
def test_import_then_export_gives_back_the_spans_through_normalisation(annotator, raw, data):
    project = db.make_project()
    labels = ["Claim", "Actor", "Quote", "Cue"]
    spans = []
    for span_id in range(1, data.draw(st.integers(0, 6)) + 1):
        start = data.draw(st.integers(0, len(raw) - 1))
        end = data.draw(st.integers(start + 1, len(raw)))
        spans.append(make_span(id=span_id, label=data.draw(st.sampled_from(labels)), start=start, end=end,
                               text=raw[start:end]))
    norm = normalise(raw)
    expected, places, sound = [], set(), "\x00" not in raw  # no database stores NUL
    for s in spans:
        start, end = norm.map(s["start"]), norm.map(s["end"])
        text = norm.text[start:end]
        place = (s["label"], start, end)
        sound &= start < end and normalise(s["text"]).text == text and place not in places
        places.add(place)
        expected.append((s["label"], start, end, text))
    record = make_record(id="p", text=raw, annotations=[make_set(annotator="ann", spans=spans)])

    event("refused" if not sound else "imported")
    if not sound:
        with pytest.raises(ImportRefused):
            import_records(project, [record], user=None)
        assert not Article.objects.filter(project=project).exists()
        return
    import_records(project, [record], user=None)
    (back,) = exported(project)
    assert back["text"] == norm.text
    assert span_view(back) == sorted(expected)
    for s in back["annotations"][0]["spans"]:
        assert back["text"][s["start"]:s["end"]] == s["text"]


def test_labels_are_global_to_the_schema_not_the_file(project):
    """A label of another project is not a label of this one."""
    other = db.make_project()
    Label.objects.create(project=other, name="Rumour")
    with pytest.raises(ImportRefused, match="Rumour"):
        run_import(project, lines(simple_record(spans=[span("Seoul", "Rumour", id=1)])))
