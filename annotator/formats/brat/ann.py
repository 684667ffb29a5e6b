"""brat standoff, reading one ``.ann`` file: its lines become one annotation set and entities.

:class:`AnnReader` reads T (text-bound span), R (relation), A/M (attribute), N
(normalisation: entity link) and ``#`` (annotator note) lines, one method per line kind
chosen by the first character of the line's id, then links the lines that point at spans.
It keeps what Factmark can hold and reports, with the file name and line number, every
line it refuses: discontinuous spans, events (E), equivalences (``*``), unknown kinds,
duplicate ids, offsets that are not whole numbers, span text that does not match the
``.txt``, and references to anything but a span. The rules are in the package docstring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..common import FormatError, make_entity, make_relation, make_set, make_span, quote

_WHITESPACE = re.compile(r"\s")
# Whole numbers are ASCII digits (str.isdigit() also takes "²", which int() refuses); _NUMBER has
# no more of them than int() converts under the lowest limit Python can be set to (640).
_DIGITS = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"[0-9]{1,640}")


def _same_text(ann_text: str, actual: str) -> bool:
    return _WHITESPACE.sub(" ", ann_text) == _WHITESPACE.sub(" ", actual)


class _Line(NamedTuple):
    """One non-blank ``.ann`` line cut into its fields."""

    location: str
    ann_id: str
    fields: list[str]
    head: list[str]  # the second field split on whitespace: type and arguments
    tail: str | None  # the third field onwards (the text), None when the line has no third field

    @classmethod
    def parse(cls, location: str, line: str) -> _Line:
        fields = line.split("\t")
        head = fields[1].split() if len(fields) > 1 else []
        tail = "\t".join(fields[2:]) if len(fields) > 2 else None
        return cls(location, fields[0].strip(), fields, head, tail)


@dataclass
class AnnReader:
    """Reads one ``.ann`` file: one method per line kind, then links what the lines point at.

    Lines are read in order; lines that point at spans (R, A/M, N, #) are kept until every
    T line is read, so a line may point at a span defined further down.
    """

    ann_name: str
    txt_name: str
    text: str  # the .txt content, a byte-order mark dropped
    shift: int  # characters the dropped byte-order mark took (0 or 1): the .ann offsets count it
    errors: list[FormatError]  # every problem found, in order
    spans: dict[str, dict] = field(default_factory=dict)  # T id → span, in file order
    relation_lines: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    attribute_lines: list[tuple[str, str, str, Any]] = field(default_factory=list)
    norm_lines: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    note_lines: list[tuple[str, str, str]] = field(default_factory=list)
    seen_ids: set[str] = field(default_factory=set)
    rejected: set[str] = field(default_factory=set)  # T lines already reported: lines pointing at them add no error

    def read(self, content: str, annotator: str | None) -> tuple[dict, list[dict]]:
        """The annotation set and entities of the file; problems go to ``errors``."""
        for number, line in enumerate(content.split("\n"), 1):
            line = line.removesuffix("\r")
            if line.strip():
                self.read_line(_Line.parse(f"{self.ann_name} line {number}", line))
        self._number_spans()
        relations = self._relations()
        self._attach_attributes()
        self._attach_notes()
        entities = self._normalisations()
        return make_set(annotator=annotator, spans=list(self.spans.values()), relations=relations), entities

    def error(self, line: _Line, message: str) -> None:
        self.errors.append(FormatError(line.location, message))

    def read_line(self, line: _Line) -> None:
        """Check the id is new (``*`` lines have none), then hand the line to the reader of its kind."""
        kind = line.ann_id[:1]
        if kind != "*":
            if line.ann_id in self.seen_ids:
                self.error(line, f"duplicate annotation id {line.ann_id}")
                return
            self.seen_ids.add(line.ann_id)
        _LINE_READERS.get(kind, AnnReader._unknown)(self, line)

    # --- one reader per line kind ----------------------------------------------------------

    def _text_bound(self, line: _Line) -> None:
        """``T1\\tLabel START END\\ttext``: a span."""
        self.rejected.add(line.ann_id)
        offsets = self._offsets(line)
        if offsets is None:
            return
        start, end = offsets
        if 0 <= start < end <= len(self.text):
            actual = self.text[start:end]
            if line.tail is not None and not _same_text(line.tail, actual):
                self.error(line, f"{line.ann_id}: text {quote(line.tail)} does not match {quote(actual)} at "
                                 f"{start}–{end} of {self.txt_name}")
                return
            span_text = actual
        else:
            span_text = line.tail or ""
        self.spans[line.ann_id] = make_span(id=None, label=line.head[0], start=start, end=end, text=span_text)
        self.rejected.discard(line.ann_id)

    def _offsets(self, line: _Line) -> tuple[int, int] | None:
        """A T line's offsets in the text (a dropped byte-order mark taken off), or None once reported."""
        ann_id, head = line.ann_id, line.head
        if len(head) < 3:
            self.error(line, f"{ann_id}: expected 'T<n>\\tLabel START END\\ttext'")
            return None
        offsets = line.fields[1].split(None, 1)[1]
        if ";" in offsets:
            self.error(line, f"{ann_id} is a discontinuous span ({offsets.strip()}); Factmark spans are "
                             "continuous, split it into separate spans")
            return None
        if len(head) != 3 or not (_DIGITS.fullmatch(head[1]) and _DIGITS.fullmatch(head[2])):
            self.error(line, f"{ann_id}: offsets must be two whole numbers, found {quote(offsets.strip())}")
            return None
        if not (_NUMBER.fullmatch(head[1]) and _NUMBER.fullmatch(head[2])):
            self.error(line, f"{ann_id}: offsets {quote(offsets.strip())} are far beyond the end of "
                             f"{self.txt_name}")
            return None
        start, end = int(head[1]) - self.shift, int(head[2]) - self.shift
        if self.shift:
            start = max(start, 0)
        return start, end

    def _relation(self, line: _Line) -> None:
        """``R1\\ttype Arg1:T<a> Arg2:T<b>``."""
        head = line.head
        if len(head) != 3 or not all(":" in arg for arg in head[1:]):
            self.error(line, f"{line.ann_id}: expected 'R<n>\\ttype Arg1:T<a> Arg2:T<b>'")
            return
        source, target = (arg.split(":", 1)[1] for arg in head[1:])
        self.relation_lines.append((line.location, line.ann_id, head[0], source, target))

    def _attribute(self, line: _Line) -> None:
        """``A1\\tname T<n> [value]`` (or ``M1``, brat's older name): no value means True."""
        head = line.head
        if len(head) < 2:
            self.error(line, f"{line.ann_id}: expected 'A<n>\\tname T<n> [value]'")
            return
        value: Any = " ".join(head[2:]) if len(head) > 2 else True
        self.attribute_lines.append((line.location, head[0], head[1], value))

    def _normalisation(self, line: _Line) -> None:
        """``N1\\tReference T<n> DB:ID\\tname``: an entity link."""
        head = line.head
        if len(head) != 3 or ":" not in head[2]:
            self.error(line, f"{line.ann_id}: expected 'N<n>\\tReference T<n> DB:ID\\tname'")
            return
        database, key = head[2].split(":", 1)
        self.norm_lines.append((line.location, head[1], database, key, (line.tail or "").strip()))

    def _note(self, line: _Line) -> None:
        """``#1\\tAnnotatorNotes T<n>\\tnote``."""
        if len(line.head) < 2:
            self.error(line, f"{line.ann_id}: expected '#<n>\\tAnnotatorNotes T<n>\\tnote'")
            return
        self.note_lines.append((line.location, line.head[1], line.tail or ""))

    def _event(self, line: _Line) -> None:
        self.error(line, f"{line.ann_id}: events (E lines) are not supported")

    def _equivalence(self, line: _Line) -> None:
        self.error(line, "equivalence (*) lines are not supported")

    def _unknown(self, line: _Line) -> None:
        self.error(line, f"unknown annotation line starting {quote(line.ann_id)}")

    # --- after every line: ids, then what the lines point at -------------------------------

    def _number_spans(self) -> None:
        """Span ids: the number of ``T<n>`` when it is free, else the next free number after all of them."""
        taken: set[int] = set()
        for ann_id, span in self.spans.items():
            number = ann_id[1:]
            if _NUMBER.fullmatch(number) and int(number) not in taken:
                span["id"] = int(number)
                taken.add(span["id"])
        next_id = max(taken, default=0) + 1
        for span in self.spans.values():
            if span["id"] is None:
                span["id"], next_id = next_id, next_id + 1

    def _target_span(self, location: str, ref: str, what: str) -> dict | None:
        """The span ``ref`` names, or None (reported unless its T line already was)."""
        span = self.spans.get(ref)
        if span is None and ref in self.rejected:
            pass
        elif span is None and ref[:1] in ("R", "E", "A", "N", "#"):
            self.errors.append(FormatError(location, f"{what}: {ref} is not a text-bound (T) annotation; "
                                                     "only spans can be linked, annotated or noted"))
        elif span is None:
            self.errors.append(FormatError(location, f"{what}: {ref} does not exist in this file"))
        return span

    def _relations(self) -> list[dict]:
        relations = []
        for location, ann_id, kind, source_ref, target_ref in self.relation_lines:
            source = self._target_span(location, source_ref, f"{ann_id} Arg1")
            target = self._target_span(location, target_ref, f"{ann_id} Arg2")
            if source is not None and target is not None:
                relations.append(make_relation(kind, source["id"], target["id"]))
        return relations

    def _attach_attributes(self) -> None:
        for location, name, ref, value in self.attribute_lines:
            span = self._target_span(location, ref, f"attribute {name}")
            if span is not None:
                span["attributes"][name] = value

    def _attach_notes(self) -> None:
        for location, ref, note in self.note_lines:
            span = self._target_span(location, ref, "note")
            if span is not None:
                span["note"] = f"{span['note']}\n{note}" if span["note"] else note

    def _normalisations(self) -> list[dict]:
        """The entities the N lines name; each linked span points at its entity."""
        references: dict[int, list[tuple[str, str, str]]] = {}
        span_by_id = {}
        for location, ref, database, key, name in self.norm_lines:
            span = self._target_span(location, ref, "normalisation")
            if span is not None:
                references.setdefault(span["id"], []).append((database, key, name))
                span_by_id[span["id"]] = span
        return _group_entities(references, span_by_id)


# The reader of each line kind, by the first character of the line's id.
_LINE_READERS = {
    "T": AnnReader._text_bound,
    "R": AnnReader._relation,
    "A": AnnReader._attribute,
    "M": AnnReader._attribute,
    "N": AnnReader._normalisation,
    "#": AnnReader._note,
    "E": AnnReader._event,
    "*": AnnReader._equivalence,
}


def _group_entities(references: dict[int, list[tuple[str, str, str]]], spans: dict[int, dict]) -> list[dict]:
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
