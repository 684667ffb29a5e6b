"""Exchange formats: plain Python over the Factmark JSONL record (see ``common``).

Which formats Factmark reads (``READABLE``: jsonl, doccano, labelstudio, brat, csv) and
writes (``WRITABLE``: those and conll, spacy, claimreview); :func:`check_record` says
what is wrong with a record a reader yields. The formats touch no Django model and no
database: their only project import besides one another is ``annotator.attributes``.

Each module has ``CONTENT_TYPE``, ``EXTENSION`` and ``write(records, **options)`` that
yields ``bytes`` chunks; readable ones also have ``read(stream, **options)`` that yields
``(location, record | FormatError)`` and goes on after a bad record.
"""

from __future__ import annotations

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


__all__ = ["FORMATS", "READABLE", "WRITABLE", "FormatError", "check_record"]
