"""Shared pieces of the exchange formats: the record they all read into and write from.

No format of its own: it says what a record is (:func:`canonical_record` orders keys and
fills defaults, refusing only a structure it cannot walk) and whether it is sound
(:func:`check_record` reports every bad offset, mismatched span text, duplicate id and
dangling reference), and holds :class:`FormatError` and the helpers readers share (UTF-8,
JSON lines, UTF-16 offsets) and writers share (:func:`csv_safe`, :class:`StreamBuffer`).
The record is a plain dict of this shape (keys in this order)::

    {"id": "external-id", "title": "...", "text": "...", "meta": {...},
     "annotations": [{"annotator": "annotator1" | None, "gold": False, "status": "submitted",
                      "spans": [{"id": 7, "label": "Quote", "start": 120, "end": 164, "text": "...",
                                 "attributes": {}, "entity": None, "note": ""}],
                      "relations": [{"type": "said_by", "source": 7, "target": 9}]}],
     "entities": [{"id": 3, "name": "Sergei Lavrov", "kind": "person", "aliases": [], "wikidata": ""}]}

Offsets are Python string indices (Unicode code points), half-open.
"""

from __future__ import annotations

import codecs
import io
import json
import re
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO

RECORD_KEYS = ("id", "title", "text", "meta", "annotations", "entities")
SET_KEYS = ("annotator", "gold", "status", "spans", "relations")
SPAN_KEYS = ("id", "label", "start", "end", "text", "attributes", "entity", "note")
RELATION_KEYS = ("type", "source", "target")
ENTITY_KEYS = ("id", "name", "kind", "aliases", "wikidata")


class FormatError(Exception):
    """A problem in imported data, with where it is (``"line 3"``, ``"doc1.ann line 4"``)."""

    def __init__(self, location: str, message: str):
        super().__init__(location, message)
        self.location = location
        self.message = message

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


# --- building records ---------------------------------------------------------------------


def make_record(*, id: str, text: str, title: str = "", meta: dict | None = None,
                annotations: list | None = None, entities: list | None = None) -> dict:
    return {"id": id, "title": title, "text": text, "meta": meta if meta is not None else {},
            "annotations": annotations if annotations is not None else [],
            "entities": entities if entities is not None else []}


def make_set(*, annotator: str | None = None, gold: bool = False, status: str = "submitted",
             spans: list | None = None, relations: list | None = None) -> dict:
    return {"annotator": annotator, "gold": gold, "status": status,
            "spans": spans if spans is not None else [],
            "relations": relations if relations is not None else []}


def make_span(*, id: int, label: str, start: int, end: int, text: str, attributes: dict | None = None,
              entity: int | None = None, note: str = "") -> dict:
    return {"id": id, "label": label, "start": start, "end": end, "text": text,
            "attributes": attributes if attributes is not None else {}, "entity": entity, "note": note}


def make_relation(type: str, source: int, target: int) -> dict:
    return {"type": type, "source": source, "target": target}


def make_entity(*, id: int, name: str, kind: str = "", aliases: list | None = None,
                wikidata: str = "") -> dict:
    return {"id": id, "name": name, "kind": kind,
            "aliases": aliases if aliases is not None else [], "wikidata": wikidata}


def _ordered(data: dict, keys: tuple[str, ...], defaults: dict) -> dict:
    """``data`` with ``keys`` first (in order, defaults filled), then any other keys as given."""
    out = {key: data[key] if key in data else defaults.get(key) for key in keys}
    out.update((key, value) for key, value in data.items() if key not in out)
    return out


def _expect(value: Any, kind: type, what: str, location: str) -> Any:
    if not isinstance(value, kind):
        name = {list: "a list", dict: "an object"}[kind]
        raise FormatError(location, f"{what} must be {name}, found {type(value).__name__}")
    return value


def _or_empty(value: Any) -> Any:
    return [] if value is None else value


