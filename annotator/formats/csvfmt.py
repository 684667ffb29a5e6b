"""CSV: articles in; claims, quotes or spans tables out.

Reading keeps articles only (id, title, text, every other column as meta) and refuses,
with its row number, a header without a ``text`` column, a row with more cells than the
header, an empty text, text that is not UTF-8 and CSV that cannot be parsed. Writing
flattens the annotation sets passed in into one table of spans, each cell safe to open
in a spreadsheet; relations become the claimant, speaker and cue columns (a list of
``type:target`` in the spans table), and nothing reads the tables back.

Reading takes a header row and one article per row. ``text`` is required; ``id`` (or
``external_id``) becomes the record id ("" when absent: the caller assigns one),
``title`` the title, and ``source``, ``url``, ``published``, ``author``, ``language`` and
every other column go into ``meta`` (empty cells are left out). Rows are numbered as a
spreadsheet shows them: the header is row 1. The delimiter (``,``, ``;`` or tab) is
taken from the header line unless given. Records read here have no annotation sets.

Writing produces one table (``table=``):

- ``claims``: article_id, article_title, annotator, span_id, start, end, text, verdict,
  checkworthy, claimant, note — one row per span labelled ``Claim``; the claimant is the
  target of the claim's ``claimed_by`` relations (its entity's name when linked, else its
  text; several are joined with ``; ``).
- ``quotes``: article_id, article_title, annotator, span_id, start, end, text, type,
  speaker, cue, note — one row per ``Quote`` span; speaker via ``said_by``, cue via ``cue``.
- ``spans``: every span with its label, attributes (JSON), entity and outgoing relations.

Label names match case-insensitively. Every cell goes through :func:`common.csv_safe`,
so a cell starting with ``= + - @`` (or tab/CR) gets a leading ``'``. Rows come from all
annotation sets passed in (the caller filters them).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from .common import FormatError, canonical_record, csv_safe, entities_by_id, make_record

CONTENT_TYPE = "text/csv; charset=utf-8"
EXTENSION = "csv"

META_COLUMNS = ("source", "url", "published", "author", "language")
TABLES = {
    "claims": ("article_id", "article_title", "annotator", "span_id", "start", "end", "text", "verdict",
               "checkworthy", "claimant", "note"),
    "quotes": ("article_id", "article_title", "annotator", "span_id", "start", "end", "text", "type",
               "speaker", "cue", "note"),
    "spans": ("article_id", "article_title", "annotator", "gold", "span_id", "label", "start", "end", "text",
              "attributes", "entity", "wikidata", "note", "relations"),
}
FIELD_LIMIT = 64 * 1024 * 1024


def read(stream: BinaryIO, *, delimiter: str | None = None) -> Iterator[tuple[str, dict | FormatError]]:
    """Yield ``("row N", record)`` or ``("row N", FormatError)``."""
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)  # articles are longer than the 128 KiB default
    lines = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    row_number = 1
    try:
        header_line = lines.readline()
        if delimiter is None:
            delimiter = max((",", ";", "\t"), key=header_line.count)
        reader = csv.reader(itertools.chain([header_line], lines), delimiter=delimiter)
        header = [name.strip() for name in next(reader, [])]
        if "text" not in header:
            yield "row 1", FormatError("row 1", "the header has no 'text' column")
            return
        for row_number, row in enumerate(reader, 2):
            location = f"row {row_number}"
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                message = f"{len(row)} cells but the header has {len(header)} columns"
                yield location, FormatError(location, message)
                continue
            cells = dict(zip(header, row, strict=False))
            yield location, _record(cells, location)
    except UnicodeDecodeError as exc:
        location = f"row {row_number + 1}"
        yield location, FormatError(location, f"not UTF-8 text ({exc.reason}); save the file as UTF-8")
    except csv.Error as exc:
        location = f"row {row_number + 1}"
        yield location, FormatError(location, f"not valid CSV: {exc}")
    finally:
        lines.detach()


def _record(cells: dict[str, str], location: str) -> dict | FormatError:
    text = cells.get("text", "")
    if not text.strip():
        return FormatError(location, "text is empty")
    record_id = cells.get("id") or cells.get("external_id") or ""
    meta = {name: value for name, value in cells.items()
            if name and value != "" and name not in ("id", "external_id", "title", "text")}
    if cells.get("id") and cells.get("external_id"):
        meta["external_id"] = cells["external_id"]
    ordered = {name: meta.pop(name) for name in META_COLUMNS if name in meta}
    ordered.update(meta)
    return make_record(id=record_id, title=cells.get("title") or "", text=text, meta=ordered)


def _row(values: Iterable) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_safe(value) for value in values])
    return buffer.getvalue().encode("utf-8")


def _linked(span: dict, kind: str, outgoing: dict, spans: dict[int, dict], entities: dict) -> str:
    """Names of the targets of ``span``'s relations of ``kind``: entity name if linked, else span text."""
    names = []
    for span_id in outgoing.get((span["id"], kind), []):
        span = spans.get(span_id)
        if span is None:
            continue
        entity = entities.get(span["entity"]) if span["entity"] is not None else None
        names.append(entity["name"] if entity and entity.get("name") else span["text"])
    return "; ".join(names)


def write(records: Iterable[dict], *, table: str = "claims", claim_label: str = "Claim",
          quote_label: str = "Quote", bom: bool = False) -> Iterator[bytes]:
    """Yield the header row, then one row per span of the table's kind.

    ``bom=True`` starts the file with a UTF-8 byte-order mark, which Excel needs to
    recognise UTF-8.
    """
    if table not in TABLES:
        raise ValueError(f"table must be one of {', '.join(TABLES)}, not {table!r}")
    wanted = {"claims": claim_label, "quotes": quote_label}.get(table, "").casefold()
    yield (b"\xef\xbb\xbf" if bom else b"") + _row(TABLES[table])
    for number, record in enumerate(records, 1):
        record = canonical_record(record, f"record {number}")
        entities = entities_by_id(record)
        chunk = []
        for annotation_set in record["annotations"]:
            spans = {span["id"]: span for span in annotation_set["spans"]}
            outgoing: dict[tuple[int, str], list[int]] = {}
            for relation in annotation_set["relations"]:
                outgoing.setdefault((relation["source"], relation["type"]), []).append(relation["target"])
            head = (record["id"], record["title"], annotation_set["annotator"])
            for span in annotation_set["spans"]:
                if wanted and span["label"].casefold() != wanted:
                    continue
                attributes = span["attributes"]
                position = (span["id"], span["start"], span["end"], span["text"])
                if table == "claims":
                    values = (*head, *position, attributes.get("verdict"), attributes.get("checkworthy"),
                              _linked(span, "claimed_by", outgoing, spans, entities), span["note"])
                elif table == "quotes":
                    values = (*head, *position, attributes.get("type"),
                              _linked(span, "said_by", outgoing, spans, entities),
                              _linked(span, "cue", outgoing, spans, entities), span["note"])
                else:
                    entity = (entities.get(span["entity"]) if span["entity"] is not None else None) or {}
                    relations = "; ".join(f"{relation['type']}:{relation['target']}"
                                          for relation in annotation_set["relations"]
                                          if relation["source"] == span["id"])
                    encoded = json.dumps(attributes, ensure_ascii=False, sort_keys=True) if attributes else ""
                    values = (*head, annotation_set["gold"], span["id"], span["label"], span["start"],
                              span["end"], span["text"], encoded, entity.get("name", ""),
                              entity.get("wikidata", ""), span["note"], relations)
                chunk.append(_row(values))
        if chunk:
            yield b"".join(chunk)
