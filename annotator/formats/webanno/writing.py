"""WebAnno TSV 3.3, writing: a zip in the layout of INCEpTION's project export.

:func:`write` streams one member at a time: per record ``source/<document>`` (the text)
and one TSV per annotation set, ``annotation/<document>/<user>.tsv`` (``INITIAL_CAS.tsv``
for a set that names nobody) or ``curation/<document>/CURATION_USER.tsv`` for gold.
:func:`document` writes one TSV: the spans as the span layer ``webanno.custom.Span``
(features ``label``, one per attribute, and ``identifier`` when a span links an entity)
and the relations as ``webanno.custom.Relation`` (``label``, ``BT_webanno.custom.Span``).

Factmark keeps no tokens, so the writer makes them: sentences end after ``. ! ? …``
(and closing quotes) before white space and at line breaks, and each covers the white
space after it, so the ``#Text`` lines hold the whole text; tokens are runs of word
characters and single other characters. A span boundary inside a token makes sub-tokens
(``1-3.1``); white space a span starts or ends in becomes tokens of its own, and so does
white space at the very start of the text. Offsets are written in UTF-16 units.
"""

from __future__ import annotations

import bisect
import json
import re
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ..common import StreamBuffer, Utf16Offsets, canonical_record, entities_by_id
from ..zips import add_file
from .escaping import escape_text, escape_value
from .reading import GOLD_USER, NOBODY

SPAN_LAYER = "webanno.custom.Span"
RELATION_LAYER = "webanno.custom.Relation"

_TOKEN = re.compile(r"\w+|[^\w\s]")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+|\n\s*")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")
_UNSAFE_FEATURE = re.compile(r"[|\s=]")


@dataclass
class _Unit:
    begin: int
    end: int
    key: str = ""
    spans: list[int] = field(default_factory=list)  # indices into the set's spans, stacked in this order
    relations: list[tuple[str, str]] = field(default_factory=list)  # (escaped type, source reference)


@dataclass
class _Token(_Unit):
    subs: dict[tuple[int, int], _Unit] = field(default_factory=dict)

    def sub(self, begin: int, end: int) -> _Unit:
        if (begin, end) == (self.begin, self.end):
            return self
        return self.subs.setdefault((begin, end), _Unit(begin, end))


def _tokens(text: str, starts: set[int], ends: set[int]) -> list[_Token]:
    """Word and punctuation tokens, and white space tokens where a span starts or ends in white space
    (and at the very start of the text)."""
    found = [(match.start(), match.end()) for match in _TOKEN.finditer(text)]
    edges = [0, *(edge for token in found for edge in token), len(text)]
    cuts = sorted(starts | ends)
    for gap_start, gap_end in zip(edges[::2], edges[1::2], strict=True):
        if gap_start >= gap_end:
            continue
        inside = cuts[bisect.bisect_right(cuts, gap_start):bisect.bisect_left(cuts, gap_end)]
        if inside or gap_start == 0 or gap_start in starts or gap_end in ends:
            points = [gap_start, *inside, gap_end]
            found += list(zip(points, points[1:], strict=False))
    return [_Token(begin, end) for begin, end in sorted(found)]


def _sentence_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in _SENTENCE_END.finditer(text) if match.end() < len(text))]


def _value(value) -> str:
    if value is None:
        return "*"
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False)
    return escape_value(value)


def _identifier(entity: dict | None) -> str | None:
    if entity is None:
        return None
    if entity.get("wikidata"):
        return f"http://www.wikidata.org/entity/{entity['wikidata']}"
    return f"factmark:entity/{entity['id']}"


