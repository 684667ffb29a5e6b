"""Factmark JSONL: one article per line, with every annotation set, relation and entity.

Read and written, keeping the whole record, unknown keys included. Reading refuses, with
its line number, a line that is not UTF-8 (and every line after it), not JSON, nested
too deep, not an object, or shaped so it cannot be walked (a list where an object
belongs); offsets and references are checked afterwards, by ``common.check_record``.

This is the lossless format: each line is the record described in ``common`` written with
``json.dumps(record, ensure_ascii=False, separators=(",", ":"))``, keys in the documented
order (unknown keys are kept, after the known ones). A file written here reads back into
the same records and writes out again byte for byte.

Reading skips blank lines, accepts a UTF-8 byte-order mark and fills defaults for keys a
hand-written file leaves out (see :func:`common.canonical_record`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from .common import FormatError, canonical_record, dump_json, foreign_annotations, is_canonical, iter_json_lines

CONTENT_TYPE = "application/x-ndjson"
EXTENSION = "jsonl"


def read(stream: BinaryIO) -> Iterator[tuple[str, dict | FormatError]]:
    """Yield ``("line N", record)``, or ``("line N", FormatError)`` for a bad line."""
    for location, data in iter_json_lines(stream):
        if isinstance(data, FormatError):
            yield location, data
            continue
        if is_canonical(data):  # as this module writes it: nothing to reorder or fill
            yield location, data
            continue
        foreign = foreign_annotations(data, "jsonl", location)
        if foreign is not None:
            yield location, foreign
            continue
        try:
            yield location, canonical_record(data, location)
        except FormatError as error:
            yield location, error


def write(records: Iterable[dict]) -> Iterator[bytes]:
    """Yield one UTF-8 line per record."""
    for number, record in enumerate(records, 1):
        if not is_canonical(record):
            record = canonical_record(record, f"record {number}")
        yield (dump_json(record) + "\n").encode("utf-8")
