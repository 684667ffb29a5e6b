import io
import itertools
import json

from hypothesis import HealthCheck, given, settings

from annotator.formats import jsonl
from annotator.formats.common import FormatError, check_record

from .samples import records, seed_record


def read_all(data: bytes):
    return list(jsonl.read(io.BytesIO(data)))


def write_all(items) -> bytes:
    return b"".join(jsonl.write(items))


def emoji_record():
    text = "🚀 Launch: 👨🏻‍🚒 met Sergei Lavrov in 🇺🇦 — café\r\n<b>&amp;</b>\tend"
    start = text.index("Sergei Lavrov")
    return {
        "id": "emoji-1", "title": "Émoji", "text": text, "meta": {"language": "en", "tags": ["x"]},
        "annotations": [
            {"annotator": "annotator1", "gold": False, "status": "in_progress",
             "spans": [{"id": 7, "label": "Actor", "start": start, "end": start + 13, "text": "Sergei Lavrov",
                        "attributes": {"kind": "person"}, "entity": 3, "note": "FM"},
                       {"id": 8, "label": "Cue", "start": 0, "end": 1, "text": "🚀", "attributes": {},
                        "entity": None, "note": ""}],
             "relations": [{"type": "about", "source": 8, "target": 7}]},
            {"annotator": None, "gold": True, "status": "submitted", "spans": [], "relations": []},
        ],
        "entities": [{"id": 3, "name": "Sergei Lavrov", "kind": "person", "aliases": ["Lavrov"],
                      "wikidata": "Q1234"}],
    }


def test_write_uses_the_documented_compact_form_and_key_order():
    record = emoji_record()
    shuffled = dict(reversed(list(record.items())))
    line = write_all([shuffled])
    assert line == (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    assert line.startswith(b'{"id":"emoji-1","title":"\xc3\x89moji","text":"\xf0\x9f\x9a\x80')


def test_exact_round_trip_byte_for_byte():
    original = write_all([seed_record(), emoji_record()])
    items = read_all(original)
    assert [location for location, _ in items] == ["line 1", "line 2"]
    assert [record for _, record in items] == [seed_record(), emoji_record()]
    assert write_all(record for _, record in items) == original


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_random_texts_and_spans_survive_write_then_read(record):
    ((location, back),) = read_all(write_all([record]))
    assert back == record
    assert check_record(back, location) == []


def test_read_puts_keys_of_any_line_in_the_documented_order():
    record = emoji_record()
    record["annotations"][0]["spans"][0] = dict(reversed(list(record["annotations"][0]["spans"][0].items())))
    record["entities"][0]["note"] = "kept"
    ((_, back),) = read_all(json.dumps(record).encode() + b"\n")
    assert back == record
    assert list(back["annotations"][0]["spans"][0]) == ["id", "label", "start", "end", "text", "attributes",
                                                        "entity", "note"]
    assert list(back["entities"][0]) == ["id", "name", "kind", "aliases", "wikidata", "note"]


def test_read_fills_defaults_for_a_minimal_hand_written_line():
    data = b'{"id": 5, "text": "Sergei Lavrov spoke.", "annotations": [{"spans": [' \
           b'{"id": 1, "label": "Actor", "start": 0, "end": 13}]}]}\n'
    ((_, record),) = read_all(data)
    assert record == {
        "id": "5", "title": "", "text": "Sergei Lavrov spoke.", "meta": {},
        "annotations": [{"annotator": None, "gold": False, "status": "submitted",
                         "spans": [{"id": 1, "label": "Actor", "start": 0, "end": 13, "text": "Sergei Lavrov",
                                    "attributes": {}, "entity": None, "note": ""}],
                         "relations": []}],
        "entities": [],
    }


def test_bad_lines_are_numbered_and_reading_goes_on():
    data = (b'{"id": "a", "text": "one"}\n'
            b'{"id": "b", "text": "two"\n'
            b'\n'
            b'[1, 2]\n'
            b'{"id": "c", "text": "three", "annotations": "none"}\n'
            b'{"id": "d", "text": "four"}\n')
    items = read_all(data)
    assert [(location, type(item).__name__) for location, item in items] == [
        ("line 1", "dict"), ("line 2", "FormatError"), ("line 4", "FormatError"), ("line 5", "FormatError"),
        ("line 6", "dict"),
    ]
    errors = [str(item) for _, item in items if isinstance(item, FormatError)]
    assert errors[0].startswith("line 2: not valid JSON: Expecting ',' delimiter at column")
    assert errors[1] == "line 4: expected a JSON object, found list"
    assert errors[2] == "line 5: annotations must be a list, found str"


def test_blank_lines_and_crlf_endings_are_accepted():
    data = b'\r\n{"id": "a", "text": "one"}\r\n   \r\n{"id": "b", "text": "two"}'
    assert [record["id"] for _, record in read_all(data)] == ["a", "b"]


def test_bom_is_accepted():
    data = b'\xef\xbb\xbf{"id": "a", "text": "caf\xc3\xa9"}\n'
    ((location, record),) = read_all(data)
    assert (location, record["text"]) == ("line 1", "café")


def test_non_utf8_file_yields_one_error_with_its_line():
    data = '{"id": "a", "text": "ok"}\n{"id": "b", "text": "café"}\n{"id": "c", "text": "é"}\n'.encode("latin-1")
    items = read_all(data)
    assert [location for location, _ in items] == ["line 1", "line 2"]
    error = items[1][1]
    assert isinstance(error, FormatError)
    assert str(error) == "line 2: not UTF-8 text (byte 0xe9 at column 25); save the file as UTF-8"


def test_unicode_line_separators_inside_strings_do_not_split_lines():
    record = {"id": "a", "text": "one\u2028two\u2029three\x85four"}
    ((_, back),) = read_all(write_all([record]))
    assert back["text"] == record["text"]


def test_out_of_range_spans_are_left_for_check_record():
    data = b'{"id": "a", "text": "abc", "annotations": [{"spans": [' \
           b'{"id": 1, "label": "Actor", "start": 2, "end": 9, "text": "c"}]}]}\n'
    ((location, record),) = read_all(data)
    assert [str(e) for e in check_record(record, location)] == [
        "line 1: span 1: out of range: 2–9 but the text has 3 characters"]


def test_write_streams_one_line_per_record():
    endless = ({"id": str(n), "text": f"article {n}"} for n in itertools.count())
    chunks = jsonl.write(endless)
    first, second = next(chunks), next(chunks)
    assert first.endswith(b"\n") and first.count(b"\n") == 1
    assert json.loads(second)["id"] == "1"


def test_module_constants():
    assert (jsonl.CONTENT_TYPE, jsonl.EXTENSION) == ("application/x-ndjson", "jsonl")


def test_numbers_and_nesting_the_json_parser_gives_up_on_are_reported_by_line():
    data = (b'{"id": "a", "text": "abc", "meta": {"n": ' + b"9" * 5000 + b"}}\n"
            + b'{"id": "b", "text": "abc", "meta": {"x": ' + b"[" * 5000 + b"]" * 5000 + b"}}\n"
            + b'{"id": "c", "text": "fine"}\n')
    items = read_all(data)
    assert [(location, str(item) if isinstance(item, FormatError) else item["id"]) for location, item in items] == [
        ("line 1", "line 1: a number has more than 4,300 digits"),
        ("line 2", "line 2: lists or objects nested too deeply to read"),
        ("line 3", "c"),
    ]
