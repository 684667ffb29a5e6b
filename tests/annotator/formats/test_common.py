import io
import zipfile

import pytest

from annotator.attributes import RATING_SCALE
from annotator.formats.common import (
    FormatError,
    StreamBuffer,
    Utf16Offsets,
    canonical_record,
    check_record,
    csv_safe,
    decode_utf8,
    is_canonical,
)

from .samples import seed_record


def messages(errors):
    return [error.message for error in errors]


def test_format_error_carries_location_and_message():
    error = FormatError("doc1.ann line 4", "T3 is a discontinuous span")
    assert error.location == "doc1.ann line 4"
    assert error.message == "T3 is a discontinuous span"
    assert str(error) == "doc1.ann line 4: T3 is a discontinuous span"


def test_sound_record_has_no_errors():
    assert check_record(seed_record(), "line 1") == []


def test_every_error_of_a_record_is_reported_not_just_the_first():
    record = {
        "id": "a", "text": "Sergei Lavrov said so.",
        "annotations": [{"spans": [
            {"id": 1, "label": "Actor", "start": 0, "end": 13, "text": "Sergei Lavrov"},
            {"id": 2, "label": "Actor", "start": 10, "end": 99, "text": "x"},
            {"id": 3, "label": "Cue", "start": 18, "end": 14, "text": ""},
            {"id": 4, "label": "Actor", "start": 7, "end": 13, "text": "Lavrow"},
            {"id": 4, "label": "Actor", "start": "7", "end": 13.0, "text": "Lavrov"},
        ], "relations": [{"type": "said_by", "source": 3, "target": 42}]}],
        "entities": [],
    }
    found = messages(check_record(record, "line 3"))
    assert found == [
        "span 2: out of range: 10–99 but the text has 22 characters",
        "span 3: inverted or empty: start 18, end 14",
        "span 4: text does not match: expected 'Lavrov' at 7–13, file has 'Lavrow'",
        "span 4: duplicate span id 4",
        "span 4: start must be an integer, found '7'",
        "span 4: end must be an integer, found '13.0'",
        "relation said_by 3→42: unknown target span 42",
    ]
    assert {error.location for error in check_record(record, "line 3")} == {"line 3"}


def test_missing_or_non_string_text_is_reported():
    assert messages(check_record({"annotations": []}, "line 1")) == ["text is missing"]
    assert messages(check_record({"text": 5}, "line 1")) == ["text must be a string, found int"]


def test_negative_start_and_unknown_entity_are_reported():
    record = {"text": "abc", "annotations": [{"spans": [
        {"id": 1, "label": "Actor", "start": -1, "end": 2, "text": "ab", "entity": 9, "attributes": {}},
    ], "relations": []}], "entities": []}
    assert messages(check_record(record, "task 5")) == [
        "span 1: out of range: -1–2 but the text has 3 characters",
        "span 1: entity 9 is not in the record's entities",
    ]


def test_errors_name_the_set_when_a_record_has_several():
    record = canonical_record({"text": "abc", "annotations": [
        {"spans": [{"id": 1, "label": "A", "start": 0, "end": 1}]},
        {"spans": [{"id": 1, "label": "A", "start": 0, "end": 9, "text": "abc"}]},
    ]}, "line 1")
    assert messages(check_record(record, "line 1")) == [
        "span 1 in set 2: out of range: 0–9 but the text has 3 characters"]


def test_sound_spans_still_count_for_duplicates_and_relations():
    record = {"text": "abc", "annotations": [{"spans": [
        {"id": 1, "label": "A", "start": 0, "end": 1, "text": "a"},
        {"id": 1, "label": "A", "start": 1, "end": 2, "text": "b"},
        {"id": True, "label": "A", "start": 2, "end": 3, "text": "c"},
    ], "relations": [{"type": "about", "source": 1, "target": 1}, {"type": "", "source": 1, "target": 2},
                     {"type": "about", "source": True, "target": 1}]}], "entities": []}
    assert messages(check_record(record, "line 1")) == [
        "span 1: duplicate span id 1",
        "span True: id must be an integer",
        "relation  1→2: type is missing",
        "relation  1→2: unknown target span 2",
    ]


def test_mismatch_message_shortens_and_escapes_long_text():
    text = "x" * 100 + "\n"
    record = {"text": text, "annotations": [{"spans": [
        {"id": 1, "label": "A", "start": 0, "end": 101, "text": "y"}], "relations": []}]}
    (message,) = messages(check_record(record, "line 1"))
    assert message.startswith("span 1: text does not match: expected 'xxxx")
    assert "…' at 0–101, file has 'y'" in message
    assert "\n" not in message


def test_canonical_record_orders_keys_fills_defaults_and_keeps_extra_keys():
    record = canonical_record({
        "entities": [{"name": "Sergei Lavrov", "id": 3}],
        "text": "Sergei Lavrov", "extra": 1, "id": 17,
        "annotations": [{"spans": [{"start": 0, "end": 6, "label": "Actor", "created": "now"}],
                         "relations": [{"target": 1, "source": 1, "type": "about"}]}],
    }, "line 1")
    assert list(record) == ["id", "title", "text", "meta", "annotations", "entities", "extra"]
    assert record["id"] == "17"
    assert record["annotations"][0] == {
        "annotator": None, "gold": False, "status": "submitted",
        "spans": [{"id": 1, "label": "Actor", "start": 0, "end": 6, "text": "Sergei", "attributes": {},
                   "entity": None, "note": "", "created": "now"}],
        "relations": [{"type": "about", "source": 1, "target": 1}],
    }
    assert record["entities"] == [{"id": 3, "name": "Sergei Lavrov", "kind": "", "aliases": [], "wikidata": ""}]