class _Document:
    """One annotation set of one text, laid out as sentences, tokens and sub-tokens."""

    def __init__(self, text: str, annotation_set: dict, entities: dict):
        self.text = text
        self.spans = annotation_set["spans"]
        self.relations = annotation_set["relations"]
        self.entities = entities
        self.tokens = _tokens(text, {span["start"] for span in self.spans}, {span["end"] for span in self.spans})
        self.begins = [token.begin for token in self.tokens]
        self.units: list[list[_Unit]] = []  # per span, in text order
        self.numbers: dict[int, int] = {}  # span index -> disambiguation id
        self.features = self._features()

    def _features(self) -> list[tuple[str, str]]:
        """(header name, attribute) per feature column: the label, the attributes, the entity link."""
        columns = [("label", "\x00label")]
        used = {"label", "identifier"}
        for span in self.spans:
            for name in span["attributes"]:
                if any(attribute == name for _, attribute in columns):
                    continue
                header = _UNSAFE_FEATURE.sub("_", name) or "attribute"
                candidate, number = header, 2
                while candidate in used:
                    candidate, number = f"{header}_{number}", number + 1
                used.add(candidate)
                columns.append((candidate, name))
        if any(span["entity"] is not None for span in self.spans):
            columns.append(("identifier", "\x00identifier"))
        return columns

    def place_spans(self) -> None:
        for index, span in enumerate(self.spans):
            start, end = span["start"], span["end"]
            first = max(bisect.bisect_right(self.begins, start) - 1, 0)
            units = []
            for token in self.tokens[first:]:
                if token.begin >= end:
                    break
                if token.end > start:
                    units.append(token.sub(max(start, token.begin), min(end, token.end)))
            for unit in units:
                unit.spans.append(index)
            self.units.append(units)
        for index, units in enumerate(self.units):
            if len(units) > 1 or any(len(unit.spans) > 1 for unit in units):
                self.numbers[index] = len(self.numbers) + 1

    def place_relations(self) -> None:
        by_id = {span["id"]: index for index, span in enumerate(self.spans)}
        for relation in self.relations:
            source, target = by_id.get(relation["source"]), by_id.get(relation["target"])
            if source is None or target is None or not self.units[source] or not self.units[target]:
                continue
            source_unit, target_unit = self.units[source][0], self.units[target][0]
            ids = (self._number_if_stacked(source, source_unit), self._number_if_stacked(target, target_unit))
            reference = source_unit.key + (f"[{ids[0]}_{ids[1]}]" if any(ids) else "")
            target_unit.relations.append((escape_value(relation["type"]), reference))

    def _number_if_stacked(self, index: int, unit: _Unit) -> int:
        return self.numbers.get(index, 0) if len(unit.spans) > 1 else 0

    def render(self) -> str:
        lines = ["#FORMAT=WebAnno TSV 3.3", "#T_SP=" + "|".join([SPAN_LAYER, *(name for name, _ in self.features)]),
                 f"#T_RL={RELATION_LAYER}|label|BT_{SPAN_LAYER}", "", ""]
        starts = _sentence_starts(self.text)
        sentences: list[list[_Token]] = [[] for _ in starts]
        for token in self.tokens:
            sentences[bisect.bisect_right(starts, token.begin) - 1].append(token)
        self.place_spans()
        for number, tokens in enumerate(sentences, 1):
            for index, token in enumerate(tokens, 1):
                token.key = f"{number}-{index}"
                ordered = sorted(token.subs.values(), key=lambda unit: (unit.begin, -unit.end))
                for sub_number, unit in enumerate(ordered, 1):
                    unit.key = f"{token.key}.{sub_number}"
        self.place_relations()
        offsets = Utf16Offsets(self.text)
        ends = [*starts[1:], len(self.text)]
        for number, tokens in enumerate(sentences):
            if number:
                lines.append("")
            lines += ["#Text=" + escape_text(line) for line in self.text[starts[number]:ends[number]].split("\n")]
            for token in tokens:
                for unit in [token, *sorted(token.subs.values(), key=lambda unit: (unit.begin, -unit.end))]:
                    lines.append(self._row(unit, offsets))
        return "\n".join(lines) + "\n"

    def _row(self, unit: _Unit, offsets: Utf16Offsets) -> str:
        cells = [unit.key, f"{offsets.to_utf16(unit.begin)}-{offsets.to_utf16(unit.end)}",
                 escape_text(self.text[unit.begin:unit.end])]
        for _, attribute in self.features:
            values = [self._cell(index, attribute) for index in unit.spans]
            cells.append("|".join(values) if values else "_")
        cells.append("|".join(kind for kind, _ in unit.relations) or "_")
        cells.append("|".join(reference for _, reference in unit.relations) or "_")
        return "\t".join(cells) + "\t"

    def _cell(self, index: int, attribute: str) -> str:
        span = self.spans[index]
        if attribute == "\x00label":
            value = escape_value(span["label"])
        elif attribute == "\x00identifier":
            value = _value(_identifier(self.entities.get(span["entity"])) if span["entity"] is not None else None)
        else:
            value = _value(span["attributes"].get(attribute))
        number = self.numbers.get(index)
        return f"{value}[{number}]" if number else value


def document(text: str, annotation_set: dict, entities: dict | None = None) -> str:
    """One annotation set of ``text`` as a WebAnno TSV 3.3 file."""
    return _Document(text, annotation_set, entities or {}).render()


def _safe(name: str, used: set[str], fallback: str) -> str:
    base = _UNSAFE_NAME.sub("_", name).strip(" .")[:150] or fallback
    candidate, number = base, 2
    while candidate.casefold() in used:
        candidate, number = f"{base}-{number}", number + 1
    used.add(candidate.casefold())
    return candidate


def write(records: Iterable[dict]) -> Iterator[bytes]:
    """Yield a zip in pieces: per record its text under ``source/`` and one TSV per annotation set."""
    sink = StreamBuffer()
    stamp = time.localtime()[:6]
    documents: set[str] = set()
    with zipfile.ZipFile(sink, "w") as archive:
        for number, record in enumerate(records, 1):
            record = canonical_record(record, f"record {number}")
            name = _safe(record["id"], documents, "document")
            add_file(archive, f"source/{name}", record["text"].encode("utf-8"), stamp)
            users: set[str] = set()
            entities = entities_by_id(record)
            for annotation_set in record["annotations"]:
                if annotation_set["gold"]:
                    path = f"curation/{name}/{_safe(GOLD_USER, users, GOLD_USER)}.tsv"
                else:
                    path = f"annotation/{name}/{_safe(annotation_set['annotator'] or NOBODY, users, NOBODY)}.tsv"
                add_file(archive, path, document(record["text"], annotation_set, entities).encode("utf-8"), stamp)
            yield sink.drain()
    yield sink.drain()
