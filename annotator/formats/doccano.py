"""doccano JSONL (sequence labelling, with or without relations).

doccano keeps one annotation layer per line and exports one file per user (or one
merged file), so a line becomes a record with one annotation set. Two forms are read::

    {"id": 1, "text": "...", "entities": [{"id": 7, "label": "Actor", "start_offset": 0,
     "end_offset": 5}], "relations": [{"id": 1, "from_id": 8, "to_id": 7, "type": "said_by"}]}
    {"id": 1, "text": "...", "label": [[0, 5, "Actor"]]}

Rules chosen here:

- ``id`` becomes the record id (as a string), entity ids become span ids (spans of the
  older ``label`` form are numbered 1, 2, …); a ``title`` key becomes the title.
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

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from .common import (
    FormatError,
    Utf16Offsets,
    canonical_record,
    check_offset_units,
    dump_json,
    first_set,
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
        if isinstance(data, FormatError):
            yield location, data
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

    meta: dict = {}
    for key, value in data.items():
        if key not in RESERVED:
            meta[key] = value
    nested = data.get("meta")
    if isinstance(nested, dict):
        meta.update(nested)
    elif nested is not None:
        meta["meta"] = nested

    def offset(value: Any, what: str) -> int | None:
        return read_offset(value, what, converter, errors, location)

    spans = []
    raw_entities = data.get("entities")
    label = data.get("label")
    if raw_entities is not None:
        if not isinstance(raw_entities, list):
            error("\"entities\" must be a list")
            raw_entities = []
        next_id = max((item["id"] for item in raw_entities if isinstance(item, dict) and is_int(item.get("id"))),
                      default=0) + 1
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
                spans.append(make_span(id=span_id, label=item["label"], start=start, end=end,
                                       text=text[start:end]))
        if label is not None:
            meta["label"] = label
    elif isinstance(label, list) and all(isinstance(item, str) for item in label):
        if label:
            meta["label"] = label
    elif isinstance(label, list):
        for number, item in enumerate(label, 1):
            if not (isinstance(item, list) and len(item) == 3 and isinstance(item[2], str)):
                error(f"label {number} must be [start, end, \"LABEL\"], found {quote(item)}")
                continue
            start = offset(item[0], f"label {number} start")
            end = offset(item[1], f"label {number} end")
            if start is not None and end is not None:
                spans.append(make_span(id=number, label=item[2], start=start, end=end, text=text[start:end]))
    elif label is not None:
        error("\"label\" must be a list")

    relations = []
    raw_relations = data.get("relations") or []
    if not isinstance(raw_relations, list):
        error("\"relations\" must be a list")
        raw_relations = []
    for number, item in enumerate(raw_relations, 1):
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            error(f"relation {number} must be an object with a \"type\"")
            continue
        relations.append(make_relation(item["type"], item.get("from_id"), item.get("to_id")))

    record_id = data.get("id")
    title = data.get("title")
    return make_record(
        id="" if record_id is None else str(record_id),
        title=title if isinstance(title, str) else "",
        text=text,
        meta=meta,
        annotations=[make_set(annotator=annotator, spans=spans, relations=relations)],
    )


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
