"""Exchange formats: plain Python over the Factmark JSONL record (see ``common``).

Which formats Factmark reads (``READABLE``: jsonl, doccano, labelstudio, brat, csv, webanno) and
writes (``WRITABLE``: those and conll, spacy, claimreview); :func:`unavailable` says which
of them this installation cannot write, and why (spaCy DocBin needs spaCy), and
:func:`writable_here` lists the others; :func:`check_record` says what is wrong with a
record a reader yields. The formats touch no Django model and no
database: their only project import besides one another is ``annotator.attributes``.

Each module has ``CONTENT_TYPE``, ``EXTENSION`` and ``write(records, **options)`` that
yields ``bytes`` chunks; readable ones also have ``read(stream, **options)`` that yields
``(location, record | FormatError)`` and goes on after a bad record.
"""

from __future__ import annotations

from . import brat, claimreview, conll, csvfmt, doccano, jsonl, labelstudio, spacy_docbin, webanno
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
    "webanno": webanno,
}
READABLE = {name: FORMATS[name] for name in ("jsonl", "doccano", "labelstudio", "brat", "csv", "webanno")}
WRITABLE = dict(FORMATS)


def unavailable() -> dict[str, str]:
    """Writable formats this installation cannot write: name -> what is missing."""
    reasons = {name: getattr(module, "missing", lambda: None)() for name, module in WRITABLE.items()}
    return {name: reason for name, reason in reasons.items() if reason}


def writable_here() -> list[str]:
    """The names of the formats this installation writes, in the order of ``WRITABLE``."""
    missing = unavailable()
    return [name for name in WRITABLE if name not in missing]


__all__ = ["FORMATS", "READABLE", "WRITABLE", "FormatError", "check_record", "unavailable", "writable_here"]
