import io
import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings

from annotator.formats import labelstudio
from annotator.formats.common import FormatError, check_record

from .samples import records, relation_view, seed_record, span_view

TEXT = "“Russia is a key partner,” said Jong Ui Young. Sergei Lavrov agreed 🚀."


def region(region_id, start, end, label, **extra):
    return {"id": region_id, "type": "labels", "from_name": "label", "to_name": "text", "origin": "manual",
            "value": {"start": start, "end": end, "text": TEXT[start:end], "labels": [label]}, **extra}


# The shape Label Studio 1.x writes with "Export → JSON" for a NER + relations project.
EXPORT = [
    {
        "id": 101,
        "data": {"text": TEXT, "title": "Moscow talks", "source": "Kommersant"},
        "annotations": [
            {
                "id": 9, "completed_by": 1, "created_username": " annotator1@example.org, 1",
                "was_cancelled": False, "ground_truth": False, "lead_time": 12.4, "task": 101,
                "result": [
                    region("q1", 0, 26, "Quote"),
                    region("a1", 32, 45, "Actor", meta={"text": ["South Korean FM"]}),
                    region("c1", 27, 31, "Cue"),
                    {"id": "q1", "type": "choices", "from_name": "type", "to_name": "text",
                     "value": {"start": 0, "end": 26, "text": TEXT[0:26], "choices": ["direct"]}},
                    {"from_id": "q1", "to_id": "a1", "type": "relation", "direction": "right",
                     "labels": ["said_by"]},
                    {"from_id": "c1", "to_id": "q1", "type": "relation", "direction": "left", "labels": ["cue"]},
                    {"id": "doc", "type": "choices", "from_name": "topic", "to_name": "text",
                     "value": {"choices": ["diplomacy"]}},
                ],
            },
            {
                "id": 10, "completed_by": {"id": 2, "email": "rev@example.org", "first_name": "", "last_name": ""},
                "was_cancelled": False, "ground_truth": True,
                "result": [region("x7", 47, 60, "Actor")],
            },
            {"id": 11, "completed_by": 3, "was_cancelled": True, "result": []},
        ],
        "predictions": [
            {"id": 4, "model_version": "ner-v2", "score": 0.8,
             "result": [region("p1", 47, 60, "Actor"), region("p2", 32, 45, "Actor")]},
        ],
        "meta": {}, "created_at": "2024-03-01T10:00:00Z", "project": 3, "inner_id": 1,
        "total_annotations": 2, "cancelled_annotations": 1, "total_predictions": 1,
    },
]


def read_all(data, **options):
    if not isinstance(data, bytes):
        data = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return list(labelstudio.read(io.BytesIO(data), **options))


def write_all(items, **options) -> bytes:
    return b"".join(labelstudio.write(items, **options))


def test_reads_annotations_predictions_attributes_and_relations():
    ((location, record),) = read_all(EXPORT)
    assert location == "task 1"
    assert (record["id"], record["title"], record["meta"]) == ("101", "Moscow talks", {"source": "Kommersant"})
    first, second, predictions = record["annotations"]
    assert (first["annotator"], first["gold"]) == ("annotator1@example.org", False)
    assert (second["annotator"], second["gold"]) == ("rev@example.org", True)
    assert predictions["annotator"] == "predictions"
    assert span_view(record, 0) == [("Actor", 32, 45, "Jong Ui Young"), ("Cue", 27, 31, "said"),
                                    ("Quote", 0, 26, "“Russia is a key partner,”")]
    quote, actor, cue = first["spans"]
    assert quote["attributes"] == {"type": "direct"}
    assert actor["note"] == "South Korean FM"
    assert first["relations"] == [{"type": "said_by", "source": quote["id"], "target": actor["id"]},
                                  {"type": "cue", "source": quote["id"], "target": cue["id"]}]
    assert span_view(record, 2) == [("Actor", 32, 45, "Jong Ui Young"), ("Actor", 47, 60, "Sergei Lavrov")]
    all_ids = [span["id"] for annotation_set in record["annotations"] for span in annotation_set["spans"]]
    assert all_ids == list(range(1, 7))
    assert check_record(record, location) == []


def test_completed_by_forms():
    def annotator(annotation):
        task = {"data": {"text": "x"}, "annotations": [{"result": [], **annotation}]}
        return read_all([task])[0][1]["annotations"][0]["annotator"]

    assert annotator({"completed_by": {"username": "annotator2", "email": "a2@example.org"}}) == "annotator2"
    assert annotator({"completed_by": {"id": 4, "email": "a4@example.org"}}) == "a4@example.org"
    assert annotator({"completed_by": 4, "created_username": "a4@example.org, 4"}) == "a4@example.org"
    assert annotator({"completed_by": 4}) == "4"
    assert annotator({}) is None