def canonical_record(data: Any, location: str) -> dict:
    """Return ``data`` in the record shape: keys in order, defaults filled, extra keys kept.

    Missing defaults: title "", meta {}, annotations [], entities []; annotator None, gold
    False, status "submitted"; span attributes {}, entity None, note ""; a span without an
    ``id`` gets the next free one, a span without ``text`` gets ``text[start:end]``.
    Values are not checked here (see :func:`check_record`); only a structure that cannot be
    walked (a list where an object belongs…) raises :class:`FormatError`.
    """
    _expect(data, dict, "the record", location)
    record = _ordered(data, RECORD_KEYS, {"title": "", "text": None})
    record["id"] = "" if record["id"] is None else str(record["id"])
    record["meta"] = _expect(record["meta"] if record["meta"] is not None else {}, dict, "meta", location)
    annotations = _expect(_or_empty(record["annotations"]), list, "annotations", location)
    entities = _expect(_or_empty(record["entities"]), list, "entities", location)
    text = record["text"]

    record["annotations"] = []
    for number, data_set in enumerate(annotations, 1):
        where = f"annotation set {number}"
        annotation_set = _ordered(_expect(data_set, dict, where, location), SET_KEYS,
                                  {"gold": False, "status": "submitted"})
        spans = _expect(_or_empty(annotation_set["spans"]), list, f"{where} spans", location)
        relations = _expect(_or_empty(annotation_set["relations"]), list, f"{where} relations", location)
        next_id = max((span["id"] for span in spans if isinstance(span, dict) and is_int(span.get("id"))),
                      default=0) + 1
        annotation_set["spans"] = []
        for span in spans:
            span = _ordered(_expect(span, dict, f"{where} span", location), SPAN_KEYS, {"note": ""})
            if "id" not in span or span["id"] is None:
                span["id"] = next_id
                next_id += 1
            if span["attributes"] is None:
                span["attributes"] = {}
            if span["text"] is None and isinstance(text, str) and is_int(span["start"]) and is_int(
                    span["end"]):
                span["text"] = text[span["start"]:span["end"]]
            annotation_set["spans"].append(span)
        annotation_set["relations"] = [
            _ordered(_expect(relation, dict, f"{where} relation", location), RELATION_KEYS, {})
            for relation in relations
        ]
        record["annotations"].append(annotation_set)

    record["entities"] = []
    for entity in entities:
        entity = _ordered(_expect(entity, dict, "entity", location), ENTITY_KEYS,
                          {"kind": "", "wikidata": ""})
        if entity["aliases"] is None:
            entity["aliases"] = []
        record["entities"].append(entity)
    return record


def is_canonical(data: Any) -> bool:
    """Whether ``data`` is already in the record shape, so that :func:`canonical_record`
    would return an equal record with the same key order: every key present and in
    order, no extra keys, no value left to fill, span ids integers. Every line that
    formats.jsonl writes is; its reader keeps such a record as it is instead of rebuilding
    every dict of it.
    """
    if type(data) is not dict or tuple(data) != RECORD_KEYS or type(data["id"]) is not str:
        return False
    annotations, entities = data["annotations"], data["entities"]
    if type(data["meta"]) is not dict or type(annotations) is not list or type(entities) is not list:
        return False
    for annotation_set in annotations:
        if type(annotation_set) is not dict or tuple(annotation_set) != SET_KEYS:
            return False
        spans, relations = annotation_set["spans"], annotation_set["relations"]
        if type(spans) is not list or type(relations) is not list:
            return False
        for span in spans:
            if (type(span) is not dict or tuple(span) != SPAN_KEYS or type(span["id"]) is not int
                    or span["attributes"] is None or span["text"] is None):
                return False
        for relation in relations:
            if type(relation) is not dict or tuple(relation) != RELATION_KEYS:
                return False
    for entity in entities:
        if type(entity) is not dict or tuple(entity) != ENTITY_KEYS or entity["aliases"] is None:
            return False
    return True


# --- checking records ---------------------------------------------------------------------


def is_int(value: Any) -> bool:
    """An int that is not a bool (JSON ``true`` must not pass for an offset)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_key(value: Any) -> bool:
    """Whether ``value`` can identify something in a record (an id or a reference):
    a JSON scalar, never a list or an object."""
    return value is None or isinstance(value, (str, int, float))


def quote(value: Any, limit: int = 60) -> str:
    """A short, one-line, quoted rendering of ``value`` for error messages."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    for char, escaped in (("\\", "\\\\"), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        text = text.replace(char, escaped)
    return f"'{text}'"


