"""Exchange formats: plain Python over the Factmark JSONL record (see ``common``).

Which formats Factmark reads (``READABLE``: jsonl, doccano, labelstudio, brat, csv) and
writes (``WRITABLE``: those and conll, spacy, claimreview), and :func:`read_all`, which
reads a whole file and keeps a record only when :func:`check_record` finds it sound,
returning every error found otherwise. The formats touch no Django model and no
database: their only project import besides one another is ``annotator.attributes``.

Each module has ``CONTENT_TYPE``, ``EXTENSION`` and ``write(records, **options)`` that
yields ``bytes`` chunks; readable ones also have ``read(stream, **options)`` that yields
``(location, record | FormatError)`` and goes on after a bad record.
"""

from __future__ import annotations

from typing import BinaryIO

from . import brat, claimreview, conll, csvfmt, doccano, jsonl, labelstudio, spacy_docbin
from .common import FormatError, check_record

FORMATS = {
    "jsonl": jsonl,
    "doccano": doccano,
    "labelstudio": labelstudio,
    "brat": brat,
    "conll": conll,
    "csv": csvfmt,
    "spacy": spacy_docbin,
    "claimreview": claimreview,
}
READABLE = {name: FORMATS[name] for name in ("jsonl", "doccano", "labelstudio", "brat", "csv")}
WRITABLE = dict(FORMATS)


def read_all(name: str, stream: BinaryIO, **options) -> tuple[list[dict], list[FormatError]]:
    """Read a whole file in format ``name`` and check every record.

    Returns the records and every error found (format errors and :func:`check_record`
    findings); an all-or-nothing import proceeds only when the error list is empty.
    """
    records: list[dict] = []
    errors: list[FormatError] = []
    for location, item in READABLE[name].read(stream, **options):
        if isinstance(item, FormatError):
            errors.append(item)
            continue
        problems = check_record(item, location)
        errors.extend(problems)
        if not problems:
            records.append(item)
    return records, errors


__all__ = ["FORMATS", "READABLE", "WRITABLE", "FormatError", "check_record", "read_all"]
