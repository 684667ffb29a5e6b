"""doccano JSONL (sequence labelling, with or without relations).

Read and written, one article per line with one annotation set: span labels and offsets,
relations, the id, the title and every other key (as meta) are kept. Reading refuses,
with its line number, a line without a ``text`` string, spans whose offsets are not
integers or whose label is not a string, and relations without a type. doccano has no
span text, attributes, entity links or notes, so none of them travel.

doccano keeps one annotation layer per line and exports one file per user (or one
merged file), so a line becomes a record with one annotation set. Two forms are read::

    {"id": 1, "text": "...", "entities": [{"id": 7, "label": "Actor", "start_offset": 0,
     "end_offset": 5}], "relations": [{"id": 1, "from_id": 8, "to_id": 7, "type": "said_by"}]}
    {"id": 1, "text": "...", "label": [[0, 5, "Actor"]]}

Rules chosen here:

- ``id`` becomes the record id (as a string), entity ids become span ids (spans of the
  older ``label`` form are numbered 1, 2, …); a ``title`` key (or, without one, ``meta.title``)
  becomes the title.
- Every other top-level key goes into ``meta`` (doccano flattens metadata into the line);
  the contents of a nested ``meta`` object are merged into it. A ``label`` list of plain
  strings (text classification) is kept as ``meta["label"]``.
- doccano stores no span text, so span text is ``text[start:end]``; no attributes, entity
  links or notes travel through this format.
- ``offsets="utf16"`` reads/writes offsets counted in UTF-16 units, as some doccano
  versions produced for text with emoji; the default is code points.
- Writing uses the first annotation set of each record (the caller picks which sets to
  pass); meta keys that would clash with doccano's own keys are written under ``"meta"``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from .common import (
    FormatError,
    Utf16Offsets,
    canonical_record,
    check_offset_units,
    dump_json,
    first_set,
    foreign_annotations,
    is_int,
    iter_json_lines,
    make_record,
    make_relation,
    make_set,
    make_span,
    quote,
    read_offset,
)

CONTENT_TYPE = "application/x-ndjson"
EXTENSION = "jsonl"

RESERVED = ("id", "text", "title", "entities", "relations", "label", "meta")


def _same(value: Any) -> Any:
    return value


def read(stream: BinaryIO, *, annotator: str | None = None,
         offsets: str = "codepoints") -> Iterator[tuple[str, dict | FormatError]]:
    """Yield ``("line N", record)`` or ``("line N", FormatError)`` for each line.

    ``annotator`` names the annotation set of every line (doccano's per-user export files
    carry the user only in the file name).
    """
    check_offset_units(offsets)
    for location, data in iter_json_lines(stream):
        foreign = data if isinstance(data, FormatError) else foreign_annotations(data, "doccano", location)
        if foreign is not None:
            yield location, foreign
            continue
        errors: list[FormatError] = []
        record = _record(data, location, annotator, offsets, errors)
        if errors:
            for error in errors:
                yield location, error
        else:
            yield location, record


def _record(data: dict, location: str, annotator: str | None, offsets: str,
            errors: list[FormatError]) -> dict | None:
    def error(message: str) -> None:
        errors.append(FormatError(location, message))

    text = data.get("text")
    if not isinstance(text, str):
        error("no \"text\" string in this line")
        return None
    converter = Utf16Offsets(text) if offsets == "utf16" else None

    def offset(value: Any, what: str) -> int | None:
        return read_offset(value, what, converter, errors, location)

    meta = _meta(data)
    spans = _spans(data, text, meta, offset, error)
    relations = _relations(data.get("relations"), error)
    record_id = data.get("id")
    title = data.get("title") or meta.get("title")  # doccano keeps extra fields in "meta" on export
    return make_record(
        id="" if record_id is None else str(record_id),
        title=title if isinstance(title, str) else "",
        text=text,
        meta=meta,
        annotations=[make_set(annotator=annotator, spans=spans, relations=relations)],
    )


def _meta(data: dict) -> dict:
    """Every key that is not doccano's own, then the contents of a nested ``meta`` object."""
    meta: dict = {}
    for key, value in data.items():
        if key not in RESERVED:
            meta[key] = value
    nested = data.get("meta")
    if isinstance(nested, dict):
        meta.update(nested)
    elif nested is not None:
        meta["meta"] = nested
    return meta


