"""brat standoff, as a zip of ``NAME.txt`` / ``NAME.ann`` pairs.

``.ann`` lines read (fields are tab-separated)::

    T1      Actor 120 133   Sergei Lavrov          text-bound span
    R1      said_by Arg1:T3 Arg2:T1                relation, Arg1 = source, Arg2 = target
    A1      verdict T2 false                       attribute with a value
    A2      checkworthy T2                         binary attribute (value True)
    N1      Reference T1 Wikidata:Q1234     Sergei Lavrov    normalisation: entity link
    #1      AnnotatorNotes T1       note text      span note

Rules chosen here:

- Offsets are code points of the ``.txt`` content, as brat counts characters. A UTF-8
  byte-order mark at the start of a ``.txt`` is dropped and offsets shifted to match.
- Span text is taken from the ``.txt`` at the given offsets; the ``.ann`` text must agree
  with it (line breaks and other whitespace compare equal, as brat writes them as
  spaces), otherwise the line is reported.
- Discontinuous spans (``T1 Label 0 5;10 15``), events (``E``), equivalences (``*``),
  and attributes or notes on relations are reported as errors, never merged or dropped.
- ``N`` lines link the span to an entity: ``Factmark:<id>`` keeps the entity id,
  ``Wikidata:<Q…>`` fills ``wikidata``, the line's text is the entity name; references to
  other databases only group spans into one entity.
- Zip entries with an absolute path or a ``..`` component are refused (zip slip), and so
  is an archive whose uncompressed size exceeds ``max_bytes``. ``annotation.conf`` and
  other files, ``__MACOSX/`` and ``._*`` entries are ignored. The record id is the file
  name without ``.txt``; a ``.txt`` without ``.ann`` reads as an article with no
  annotation set.
- brat holds one annotation layer per document and no title or metadata: writing uses
  the first annotation set of each record (the caller picks the sets), and the title,
  meta, entity kinds and aliases are not carried.
- Writing: brat forbids spaces in type, relation and attribute names, so whitespace in
  them becomes ``_``; ``.ann`` text fields are single lines, so line breaks in span text,
  notes and entity names become spaces. Attribute values become strings (whitespace →
  ``_``); ``True`` is a binary attribute and ``False``/``None``/``""`` are left out. Span
  ids become ``T<id>``. File stems are the record ids made safe (``[A-Za-z0-9._-]``)
  and unique (``-2``, ``-3``…), and ``annotation.conf`` listing every entity type,
  relation and attribute seen is written last.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from .common import (
    FormatError,
    StreamBuffer,
    canonical_record,
    entities_by_id,
    first_set,
    make_entity,
    make_record,
    make_relation,
    make_set,
    make_span,
    quote,
)

CONTENT_TYPE = "application/zip"
EXTENSION = "zip"
MAX_BYTES = 200 * 1024 * 1024

# Every character str.splitlines() breaks on: none may appear inside an .ann line.
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_WHITESPACE = re.compile(r"\s")
# Whole numbers are ASCII digits (str.isdigit() also takes "²", which int() refuses); _NUMBER has
# no more of them than int() converts under the lowest limit Python can be set to (640).
_DIGITS = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"[0-9]{1,640}")
_UNSAFE_STEM = re.compile(r"[^A-Za-z0-9._-]")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}
_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError, zlib.error,
                EOFError, OSError, ValueError)


# --- reading ------------------------------------------------------------------------------


def _unsafe(name: str) -> bool:
    parts = re.split(r"[\\/]", name)
    return name.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", name)) or ".." in parts


def read(stream: BinaryIO, *, max_bytes: int = MAX_BYTES,
         annotator: str | None = None) -> Iterator[tuple[str, dict | FormatError]]:
    """Yield ``(name, record)`` per document, or ``(where, FormatError)`` for each problem.

    ``annotator`` names the annotation set of every document.
    """
    if getattr(stream, "seekable", lambda: False)():
        yield from _read_zip(stream, max_bytes, annotator)
        return
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as spooled:  # zipfile needs to seek
        shutil.copyfileobj(stream, spooled)
        spooled.seek(0)
        yield from _read_zip(spooled, max_bytes, annotator)


def _read_zip(stream: BinaryIO, max_bytes: int, annotator: str | None) -> Iterator[tuple[str, dict | FormatError]]:
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError):
        yield "zip", FormatError("zip", "not a zip file")
        return
    except UnicodeDecodeError as exc:  # a name flagged as UTF-8 that is not
        message = f"a file name in the zip is not UTF-8 (byte {exc.object[exc.start]:#04x}); zip it again"
        yield "zip", FormatError("zip", message)
        return
    except (NotImplementedError, ValueError) as exc:  # a format zipfile does not read; offsets out of the file
        yield "zip", FormatError("zip", f"this zip file cannot be read ({exc}); zip it again")
        return
    with archive:
        yield from _read_archive(archive, max_bytes, annotator)


def _read_archive(archive: zipfile.ZipFile, max_bytes: int,
                  annotator: str | None) -> Iterator[tuple[str, dict | FormatError]]:
    members = [info for info in archive.infolist() if not info.is_dir()]
    total = sum(info.file_size for info in members)
    if total > max_bytes:
        message = f"uncompressed size {total} bytes exceeds the limit of {max_bytes} bytes"
        yield "zip", FormatError("zip", message)
        return
    documents: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for info in members:
        name = info.filename
        if _unsafe(name):
            yield name, FormatError(name, "unsafe path in zip (absolute, or with a '..' component)")
            continue
        path = PurePosixPath(name.replace("\\", "/"))
        ignored = not path.parts or path.parts[0] == "__MACOSX" or path.name.startswith("._")  # no name: "."
        if ignored or path.suffix not in (".txt", ".ann"):
            continue
        document = documents.setdefault(path.stem, {})
        if path.suffix in document:
            yield name, FormatError(name, f"same document name as {document[path.suffix].filename}")
            continue
        document[path.suffix] = info

    for stem, document in documents.items():
        txt_info, ann_info = document.get(".txt"), document.get(".ann")
        if txt_info is None:
            yield ann_info.filename, FormatError(ann_info.filename, f"no matching {stem}.txt")
            continue
        try:
            text, shift = _read_text(archive, txt_info)
            content = _read_text(archive, ann_info)[0] if ann_info is not None else None
        except FormatError as error:
            yield error.location, error
            continue
        entities: list[dict] = []
        annotation_sets = []
        if content is not None:
            errors: list[FormatError] = []
            annotation_set, entities = _parse_ann(content, ann_info.filename, txt_info.filename, text, shift,
                                                  annotator, errors)
            if errors:
                for error in errors:
                    yield error.location, error
                continue
            annotation_sets.append(annotation_set)
        yield stem, make_record(id=stem, text=text, annotations=annotation_sets, entities=entities)


def _read_text(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, int]:
    """The member's text and how many characters a dropped byte-order mark took (0 or 1)."""
    try:
        data = archive.read(info)
    except _READ_ERRORS as exc:
        raise FormatError(info.filename, f"cannot be read from the zip: {exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(info.filename, f"not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
                                         f"{exc.start}); save the file as UTF-8") from None
    if text.startswith("\ufeff"):
        return text[1:], 1
    return text, 0