def check_record(record: dict, location: str) -> list[FormatError]:
    """Every problem in one record, in order; an empty list when it is sound.

    Checks: ``text`` is a string; each span has an integer id unique in its set, a label,
    integer ``start``/``end`` with ``0 <= start < end <= len(text)``, and ``text[start:end]``
    equal to its ``text``; each span's entity is in ``entities``; each relation has a type
    and points at spans of its own set.
    """
    errors: list[FormatError] = []

    def error(message: str) -> None:
        errors.append(FormatError(location, message))

    text = record.get("text")
    if not isinstance(text, str):
        error("text is missing" if text is None else f"text must be a string, found {type(text).__name__}")
        return errors
    entity_ids = _check_entities(record.get("entities") or [], error)
    annotation_sets = record.get("annotations") or []
    for number, annotation_set in enumerate(annotation_sets, 1):
        in_set = f" in set {number}" if len(annotation_sets) > 1 else ""
        span_ids = _check_spans(annotation_set.get("spans") or [], text, in_set, entity_ids, error)
        _check_relations(annotation_set.get("relations") or [], in_set, span_ids, error)
    return errors


def _check_entities(entities: list, error) -> set:
    """:func:`check_record`'s findings for the entities; returns their ids."""
    entity_ids = set()
    for entity in entities:
        if not is_key(entity.get("id")):
            error(f"entity {quote(entity.get('id'))}: id must be a number or a text, not a list or an object")
            continue
        if entity.get("id") in entity_ids:
            error(f"duplicate entity id {entity.get('id')!r}")
        entity_ids.add(entity.get("id"))
        if not isinstance(entity.get("name"), str) or not entity["name"]:
            error(f"entity {entity.get('id')!r} has no name")
    return entity_ids


def _check_spans(spans: list, text: str, in_set: str, entity_ids: set, error) -> set:
    """:func:`check_record`'s findings for the spans of one set; returns their ids."""
    length = len(text)
    span_ids = set()
    for span in spans:
        # A sound span (nearly all of them) passes this one test; any other goes through
        # _check_span, which reports each of its problems.
        span_id, start, end, label = span.get("id"), span.get("start"), span.get("end"), span.get("label")
        if (type(span_id) is int and span_id not in span_ids and type(start) is int and type(end) is int
                and 0 <= start < end <= length and text[start:end] == span.get("text")
                and type(label) is str and label and isinstance(span.get("attributes") or {}, dict)
                and (span.get("entity") is None or (is_key(span["entity"]) and span["entity"] in entity_ids))):
            span_ids.add(span_id)
            continue
        _check_span(span, text, in_set, span_ids, entity_ids, error)
    return span_ids


def _check_relations(relations: list, in_set: str, span_ids: set, error) -> None:
    """:func:`check_record`'s findings for the relations of one set: a type, and both ends in ``span_ids``."""
    for relation in relations:
        kind, source, target = relation.get("type"), relation.get("source"), relation.get("target")
        if type(kind) is str and kind and is_key(source) and is_key(target) and source in span_ids \
                and target in span_ids:
            continue
        where = f"relation {kind} {source!r}→{target!r}{in_set}"
        if not isinstance(kind, str) or not kind:
            error(f"{where}: type is missing")
        for end_name, span_id in (("source", source), ("target", target)):
            if not is_key(span_id):
                error(f"{where}: {end_name} must be a span id, not a list or an object")
            elif span_id not in span_ids:
                error(f"{where}: unknown {end_name} span {span_id!r}")


def _check_span(span: dict, text: str, in_set: str, span_ids: set, entity_ids: set, error) -> None:
    """:func:`check_record`'s findings for one span (its id is added to ``span_ids``)."""
    span_id = span.get("id")
    where = f"span {span_id!r}{in_set}"
    if not is_int(span_id):
        error(f"{where}: id must be an integer")
    elif span_id in span_ids:
        error(f"{where}: duplicate span id {span_id}")
    if is_key(span_id):
        span_ids.add(span_id)
    if not isinstance(span.get("label"), str) or not span["label"]:
        error(f"{where}: label is missing")
    start, end = span.get("start"), span.get("end")
    for name, value in (("start", start), ("end", end)):
        if not is_int(value):
            error(f"{where}: {name} must be an integer, found {quote(value)}")
    if is_int(start) and is_int(end):
        if start < 0 or end > len(text):
            error(f"{where}: out of range: {start}–{end} but the text has {len(text)} characters")
        if start >= end:
            error(f"{where}: inverted or empty: start {start}, end {end}")
        if 0 <= start < end <= len(text) and text[start:end] != span.get("text"):
            error(f"{where}: text does not match: expected {quote(text[start:end])} at "
                  f"{start}–{end}, file has {quote(span.get('text'))}")
    if not isinstance(span.get("attributes") or {}, dict):
        error(f"{where}: attributes must be an object")
    if not is_key(span.get("entity")):
        error(f"{where}: entity must be an entity id, not a list or an object")
    elif span.get("entity") is not None and span["entity"] not in entity_ids:
        error(f"{where}: entity {span['entity']!r} is not in the record's entities")


