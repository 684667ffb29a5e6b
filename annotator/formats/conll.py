"""CoNLL 2003 with BIO tags, for one label layer (write only).

Each record's first annotation set (restricted to ``labels`` when given) becomes tokens
tagged ``B-``/``I-``/``O``, sentence by sentence. Only labels and their extent are kept:
relations, attributes, notes, entities, title, meta and the other annotation sets are
not, and where spans overlap only the one the overlap rule picks is. There is no reader.

Each document starts with ``-DOCSTART- -X- -X- O`` and a blank line; each sentence is a
run of ``TOKEN -X- _ TAG`` lines followed by a blank line.

Rules chosen here:

- Tokens: a run of word characters (``\\w+``) or any single other non-space character,
  so ``Lavrov's`` is ``Lavrov ' s`` and an emoji is one token per code point.
- Sentences end after a ``.``, ``!`` or ``?`` token followed by whitespace and an
  uppercase letter, or by whitespace containing a newline; a blank line (paragraph
  break) always ends a sentence. No abbreviation list: ``Mr. Lavrov`` splits.
- The layer is the first annotation set of each record (the caller picks the sets),
  restricted to ``labels`` when given. A token that overlaps a span gets its tag: ``B-``
  for the span's first token, ``I-`` after; whitespace in label names becomes ``_``.
- Overlaps: among overlapping spans, the longer one wins, ties go to the earlier start,
  then to the label name in alphabetical order; a losing span is dropped wholly (none of
  its tokens are tagged with it). A token touched by two kept spans (both ending or
  starting inside it) goes to the first span kept.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator

from .common import canonical_record, first_set

CONTENT_TYPE = "text/plain; charset=utf-8"
EXTENSION = "conll"

DOCSTART = "-DOCSTART- -X- -X- O"
_TOKEN = re.compile(r"\w+|[^\w\s]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_END_PUNCTUATION = re.compile(r"[.!?](\s+)")


def tokenize(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every token of ``text``."""
    return [match.span() for match in _TOKEN.finditer(text)]


def sentence_breaks(text: str) -> list[int]:
    """Character offsets where a new sentence may start (see the module docstring)."""
    breaks = [match.start() for match in _PARAGRAPH_BREAK.finditer(text)]
    for match in _END_PUNCTUATION.finditer(text):
        gap = match.group(1)
        if "\n" in gap or (match.end(1) < len(text) and text[match.end(1)].isupper()):
            breaks.append(match.end(1))
    return sorted(breaks)


def sentences(text: str, tokens: list[tuple[int, int]]) -> list[list[int]]:
    """Token indexes grouped into sentences."""
    groups: list[list[int]] = []
    current: list[int] = []
    breaks = iter(sentence_breaks(text))
    next_break = next(breaks, None)
    for index, (start, _end) in enumerate(tokens):
        if next_break is not None and start >= next_break:
            if current:
                groups.append(current)
                current = []
            while next_break is not None and start >= next_break:
                next_break = next(breaks, None)
        current.append(index)
    if current:
        groups.append(current)
    return groups


def resolve_overlaps(spans: Iterable[dict]) -> list[dict]:
    """The spans kept under the overlap rule (see the module docstring), in text order."""
    ranked = sorted(spans, key=lambda span: (-(span["end"] - span["start"]), span["start"], span["label"]))
    kept: list[dict] = []
    for span in ranked:
        if all(span["end"] <= other["start"] or other["end"] <= span["start"] for other in kept):
            kept.append(span)
    return sorted(kept, key=lambda span: span["start"])


def tags(text: str, spans: Iterable[dict]) -> tuple[list[tuple[int, int]], list[str]]:
    """Tokens of ``text`` and the BIO tag of each."""
    tokens = tokenize(text)
    token_ends = [end for _, end in tokens]
    labels = ["O"] * len(tokens)
    for span in resolve_overlaps(spans):
        label = re.sub(r"\s", "_", span["label"])
        first = True
        index = bisect.bisect_right(token_ends, span["start"])
        while index < len(tokens) and tokens[index][0] < span["end"]:
            if labels[index] == "O":
                labels[index] = ("B-" if first else "I-") + label
                first = False
            index += 1
    return tokens, labels


def write(records: Iterable[dict], *, labels: Iterable[str] | None = None) -> Iterator[bytes]:
    """Yield one document at a time; ``labels`` restricts the layer to those label names."""
    wanted = set(labels) if labels is not None else None
    for number, record in enumerate(records, 1):
        record = canonical_record(record, f"record {number}")
        text = record["text"]
        annotation_set = first_set(record)
        spans = [span for span in (annotation_set["spans"] if annotation_set else [])
                 if wanted is None or span["label"] in wanted]
        tokens, token_tags = tags(text, spans)
        lines = [DOCSTART, ""]
        for sentence in sentences(text, tokens):
            lines.extend(f"{text[tokens[i][0]:tokens[i][1]]} -X- _ {token_tags[i]}" for i in sentence)
            lines.append("")
        yield ("\n".join(lines) + "\n").encode("utf-8")
