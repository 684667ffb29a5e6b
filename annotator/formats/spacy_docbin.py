"""spaCy DocBin (``.spacy``), for training spaCy pipelines (write only, optional).

Each record's first annotation set (restricted to ``labels`` when given) becomes the
span group and the entities of a spaCy ``Doc``, with the id, title and meta in its
``user_data``; relations, attributes, notes and entity links are left out. There is no
reader.

Needs spaCy (``pip install .[spacy]``): :func:`missing` says, without importing it,
whether this installation lacks it (the Datasets page and ``export_dataset`` then do not
offer the format); without it :func:`write` raises :class:`FormatError`
``("spacy", "install the spacy extra: pip install .[spacy]")`` when called.

Rules chosen here:

- Documents are tokenised with ``spacy.blank(lang)`` (default ``"xx"``, multi-language).
- Every span of the first annotation set (restricted to ``labels`` when given) goes into
  the span group ``doc.spans[spans_key]`` (overlaps allowed); ``doc.ents`` holds the
  non-overlapping subset chosen by ``spacy.util.filter_spans`` (longest first, as in the
  CoNLL export). Spans are snapped outwards to token boundaries.
- The record id, title and meta go into ``doc.user_data``.
- A DocBin is one serialised blob, so unlike the other writers this one holds the whole
  corpus in memory and yields once at the end.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Iterator

from .common import FormatError, canonical_record, first_set

CONTENT_TYPE = "application/octet-stream"
EXTENSION = "spacy"

INSTALL_HINT = "install the spacy extra: pip install .[spacy]"


def missing() -> str | None:
    """What this installation lacks to write DocBin files, or None when nothing is missing."""
    if importlib.util.find_spec("spacy") is None:
        return "spaCy is not installed on this server (pip install .[spacy])"
    return None


def _spacy():
    try:
        import spacy
        from spacy.tokens import DocBin
    except ImportError:
        raise FormatError("spacy", INSTALL_HINT) from None
    return spacy, DocBin


def write(records: Iterable[dict], *, labels: Iterable[str] | None = None, lang: str = "xx",
          spans_key: str = "sc") -> Iterator[bytes]:
    """Return an iterator yielding the DocBin bytes; raises :class:`FormatError` without spaCy."""
    spacy, doc_bin_class = _spacy()
    wanted = set(labels) if labels is not None else None
    return _generate(records, spacy, doc_bin_class, wanted, lang, spans_key)


def _generate(records, spacy, doc_bin_class, wanted, lang, spans_key) -> Iterator[bytes]:
    nlp = spacy.blank(lang)
    doc_bin = doc_bin_class(store_user_data=True)
    for number, record in enumerate(records, 1):
        record = canonical_record(record, f"record {number}")
        doc = nlp.make_doc(record["text"])
        annotation_set = first_set(record)
        spans = []
        for span in annotation_set["spans"] if annotation_set else []:
            if wanted is not None and span["label"] not in wanted:
                continue
            char_span = doc.char_span(span["start"], span["end"], label=span["label"],
                                      alignment_mode="expand")
            if char_span is not None:
                spans.append(char_span)
        doc.spans[spans_key] = spans
        doc.ents = spacy.util.filter_spans(spans)
        doc.user_data["id"] = record["id"]
        doc.user_data["title"] = record["title"]
        doc.user_data["meta"] = record["meta"]
        doc_bin.add(doc)
    yield doc_bin.to_bytes()
