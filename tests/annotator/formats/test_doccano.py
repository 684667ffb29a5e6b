import io
import json

import pytest
from hypothesis import HealthCheck, given, settings

from annotator.formats import doccano
from annotator.formats.common import FormatError, check_record

from .samples import read_all as read_all_checked
from .samples import records, relation_view, seed_record, span_view

# What doccano 1.x exports for a sequence-labelling project with relations: metadata
# columns are flattened into the line, entity ids are database ids.
EXPORT = (
    '{"id": 1287, "text": "Sergei Lavrov met Jong Ui Young in Moscow.", '
    '"entities": [{"id": 3391, "label": "Actor", "start_offset": 0, "end_offset": 13}, '
    '{"id": 3392, "label": "Actor", "start_offset": 18, "end_offset": 31}], '
    '"relations": [{"id": 51, "from_id": 3391, "to_id": 3392, "type": "about"}], '
    '"Comments": [], "source": "Kommersant", "published": "2021-10-28"}\n'
    '{"id": 1288, "text": "No annotations here.", "entities": [], "relations": [], "Comments": []}\n'
)


def read_all(data, **options):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return list(doccano.read(io.BytesIO(data), **options))


def write_all(items, **options) -> bytes:
    return b"".join(doccano.write(items, **options))


def test_reads_a_doccano_export_with_entities_and_relations():
    (location, record), (_, empty) = read_all(EXPORT)
    assert location == "line 1"
    assert record["id"] == "1287"
    assert record["meta"] == {"Comments": [], "source": "Kommersant", "published": "2021-10-28"}
    (annotation_set,) = record["annotations"]
    assert annotation_set["annotator"] is None and annotation_set["gold"] is False
    assert annotation_set["status"] == "submitted"
    assert [(s["id"], s["label"], s["start"], s["end"], s["text"]) for s in annotation_set["spans"]] == [
        (3391, "Actor", 0, 13, "Sergei Lavrov"), (3392, "Actor", 18, 31, "Jong Ui Young")]
    assert annotation_set["relations"] == [{"type": "about", "source": 3391, "target": 3392}]
    assert record["entities"] == []
    assert check_record(record, location) == []
    assert empty["annotations"][0]["spans"] == []


def test_reads_the_older_label_form():
    line = '{"id": 7, "text": "Kim In Chol criticized the United States.", ' \
           '"label": [[0, 11, "Actor"], [27, 40, "Actor"]], "meta": {"url": "https://example.org"}}\n'
    ((_, record),) = read_all(line)
    assert span_view(record) == [("Actor", 0, 11, "Kim In Chol"), ("Actor", 27, 40, "United States")]
    assert [s["id"] for s in record["annotations"][0]["spans"]] == [1, 2]
    assert record["meta"] == {"url": "https://example.org"}


def test_text_classification_labels_are_kept_in_meta():
    ((_, record),) = read_all('{"text": "Seoul hopes.", "label": ["diplomacy"]}\n')
    assert record["meta"] == {"label": ["diplomacy"]}
    assert record["annotations"][0]["spans"] == []


def test_annotator_option_names_the_set():
    ((_, record),) = read_all(EXPORT.splitlines()[0], annotator="annotator2")
    assert record["annotations"][0]["annotator"] == "annotator2"


def test_every_bad_entity_of_a_line_is_reported_and_other_lines_still_read():
    data = (
        '{"text": "abc", "entities": [{"id": 1, "label": "A", "start_offset": "0", "end_offset": 2}, '
        '{"id": 2, "start_offset": 0, "end_offset": 2}]}\n'
        '{"id": 9}\n'
        '{"text": "abc", "label": [[0, 2]]}\n'
        'not json\n'
        '{"text": "fine"}\n'
    )
    items = read_all(data)
    assert [(location, str(item) if isinstance(item, FormatError) else "record") for location, item in items] == [
        ("line 1", "line 1: entity 1 start_offset must be an integer, found '0'"),
        ("line 1", "line 1: entity 2: label must be a string"),
        ("line 2", 'line 2: no "text" string in this line'),
        ("line 3", "line 3: label 1 must be [start, end, \"LABEL\"], found '[0, 2]'"),
        ("line 4", "line 4: not valid JSON: Expecting value at column 1"),
        ("line 5", "record"),
    ]


def test_offsets_past_the_text_are_left_for_check_record():
    ((location, record),) = read_all('{"text": "abc", "label": [[1, 7, "Actor"]]}')
    assert [e.message for e in check_record(record, location)] == [
        "span 1: out of range: 1–7 but the text has 3 characters"]