def test_a_region_with_two_labels_becomes_two_spans():
    result = [{"id": "r", "type": "labels", "value": {"start": 47, "end": 60, "labels": ["Actor", "Cue"]}}]
    ((_, record),) = read_all([{"data": {"text": TEXT}, "annotations": [{"result": result}]}])
    assert span_view(record) == [("Actor", 47, 60, "Sergei Lavrov"), ("Cue", 47, 60, "Sergei Lavrov")]


def test_drifted_offsets_surface_in_check_record():
    result = [{"id": "r", "type": "labels", "value": {"start": 48, "end": 61, "text": "Sergei Lavrov",
                                                      "labels": ["Actor"]}}]
    ((location, record),) = read_all([{"data": {"text": TEXT}, "annotations": [{"result": result}]}])
    assert [e.message for e in check_record(record, location)] == [
        "span 1: text does not match: expected 'ergei Lavrov ' at 48–61, file has 'Sergei Lavrov'"]


def test_utf16_offsets_option():
    text = "🚀 Sergei Lavrov"
    result = [{"id": "r", "type": "labels", "value": {"start": 3, "end": 16, "text": "Sergei Lavrov",
                                                      "labels": ["Actor"]}}]
    ((location, record),) = read_all([{"data": {"text": text}, "annotations": [{"result": result}]}],
                                     offsets="utf16")
    assert span_view(record) == [("Actor", 2, 15, "Sergei Lavrov")]
    task = json.loads(write_all([record], offsets="utf16"))[0]
    assert task["annotations"][0]["result"][0]["value"]["start"] == 3


def test_errors_in_one_task_do_not_stop_the_next():
    tasks = [
        {"text": TEXT, "label": [{"start": 0, "end": 5, "labels": ["Actor"]}]},  # a JSON-MIN item
        {"data": {"body": TEXT}},
        {"data": {"text": TEXT}, "annotations": [{"result": [
            region("a", 32, 45, "Actor"),
            {"type": "labels", "id": "b", "value": {"start": "0", "end": 5, "labels": ["Actor"]}},
            {"type": "labels", "id": "c", "value": {"start": 0, "end": 5, "labels": []}},
            {"from_id": "a", "to_id": "zzz", "type": "relation", "labels": ["about"]},
            {"from_id": "a", "to_id": "a", "type": "relation", "labels": []},
        ]}]},
        {"data": {"text": TEXT}},
    ]
    items = read_all(tasks)
    assert [(location, str(item) if isinstance(item, FormatError) else "record") for location, item in items] == [
        ("task 1", 'task 1: no "data" object (JSON-MIN and CSV exports are not supported: export as JSON)'),
        ("task 2", "task 2: data has no 'text' string"),
        ("task 3", "task 3: annotation 1: region 'b' start must be an integer, found '0'"),
        ("task 3", "task 3: annotation 1: region 'c' has no label"),
        ("task 3", "task 3: annotation 1: relation to_id 'zzz' is not a labelled region of this annotation"),
        ("task 3", "task 3: annotation 1: relation 'a'→'a' has no label; Factmark relations are typed"),
        ("task 4", "record"),
    ]


def test_text_key_option_reads_another_data_field():
    ((_, record),) = read_all([{"data": {"body": TEXT, "url": "https://example.org"}}], text_key="body")
    assert (record["text"], record["meta"]) == (TEXT, {"url": "https://example.org"})


@pytest.mark.parametrize("data, message", [
    (b"[{", "file: not valid JSON: Expecting property name enclosed in double quotes at line 1 column 3"),
    (b'{"a": 1} x', "file: not valid JSON: Extra data at line 1 column 10"),
    (b"42", "file: expected a JSON array of tasks"),
    ('[{"data": {"text": "café"}}]'.encode("latin-1"),
     "file: not UTF-8 text (byte 0xe9 at offset 23); save the file as UTF-8"),
])
def test_unreadable_files_give_one_error(data, message):
    ((location, error),) = read_all(data)
    assert (location, str(error)) == ("file", message)


def test_bom_is_accepted_and_a_single_task_object_is_read():
    data = b"\xef\xbb\xbf" + json.dumps({"id": 5, "data": {"text": "ok"}}).encode()
    ((_, record),) = read_all(data)
    assert (record["id"], record["text"]) == ("5", "ok")


