"""Streamed exports (:mod:`annotator.datasets.export`): the records' shape, set scopes and filters, a
constant number of queries per chunk, and round trips through every readable format."""

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.datasets import export_bytes, export_records
from annotator.errors import ServiceError
from annotator.models import Entity, SetStatus, Span
from tests import factories as db
from tests.annotator.datasets.helpers import TEXT, exported, run_import
from tests.annotator.formats.samples import relation_view, span_view

pytestmark = pytest.mark.django_db


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
    monkeypatch.setattr("annotator.datasets.export.CHUNK", 3)
    for number in range(7):
        add_annotated_article(project, annotator, number)
    with CaptureQueriesContext(connection) as queries:
        ids = [r["id"] for r in export_records(project, user=None)]
    assert ids == [f"q{n}" for n in range(7)]
    assert len(queries) == 2 + 5 * 3  # three chunks of five queries


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
    run_import(copy, data, fmt, name=f"export.{fmt}", default_annotator="ann")  # one layer: name its annotator

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