def _spans(data: dict, text: str, meta: dict, offset: Callable[[Any, str], int | None],
           error: Callable[[str], None]) -> list[dict]:
    """The spans of the ``entities`` form or, without it, of the older ``label`` form. A ``label``
    that holds no spans (beside ``entities``, or a list of class names) goes into ``meta``."""
    raw_entities = data.get("entities")
    label = data.get("label")
    if raw_entities is not None:
        spans = _entity_spans(raw_entities, text, offset, error)
        if label is not None:
            meta["label"] = label
        return spans
    if isinstance(label, list) and all(isinstance(item, str) for item in label):
        if label:
            meta["label"] = label
        return []
    if isinstance(label, list):
        return _label_spans(label, text, offset, error)
    if label is not None:
        error("\"label\" must be a list")
    return []


def _entity_spans(raw_entities: Any, text: str, offset: Callable[[Any, str], int | None],
                  error: Callable[[str], None]) -> list[dict]:
    """``entities``: objects with ``id``, ``label``, ``start_offset`` and ``end_offset``; an entity
    without an id gets the next one after the highest."""
    if not isinstance(raw_entities, list):
        error("\"entities\" must be a list")
        raw_entities = []
    next_id = max((item["id"] for item in raw_entities if isinstance(item, dict) and is_int(item.get("id"))),
                  default=0) + 1
    spans = []
    for number, item in enumerate(raw_entities, 1):
        if not isinstance(item, dict):
            error(f"entity {number} must be an object")
            continue
        span_id = item.get("id")
        if span_id is None:
            span_id, next_id = next_id, next_id + 1
        where = f"entity {span_id!r}"
        start = offset(item.get("start_offset"), f"{where} start_offset")
        end = offset(item.get("end_offset"), f"{where} end_offset")
        if not isinstance(item.get("label"), str):
            error(f"{where}: label must be a string")
            continue
        if start is not None and end is not None:
            spans.append(make_span(id=span_id, label=item["label"], start=start, end=end, text=text[start:end]))
    return spans


def _label_spans(label: list, text: str, offset: Callable[[Any, str], int | None],
                 error: Callable[[str], None]) -> list[dict]:
    """The older form, ``label``: ``[start, end, "LABEL"]`` triples, numbered 1, 2, …"""
    spans = []
    for number, item in enumerate(label, 1):
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[2], str)):
            error(f"label {number} must be [start, end, \"LABEL\"], found {quote(item)}")
            continue
        start = offset(item[0], f"label {number} start")
        end = offset(item[1], f"label {number} end")
        if start is not None and end is not None:
            spans.append(make_span(id=number, label=item[2], start=start, end=end, text=text[start:end]))
    return spans


def _relations(raw_relations: Any, error: Callable[[str], None]) -> list[dict]:
    """``relations``: objects with a ``type``; their ends are checked later, by ``check_record``."""
    raw_relations = raw_relations or []
    if not isinstance(raw_relations, list):
        error("\"relations\" must be a list")
        raw_relations = []
    relations = []
    for number, item in enumerate(raw_relations, 1):
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            error(f"relation {number} must be an object with a \"type\"")
            continue
        relations.append(make_relation(item["type"], item.get("from_id"), item.get("to_id")))
    return relations


def write(records: Iterable[dict], *, offsets: str = "codepoints") -> Iterator[bytes]:
    """Yield one doccano line per record, from its first annotation set."""
    check_offset_units(offsets)
    for number, record in enumerate(records, 1):
        record = canonical_record(record, f"record {number}")
        text = record["text"]
        converter = Utf16Offsets(text) if offsets == "utf16" else None
        unit = converter.to_utf16 if converter is not None else _same
        annotation_set = first_set(record) or {"spans": [], "relations": []}
        line: dict[str, Any] = {
            "id": record["id"],
            "text": text,
            "entities": [
                {"id": span["id"], "label": span["label"], "start_offset": unit(span["start"]),
                 "end_offset": unit(span["end"])}
                for span in annotation_set["spans"]
            ],
            "relations": [
                {"id": index, "from_id": relation["source"], "to_id": relation["target"],
                 "type": relation["type"]}
                for index, relation in enumerate(annotation_set["relations"], 1)
            ],
        }
        if record["title"]:
            line["title"] = record["title"]
        clashes = {key: value for key, value in record["meta"].items() if key in RESERVED}
        line.update((key, value) for key, value in record["meta"].items() if key not in RESERVED)
        if clashes:
            line["meta"] = clashes
        yield (dump_json(line) + "\n").encode("utf-8")
