"""brat standoff, as a zip of ``NAME.txt`` / ``NAME.ann`` pairs.

Read and written. Reading keeps, per document, one annotation set of spans, relations,
attributes and notes, and the entities its normalisations name; it refuses, with the
member and line, what Factmark cannot hold (discontinuous spans, events, equivalences,
attributes or notes on relations), lines it cannot parse, and unsafe or oversized zips.
Writing carries each record's first annotation set with its entity links, but not the
title, meta, entity kinds or aliases. ``reading`` opens the zip, ``ann`` reads one
``.ann`` file and ``writing`` writes the zip.

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

from .reading import MAX_BYTES, read
from .writing import write

CONTENT_TYPE = "application/zip"
EXTENSION = "zip"

__all__ = ["CONTENT_TYPE", "EXTENSION", "MAX_BYTES", "read", "write"]