def test_bom_and_non_utf8():
    ((_, record),) = read_all(b'\xef\xbb\xbf{"text": "ok"}\n')
    assert record["text"] == "ok"
    ((location, error),) = read_all('{"text": "café"}\n'.encode("cp1252"))
    assert isinstance(error, FormatError) and location == "line 1"
    assert "not UTF-8" in error.message


def test_utf16_offsets_option_maps_emoji_offsets_to_code_points():
    text = "🚀🇺🇦 Sergei Lavrov"
    line = json.dumps({"text": text, "label": [[7, 20, "Actor"]]})  # UTF-16: 🚀 is 2 units, the flag 4
    ((_, record),) = read_all(line, offsets="utf16")
    assert span_view(record) == [("Actor", 4, 17, "Sergei Lavrov")]
    written = json.loads(write_all([record], offsets="utf16"))
    assert (written["entities"][0]["start_offset"], written["entities"][0]["end_offset"]) == (7, 20)
    ((_, error),) = read_all(json.dumps({"text": text, "label": [[1, 20, "Actor"]]}), offsets="utf16")
    assert error.message == "label 1 start 1 falls inside a character (UTF-16 surrogate pair)"
    with pytest.raises(ValueError):
        read_all(line, offsets="bytes")


def test_write_produces_doccano_lines_from_the_first_set():
    record = seed_record()
    record["annotations"].append({"annotator": "annotator2", "spans": [], "relations": []})
    (line,) = write_all([record]).decode().splitlines()
    data = json.loads(line)
    assert list(data)[:4] == ["id", "text", "entities", "relations"]
    assert data["id"] == "seed-000"
    assert data["title"] == "Seoul counts on Moscow"
    assert data["source"] == "Kommersant" and data["published"] == "2021-10-28"
    assert data["entities"][0] == {"id": 1, "label": "Actor", "start_offset": 176, "end_offset": 189}
    assert {"id": 1, "from_id": 4, "to_id": 2, "type": "claimed_by"} in data["relations"]


def test_write_then_read_keeps_spans_relations_title_and_meta():
    record = seed_record()
    record["meta"]["text"] = "clashes with doccano's text key"
    ((location, back),) = read_all(write_all([record]))
    assert span_view(back) == span_view(record)
    assert relation_view(back) == relation_view(record)
    assert [s["id"] for s in back["annotations"][0]["spans"]] == [1, 2, 3, 4, 5, 6]
    assert back["id"] == record["id"] and back["title"] == record["title"]
    assert back["meta"] == record["meta"]
    assert check_record(back, location) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_random_texts_and_spans_survive_write_then_read(record):
    ((location, back),) = read_all(write_all([record]))
    assert back["text"] == record["text"]
    assert span_view(back) == span_view(record)
    assert relation_view(back) == relation_view(record)
    assert check_record(back, location) == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_random_texts_survive_utf16_offsets_too(record):
    ((_, back),) = read_all(write_all([record], offsets="utf16"), offsets="utf16")
    assert span_view(back) == span_view(record)


def test_module_constants():
    assert (doccano.CONTENT_TYPE, doccano.EXTENSION) == ("application/x-ndjson", "jsonl")


def test_entity_ids_that_are_lists_or_objects_are_reported_not_crashed_on():
    line = json.dumps({"text": "Sergei Lavrov met Jong Ui Young.", "entities": [
        {"id": [1], "label": "Actor", "start_offset": 0, "end_offset": 13},
        {"id": {"n": 2}, "label": "Actor", "start_offset": 18, "end_offset": 31},
    ], "relations": [{"id": 1, "from_id": [1], "to_id": {"n": 2}, "type": "about"}]})
    records, errors = read_all_checked("doccano", io.BytesIO(line.encode("utf-8")))
    assert records == []
    assert [str(error) for error in errors] == [
        "line 1: span [1]: id must be an integer",
        "line 1: span {'n': 2}: id must be an integer",
        "line 1: relation about [1]→{'n': 2}: source must be a span id, not a list or an object",
        "line 1: relation about [1]→{'n': 2}: target must be a span id, not a list or an object",
    ]


def test_numbers_and_nesting_the_json_parser_gives_up_on_are_reported_by_line():
    data = (b'{"text": "abc", "label": [[0, ' + b"9" * 5000 + b', "Actor"]]}\n'
            + b'{"text": "abc", "meta": ' + b"[" * 5000 + b"]" * 5000 + b"}\n"
            + b'{"text": "fine"}\n')
    items = read_all(data)
    assert [(location, str(item) if isinstance(item, FormatError) else "record") for location, item in items] == [
        ("line 1", "line 1: a number has more than 4,300 digits"),
        ("line 2", "line 2: lists or objects nested too deeply to read"),
        ("line 3", "record"),
    ]