def test_write_is_valid_label_studio_json():
    record = seed_record()
    record["annotations"].append({"annotator": "predictions", "spans": [record["annotations"][0]["spans"][0]]})
    record["annotations"].append({"annotator": "reviewer", "gold": True, "spans": [], "relations": []})
    (task,) = json.loads(write_all([record], annotator_emails={"reviewer": "rev@example.org"}))
    assert task["id"] == 1
    assert task["data"]["text"] == record["text"]
    assert task["data"]["title"] == "Seoul counts on Moscow"
    assert task["data"]["external_id"] == "seed-000"
    assert task["data"]["published"] == "2021-10-28"
    first, gold = task["annotations"]
    assert first["created_username"] == "annotator1" and "completed_by" not in first
    assert gold["completed_by"] == {"email": "rev@example.org"} and gold["ground_truth"] is True
    assert task["predictions"][0]["result"][0]["value"] == {
        "start": 176, "end": 189, "text": "Sergei Lavrov", "labels": ["Actor"]}
    kinds = [(item["type"], item.get("from_name")) for item in first["result"]]
    assert ("choices", "verdict") in kinds and ("relation", None) in kinds
    assert {"from_id": "4", "to_id": "2", "type": "relation", "direction": "right",
            "labels": ["claimed_by"]} in first["result"]


def test_write_then_read_keeps_spans_relations_sets_and_notes():
    record = seed_record()
    record["annotations"].append({"annotator": "predictions", "spans": [record["annotations"][0]["spans"][0]]})
    ((location, back),) = read_all(write_all([record]))
    assert check_record(back, location) == []
    assert (back["id"], back["title"], back["meta"]) == (record["id"], record["title"], record["meta"])
    assert span_view(back) == span_view(record)
    assert relation_view(back) == relation_view(record)
    assert [s["annotator"] for s in back["annotations"]] == ["annotator1", "predictions"]
    assert span_view(back, 1) == [("Actor", 176, 189, "Sergei Lavrov")]
    by_label = {(s["label"], s["start"]): s for s in back["annotations"][0]["spans"]}
    claim = next(s for s in back["annotations"][0]["spans"] if s["label"] == "Claim")
    assert claim["attributes"] == {"verdict": "mostly-true", "checkworthy": "true"}  # strings in Label Studio
    assert by_label[("Actor", record["text"].index("Kim In Chul"))]["note"] == "Same person as Kim In Chol."


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_random_texts_and_spans_survive_write_then_read(record):
    ((location, back),) = read_all(write_all([record]))
    assert back["text"] == record["text"]
    assert span_view(back) == span_view(record)
    assert relation_view(back) == relation_view(record)
    assert check_record(back, location) == []


def test_write_streams_tasks():
    endless = ({"id": str(n), "text": f"article {n}"} for n in itertools.count())
    chunks = labelstudio.write(endless)
    assert next(chunks) == b"["
    assert next(chunks).startswith(b'\n{"id":1,')
    assert next(chunks).startswith(b',\n{"id":2,')
    assert json.loads(write_all([])) == []


def test_module_constants():
    assert (labelstudio.CONTENT_TYPE, labelstudio.EXTENSION) == ("application/json", "json")


@pytest.mark.parametrize("data, message", [
    (b"[" + b"9" * 5000 + b"]", "file: a number has more than 4,300 digits"),
    (b"[" * 5000 + b"]" * 5000, "file: lists or objects nested too deeply to read"),
])
def test_numbers_and_nesting_the_json_parser_gives_up_on_give_one_error(data, message):
    ((location, error),) = read_all(data)
    assert (location, str(error)) == ("file", message)


def test_wrong_types_in_annotations_results_and_relations_are_reported_not_crashed_on():
    result = [
        region("q1", 0, 26, "Quote"),
        region("a1", 32, 45, "Actor"),
        {"id": "q1", "type": ["choices"], "from_name": "type", "to_name": "text", "value": {"choices": ["direct"]}},
        {"from_id": "q1", "to_id": "a1", "type": "relation", "labels": [{"name": "said_by"}]},
    ]
    task = {"data": {"text": TEXT}, "annotations": [
        {"completed_by": [1], "ground_truth": "false", "was_cancelled": 0, "result": []},
        {"completed_by": {"username": {"name": "annotator1"}}, "result": []},
        {"completed_by": 1, "result": result},
    ]}
    assert [str(error) for _, error in read_all([task])] == [
        "task 1: annotation 1: was_cancelled must be true or false, found '0'",
        "task 1: annotation 1: ground_truth must be true or false, found 'false'",
        "task 1: annotation 1: completed_by must be a user id or an object with a username or an email, "
        "found '[1]'",
        "task 1: annotation 2: completed_by must be a user id or an object with a username or an email, "
        "found '{'username': {'name': 'annotator1'}}'",
        "task 1: annotation 3: region 'q1': the type of its 'type' result must be a text, found '['choices']'",
        "task 1: annotation 3: relation 'q1'→'a1': labels must be texts, found '[{'name': 'said_by'}]'",
    ]