# --- reading helpers ----------------------------------------------------------------------


# --- a file read under the wrong format -------------------------------------------------------

FORMAT_TITLES = {"jsonl": "Factmark JSONL", "doccano": "doccano", "labelstudio": "Label Studio"}
_EVIDENCE = {
    "jsonl": "“annotations” with “spans”",
    "doccano": "“entities” with “start_offset”, a “label” list of spans or “relations” with “from_id”",
    "labelstudio": "“data” with “annotations” or “predictions” holding a “result”",
}


def _items_with(value: Any, *keys: str) -> bool:
    return isinstance(value, list) and any(isinstance(item, dict) and any(k in item for k in keys) for item in value)


def annotation_format(data: Any) -> str | None:
    """Which JSON format's annotations the raw object ``data`` carries ("jsonl", "doccano",
    "labelstudio"), or None when it carries none that one of them would read."""
    if not isinstance(data, dict):
        return None
    if _items_with(data.get("annotations"), "result") or _items_with(data.get("predictions"), "result") or (
            isinstance(data.get("data"), dict) and ("annotations" in data or "predictions" in data)):
        return "labelstudio"
    if _items_with(data.get("annotations"), "spans"):
        return "jsonl"
    label = data.get("label")
    if (_items_with(data.get("entities"), "start_offset", "end_offset")
            or _items_with(data.get("relations"), "from_id", "to_id")
            or (isinstance(label, list) and any(isinstance(item, list) for item in label))):
        return "doccano"
    return None


def foreign_annotations(data: Any, reading: str, location: str) -> FormatError | None:
    """The refusal of an object whose annotations are another format's (which the reader of
    ``reading`` would drop without a word), naming that format; None when there is none."""
    found = annotation_format(data)
    if found is None or found == reading:
        return None
    return FormatError(location, (
        f"this looks like {FORMAT_TITLES[found]} ({_EVIDENCE[found]}), whose annotations the "
        f"{FORMAT_TITLES[reading]} reader does not read; import the file as {FORMAT_TITLES[found]}"))


def decode_utf8(data: bytes, location: str) -> str:
    """Decode UTF-8, dropping a leading byte-order mark; :class:`FormatError` when it is not UTF-8."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise FormatError(location, f"not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
                                    f"{exc.start}); save the file as UTF-8") from None


def too_big_to_parse(exc: ValueError | RecursionError) -> str:
    """Why :func:`json.loads` gave up on text that is not necessarily invalid JSON: lists or
    objects nested deeper than the interpreter's stack, or an integer with more digits than
    Python converts (its ``ValueError`` that is not a ``JSONDecodeError``)."""
    if isinstance(exc, RecursionError):
        return "lists or objects nested too deeply to read"
    return f"a number has more than {sys.get_int_max_str_digits():,} digits"


def iter_json_lines(stream: BinaryIO) -> Iterator[tuple[str, Any]]:
    """Yield ``("line N", parsed object | FormatError)`` for each non-blank line of a JSONL stream.

    Lines end at ``\\n`` only (JSON strings may hold U+2028 and friends). A leading BOM is
    dropped. The first line that is not UTF-8 yields one error and ends the stream.
    """
    for number, raw in enumerate(stream, 1):
        location = f"line {number}"
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield location, FormatError(location, f"not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
                                                  f"column {exc.start + 1}); save the file as UTF-8")
            return
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield location, FormatError(location, f"not valid JSON: {exc.msg} at column {exc.colno}")
            continue
        except (ValueError, RecursionError) as exc:
            yield location, FormatError(location, too_big_to_parse(exc))
            continue
        if not isinstance(data, dict):
            yield location, FormatError(location, f"expected a JSON object, found {type(data).__name__}")
            continue
        yield location, data


def dump_json(value: Any) -> str:
    """Compact JSON, non-ASCII kept as is, keys in insertion order."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