def test_is_canonical_only_for_records_already_in_the_record_shape():
    record = seed_record()
    assert is_canonical(record)
    assert canonical_record(record, "line 1") == record
    assert is_canonical(canonical_record({"id": 5, "text": "abc", "annotations": [{"spans": [
        {"label": "A", "start": 0, "end": 1}]}], "entities": [{"id": 1, "name": "A"}]}, "line 1"))

    def changed(change) -> dict:
        data = seed_record()
        change(data)
        return data

    def first_set(data) -> dict:
        return data["annotations"][0]

    def first_span(data) -> dict:
        return first_set(data)["spans"][0]

    for data in [
        [],
        {"text": "abc"},
        dict(reversed(list(seed_record().items()))),
        changed(lambda data: data.update(extra=1)),
        changed(lambda data: data.update(id=7)),
        changed(lambda data: data.update(meta=None)),
        changed(lambda data: data.update(annotations=None)),
        changed(lambda data: first_set(data).pop("status")),
        changed(lambda data: first_set(data).update(relations=None)),
        changed(lambda data: first_span(data).update(id=None)),
        changed(lambda data: first_span(data).update(id="1")),
        changed(lambda data: first_span(data).update(text=None)),
        changed(lambda data: first_span(data).update(attributes=None)),
        changed(lambda data: first_span(data).update(created="now")),
        changed(lambda data: first_set(data)["relations"][0].pop("type")),
        changed(lambda data: data["entities"][0].update(aliases=None)),
        changed(lambda data: data["entities"][0].pop("wikidata")),
    ]:
        assert not is_canonical(data), data


@pytest.mark.parametrize("data, message", [
    ([], "the record must be an object, found list"),
    ({"text": "a", "annotations": {}}, "annotations must be a list, found dict"),
    ({"text": "a", "annotations": [{"spans": ["x"]}]}, "annotation set 1 span must be an object, found str"),
    ({"text": "a", "meta": []}, "meta must be an object, found list"),
])
def test_canonical_record_refuses_shapes_it_cannot_walk(data, message):
    with pytest.raises(FormatError) as caught:
        canonical_record(data, "line 2")
    assert str(caught.value) == f"line 2: {message}"


@pytest.mark.parametrize("value, expected", [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+1", "'+1"),
    ("-1", "'-1"),
    ("@x", "'@x"),
    ("\tSUM(A1)", "'\tSUM(A1)"),
    ("\rx", "'\rx"),
    ("Sergei Lavrov", "Sergei Lavrov"),
    ("a=b", "a=b"),
    ("", ""),
    (None, ""),
    (True, "true"),
    (False, "false"),
    (12, "12"),
    (-3, "'-3"),
    (" =1+1", "' =1+1"),
    ("\u00a0=1+1", "'\u00a0=1+1"),
    ("\u200b=1+1", "'\u200b=1+1"),
    ("\n=1+1", "'\n=1+1"),
    ("\ufeff@SUM(A1)", "'\ufeff@SUM(A1)"),
    ("\uff1dcmd()", "'\uff1dcmd()"),
    ("\uff0b1", "'\uff0b1"),
    ("Seoul;=HYPERLINK(\"x\")", "Seoul;'=HYPERLINK(\"x\")"),
    ("a; -2;b", "a;' -2;b"),
    ("a;b", "a;b"),
    ("x = y", "x = y"),
])
def test_csv_safe_neutralises_formula_cells(value, expected):
    assert csv_safe(value) == expected


def test_stream_buffer_lets_zipfile_write_without_seeking_and_drains():
    sink = StreamBuffer()
    pieces = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number in range(3):
            archive.writestr(f"doc{number}.txt", f"text {number} " * 1000)
            pieces.append(sink.drain())
            assert sink.drain() == b""
    pieces.append(sink.drain())
    assert all(pieces)
    with zipfile.ZipFile(io.BytesIO(b"".join(pieces))) as archive:
        assert archive.testzip() is None
        assert archive.read("doc2.txt").decode() == "text 2 " * 1000


def test_utf16_offsets_convert_both_ways_around_astral_characters():
    text = "a🚀b🇺🇦c"
    offsets = Utf16Offsets(text)
    assert [offsets.to_utf16(i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 6, 8, 9]
    assert [offsets.to_codepoint(u) for u in (0, 1, 3, 4, 6, 8, 9)] == [0, 1, 2, 3, 4, 5, 6]
    assert offsets.to_codepoint(2) is None  # inside the rocket's surrogate pair
    assert offsets.to_codepoint(12) == 9  # past the end stays past the end
    plain = Utf16Offsets("plain é text")
    assert plain.to_codepoint(5) == 5 and plain.to_utf16(5) == 5


def test_decode_utf8_strips_bom_and_refuses_other_encodings():
    assert decode_utf8("\ufeffCafé".encode(), "file") == "Café"
    with pytest.raises(FormatError) as caught:
        decode_utf8("Café".encode("latin-1"), "file")
    assert str(caught.value) == "file: not UTF-8 text (byte 0xe9 at offset 3); save the file as UTF-8"


def test_default_rating_scale_runs_best_to_worst():
    assert RATING_SCALE[0] == "true"
    assert RATING_SCALE[-1] == "pants-on-fire"