def _flat(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text)


def _same_text(ann_text: str, actual: str) -> bool:
    return _WHITESPACE.sub(" ", ann_text) == _WHITESPACE.sub(" ", actual)


def _parse_ann(content: str, ann_name: str, txt_name: str, text: str, shift: int, annotator: str | None,
               errors: list[FormatError]) -> tuple[dict, list[dict]]:
    spans: dict[str, dict] = {}
    pending_ids: list[tuple[str, dict]] = []
    relation_lines, attribute_lines, norm_lines, note_lines = [], [], [], []
    seen_ids: set[str] = set()
    rejected: set[str] = set()  # T lines already reported: lines pointing at them add no error

    for number, line in enumerate(content.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        location = f"{ann_name} line {number}"

        def error(message: str, location: str = location) -> None:
            errors.append(FormatError(location, message))

        fields = line.split("\t")
        ann_id = fields[0].strip()
        head = fields[1].split() if len(fields) > 1 else []
        tail = "\t".join(fields[2:]) if len(fields) > 2 else None
        kind = ann_id[:1]
        if kind != "*":
            if ann_id in seen_ids:
                error(f"duplicate annotation id {ann_id}")
                continue
            seen_ids.add(ann_id)

        if kind == "T":
            rejected.add(ann_id)
            if len(head) < 3:
                error(f"{ann_id}: expected 'T<n>\\tLabel START END\\ttext'")
                continue
            label, offsets = head[0], fields[1].split(None, 1)[1]
            if ";" in offsets:
                error(f"{ann_id} is a discontinuous span ({offsets.strip()}); Factmark spans are continuous, "
                      "split it into separate spans")
                continue
            if len(head) != 3 or not (_DIGITS.fullmatch(head[1]) and _DIGITS.fullmatch(head[2])):
                error(f"{ann_id}: offsets must be two whole numbers, found {quote(offsets.strip())}")
                continue
            if not (_NUMBER.fullmatch(head[1]) and _NUMBER.fullmatch(head[2])):
                error(f"{ann_id}: offsets {quote(offsets.strip())} are far beyond the end of {txt_name}")
                continue
            start, end = int(head[1]) - shift, int(head[2]) - shift
            if shift:
                start = max(start, 0)
            if 0 <= start < end <= len(text):
                actual = text[start:end]
                if tail is not None and not _same_text(tail, actual):
                    error(f"{ann_id}: text {quote(tail)} does not match {quote(actual)} at {start}–{end} "
                          f"of {txt_name}")
                    continue
                span_text = actual
            else:
                span_text = tail or ""
            span = make_span(id=None, label=label, start=start, end=end, text=span_text)
            spans[ann_id] = span
            pending_ids.append((ann_id, span))
            rejected.discard(ann_id)
        elif kind == "R":
            if len(head) != 3 or not all(":" in arg for arg in head[1:]):
                error(f"{ann_id}: expected 'R<n>\\ttype Arg1:T<a> Arg2:T<b>'")
                continue
            source, target = (arg.split(":", 1)[1] for arg in head[1:])
            relation_lines.append((location, ann_id, head[0], source, target))
        elif kind in ("A", "M"):
            if len(head) < 2:
                error(f"{ann_id}: expected 'A<n>\\tname T<n> [value]'")
                continue
            value: Any = " ".join(head[2:]) if len(head) > 2 else True
            attribute_lines.append((location, head[0], head[1], value))
        elif kind == "N":
            if len(head) != 3 or ":" not in head[2]:
                error(f"{ann_id}: expected 'N<n>\\tReference T<n> DB:ID\\tname'")
                continue
            database, key = head[2].split(":", 1)
            norm_lines.append((location, head[1], database, key, (tail or "").strip()))
        elif kind == "#":
            if len(head) < 2:
                error(f"{ann_id}: expected '#<n>\\tAnnotatorNotes T<n>\\tnote'")
                continue
            note_lines.append((location, head[1], tail or ""))
        elif kind == "E":
            error(f"{ann_id}: events (E lines) are not supported")
        elif kind == "*":
            error("equivalence (*) lines are not supported")
        else:
            error(f"unknown annotation line starting {quote(ann_id)}")

    taken: set[int] = set()
    for ann_id, span in pending_ids:
        number = ann_id[1:]
        if _NUMBER.fullmatch(number) and int(number) not in taken:
            span["id"] = int(number)
            taken.add(span["id"])
    next_id = max(taken, default=0) + 1
    for _ann_id, span in pending_ids:
        if span["id"] is None:
            span["id"], next_id = next_id, next_id + 1

    def target_span(location: str, ref: str, what: str) -> dict | None:
        span = spans.get(ref)
        if span is None and ref in rejected:
            pass
        elif span is None and ref[:1] in ("R", "E", "A", "N", "#"):
            errors.append(FormatError(location, f"{what}: {ref} is not a text-bound (T) annotation; "
                                                "only spans can be linked, annotated or noted"))
        elif span is None:
            errors.append(FormatError(location, f"{what}: {ref} does not exist in this file"))
        return span

    relations = []
    for location, ann_id, kind, source_ref, target_ref in relation_lines:
        source = target_span(location, source_ref, f"{ann_id} Arg1")
        target = target_span(location, target_ref, f"{ann_id} Arg2")
        if source is not None and target is not None:
            relations.append(make_relation(kind, source["id"], target["id"]))
    for location, name, ref, value in attribute_lines:
        span = target_span(location, ref, f"attribute {name}")
        if span is not None:
            span["attributes"][name] = value
    for location, ref, note in note_lines:
        span = target_span(location, ref, "note")
        if span is not None:
            span["note"] = f"{span['note']}\n{note}" if span["note"] else note

    references: dict[int, list[tuple[str, str, str]]] = {}
    span_by_id = {}
    for location, ref, database, key, name in norm_lines:
        span = target_span(location, ref, "normalisation")
        if span is not None:
            references.setdefault(span["id"], []).append((database, key, name))
            span_by_id[span["id"]] = span
    entities = _entities(references, span_by_id)
    annotation_set = make_set(annotator=annotator, spans=list(spans.values()), relations=relations)
    return annotation_set, entities


def _entities(references: dict[int, list[tuple[str, str, str]]], spans: dict[int, dict]) -> list[dict]:
    """Build the entity list from N lines and point each span at its entity."""
    grouped: dict[tuple, dict] = {}
    for span_id, refs in references.items():
        factmark = next((key for db, key, _ in refs if db.casefold() == "factmark" and _NUMBER.fullmatch(key)), None)
        wikidata = next((key for db, key, _ in refs if db.casefold() == "wikidata"), "")
        if factmark is not None:
            group = ("factmark", int(factmark))
        elif wikidata:
            group = ("wikidata", wikidata)
        else:
            group = (refs[0][0].casefold(), refs[0][1])
        name = next((name for _, _, name in refs if name), spans[span_id]["text"])
        entity = grouped.setdefault(group, make_entity(id=int(factmark) if factmark else None, name=name))
        if wikidata and not entity["wikidata"]:
            entity["wikidata"] = wikidata
        spans[span_id]["entity"] = group
    next_id = max((entity["id"] for entity in grouped.values() if entity["id"] is not None), default=0) + 1
    for entity in grouped.values():
        if entity["id"] is None:
            entity["id"], next_id = next_id, next_id + 1
    for span in spans.values():
        span["entity"] = grouped[span["entity"]]["id"]
    return list(grouped.values())


# --- writing ------------------------------------------------------------------------------


def _name(value: str) -> str:
    """A brat type, relation or attribute name: no whitespace."""
    return _WHITESPACE.sub("_", value)


def _stem(record_id: str, used: set[str]) -> str:
    stem = _UNSAFE_STEM.sub("_", record_id).strip("._")[:100] or "document"
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    candidate, number = stem, 2
    while candidate.casefold() in used:
        candidate, number = f"{stem}-{number}", number + 1
    used.add(candidate.casefold())
    return candidate


class _Config:
    """What annotation.conf must declare, collected while writing."""

    def __init__(self) -> None:
        self.entities: dict[str, None] = {}
        self.relations: dict[str, tuple[dict, dict]] = {}
        self.attributes: dict[str, tuple[dict, dict]] = {}

    def render(self) -> str:
        def join(values: dict) -> str:
            return "|".join(values)

        lines = ["[entities]", *self.entities, "", "[relations]"]
        lines += [f"{kind}\tArg1:{join(sources)}, Arg2:{join(targets)}"
                  for kind, (sources, targets) in self.relations.items()]
        lines += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", ""]
        lines += ["[events]", "", "[attributes]"]
        for name, (labels, values) in self.attributes.items():
            lines.append(f"{name}\tArg:{join(labels)}" + (f", Value:{join(values)}" if values else ""))
        return "\n".join(lines) + "\n"


def _ann(record: dict, config: _Config) -> str:
    """The .ann text of a record's first annotation set: T, R, A, N then # lines."""
    annotation_set = first_set(record) or {"spans": [], "relations": []}
    entities = entities_by_id(record)
    text_bound, relations, attributes, norms, notes = [], [], [], [], []
    labels = {}
    for span in annotation_set["spans"]:
        label = _name(span["label"])
        labels[span["id"]] = label
        config.entities[label] = None
        text_bound.append(f"T{span['id']}\t{label} {span['start']} {span['end']}\t{_flat(span['text'])}")
    for relation in annotation_set["relations"]:
        kind = _name(relation["type"])
        sources, targets = config.relations.setdefault(kind, ({}, {}))
        sources[labels.get(relation["source"], "<ENTITY>")] = None
        targets[labels.get(relation["target"], "<ENTITY>")] = None
        arguments = f"Arg1:T{relation['source']} Arg2:T{relation['target']}"
        relations.append(f"R{len(relations) + 1}\t{kind} {arguments}")
    for span in annotation_set["spans"]:
        target = f"T{span['id']}"
        for name, value in span["attributes"].items():
            if value is None or value is False or value == "":
                continue
            name = _name(name)
            allowed_labels, values = config.attributes.setdefault(name, ({}, {}))
            allowed_labels[labels[span["id"]]] = None
            if value is True:
                attributes.append(f"A{len(attributes) + 1}\t{name} {target}")
            else:
                value = _name(value if isinstance(value, str) else str(value))
                values[value] = None
                attributes.append(f"A{len(attributes) + 1}\t{name} {target} {value}")
        entity = entities.get(span["entity"]) if span["entity"] is not None else None
        if entity is not None:
            name = _flat(entity.get("name") or "")
            norms.append(f"N{len(norms) + 1}\tReference {target} Factmark:{entity['id']}\t{name}")
            if entity.get("wikidata"):
                norms.append(f"N{len(norms) + 1}\tReference {target} Wikidata:{entity['wikidata']}\t{name}")
        if span["note"]:
            notes.append(f"#{len(notes) + 1}\tAnnotatorNotes {target}\t{_flat(span['note'])}")
    return "".join(line + "\n" for line in (*text_bound, *relations, *attributes, *norms, *notes))


def _add(archive: zipfile.ZipFile, name: str, data: bytes, stamp: tuple) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def write(records: Iterable[dict]) -> Iterator[bytes]:
    """Yield a zip archive in pieces: one ``.txt``/``.ann`` pair per record, then ``annotation.conf``."""
    sink = StreamBuffer()
    stamp = time.localtime()[:6]
    config = _Config()
    used: set[str] = set()
    with zipfile.ZipFile(sink, "w") as archive:
        for number, record in enumerate(records, 1):
            record = canonical_record(record, f"record {number}")
            stem = _stem(record["id"], used)
            _add(archive, f"{stem}.txt", record["text"].encode("utf-8"), stamp)
            _add(archive, f"{stem}.ann", _ann(record, config).encode("utf-8"), stamp)
            yield sink.drain()
        _add(archive, "annotation.conf", config.render().encode("utf-8"), stamp)
    yield sink.drain()