OFFSET_UNITS = ("codepoints", "utf16")


def check_offset_units(offsets: str) -> None:
    if offsets not in OFFSET_UNITS:
        raise ValueError(f"offsets must be one of {OFFSET_UNITS}, not {offsets!r}")


def read_offset(value: Any, what: str, converter: Utf16Offsets | None, errors: list[FormatError],
                location: str) -> int | None:
    """An imported offset as a code point, or ``None`` after recording why it cannot be one."""
    if not is_int(value):
        errors.append(FormatError(location, f"{what} must be an integer, found {quote(value)}"))
        return None
    if converter is None:
        return value
    converted = converter.to_codepoint(value)
    if converted is None:
        errors.append(FormatError(location, f"{what} {value} falls inside a character (UTF-16 surrogate pair)"))
    return converted


class Utf16Offsets:
    """Convert offsets in one text between code points and UTF-16 code units.

    Browser-based tools (JavaScript strings) count UTF-16 units: every character outside
    the Basic Multilingual Plane (most emoji) counts twice. Offsets past the end are
    shifted by the same difference so that range checks still see them as out of range.
    """

    def __init__(self, text: str):
        self._length = len(text)
        self._identity = not text or max(text) <= "\uffff"
        if self._identity:
            return
        self._to_utf16 = [0] * (len(text) + 1)
        self._to_codepoint: dict[int, int] = {}
        unit = 0
        for index, char in enumerate(text):
            self._to_utf16[index] = unit
            self._to_codepoint[unit] = index
            unit += 2 if char > "\uffff" else 1
        self._to_utf16[len(text)] = unit
        self._to_codepoint[unit] = len(text)
        self._units = unit

    def to_codepoint(self, offset: int) -> int | None:
        """Code-point offset for a UTF-16 offset; ``None`` if it falls inside a surrogate pair."""
        if self._identity or offset < 0:
            return offset
        if offset > self._units:
            return offset - self._units + self._length
        return self._to_codepoint.get(offset)

    def to_utf16(self, offset: int) -> int:
        if self._identity or offset < 0:
            return offset
        if offset > self._length:
            return offset - self._length + self._units
        return self._to_utf16[offset]


# --- writing helpers ----------------------------------------------------------------------

# What a spreadsheet may read past before a formula (white space, no-break and
# zero-width spaces, a byte-order mark), and what starts one (the full-width forms too).
_SKIPPED = "\\s\u00a0\u2007\u202f\u200b\u200c\u200d\u2060\ufeff"
_STARTERS = "=+\\-@\uff1d\uff0b\uff0d\uff20"
_LEADING_FORMULA = re.compile(f"^[{_SKIPPED}]*[{_STARTERS}]")
# In a semicolon locale ";" separates cells, so "a;=1+1" holds a formula of its own.
_INNER_FORMULA = re.compile(f";(?=[{_SKIPPED}]*[{_STARTERS}])")


def csv_safe(value: Any) -> str:
    """Render ``value`` as a CSV cell that spreadsheets will not run as a formula.

    ``None`` becomes "", booleans "true"/"false".  A cell whose first character other
    than white space (spaces, tabs, line breaks, no-break and zero-width spaces) is
    ``= + - @`` or their full-width forms gets a leading single quote, and so does each
    such formula after a ``;`` inside the cell (a cell separator in semicolon locales):
    the OWASP "CSV injection" advice.
    """
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    text = _INNER_FORMULA.sub(";'", text)
    if _LEADING_FORMULA.match(text) or text.startswith(("\t", "\r")):
        return "'" + text
    return text


class StreamBuffer(io.RawIOBase):
    """A write-only, non-seekable sink that keeps what was written until :meth:`drain`.

    Hand it to :class:`zipfile.ZipFile` (mode ``"w"``) and drain it after each member:
    zipfile then writes data descriptors instead of seeking back, and memory holds one
    member at a time, never the archive.
    """

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def drain(self) -> bytes:
        """Everything written since the last drain."""
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def first_set(record: dict) -> dict | None:
    """The first annotation set of a record (formats with one layer per document use it)."""
    annotation_sets = record.get("annotations") or []
    return annotation_sets[0] if annotation_sets else None


def entities_by_id(record: dict) -> dict:
    """Entity id → entity dict for one record."""
    return {entity.get("id"): entity for entity in record.get("entities") or []}
