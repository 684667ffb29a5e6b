"""Text normalisation (docs/design.md, rule 2) and the offset map that goes with it.

Article text is normalised once, at import: line endings become ``\\n`` and
Unicode becomes NFC.  Offsets that arrive with imported spans refer to the raw
text, so :func:`normalise` also returns a map from every raw code-point offset to
the offset of the same place in the normalised text.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Normalised:
    text: str
    # offsets[i] is where raw offset i lands in ``text``; len(offsets) == len(raw) + 1
    offsets: list[int]

    def map(self, raw_offset: int) -> int:
        return self.offsets[raw_offset]


def _segments(raw: str):
    """Split ``raw`` into pieces that NFC normalises independently.

    A piece is a starter followed by the non-starters that attach to it.  Hangul
    jamo compose across starters, so a run of them stays in one piece.
    """
    start = 0
    for i in range(1, len(raw)):
        ch = raw[i]
        if unicodedata.combining(ch):
            continue
        if "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f":
            prev = raw[i - 1]
            if "\u1100" <= prev <= "\u11ff" or "\uac00" <= prev <= "\ud7a3":
                continue
        yield start, i
        start = i
    if raw:
        yield start, len(raw)


def normalise(raw: str) -> Normalised:
    """Return ``raw`` with ``\\r\\n``/``\\r`` turned into ``\\n`` and NFC applied."""
    out: list[str] = []
    offsets: list[int] = []
    pos = 0
    i = 0
    n = len(raw)
    # Line endings first, character by character, keeping the map.
    lf: list[str] = []
    lf_offsets: list[int] = []
    while i < n:
        ch = raw[i]
        lf_offsets.append(len(lf))
        if ch == "\r":
            lf.append("\n")
            if i + 1 < n and raw[i + 1] == "\n":
                lf_offsets.append(len(lf))  # the \n of \r\n lands after the new \n
                i += 1
        else:
            lf.append(ch)
        i += 1
    lf_offsets.append(len(lf))
    lf_text = "".join(lf)

    # Then NFC, piece by piece, so that offsets at piece boundaries map exactly.
    nfc_offsets = [0] * (len(lf_text) + 1)
    for a, b in _segments(lf_text):
        piece = unicodedata.normalize("NFC", lf_text[a:b])
        for k in range(a, b):
            # A place inside a piece that NFC changed maps to the piece's start.
            nfc_offsets[k] = pos if (k == a or piece != lf_text[a:b]) else pos + (k - a)
        out.append(piece)
        pos += len(piece)
    nfc_offsets[len(lf_text)] = pos
    text = "".join(out)
    if text != unicodedata.normalize("NFC", lf_text):  # pragma: no cover - exotic scripts
        text = unicodedata.normalize("NFC", lf_text)
        nfc_offsets = [0] * len(lf_text) + [len(text)]
    offsets = [nfc_offsets[k] for k in lf_offsets]
    return Normalised(text=text, offsets=offsets)


def normalised_text(raw: str) -> str:
    """``normalise(raw).text`` without the offset map, for text that comes with no offsets
    (articles added through the API): line endings to ``\n``, then NFC, in one pass each."""
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))


def content_hash(text: str) -> str:
    """The hash that catches duplicate articles in a project."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def unstorable_at(text: str) -> int | None:
    """Where ``text`` first holds a character no database stores (NUL, a lone UTF-16
    surrogate as JSON's ``"\\ud800"`` decodes to), or None."""
    found = text.find("\x00")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            found = exc.start if found < 0 else min(found, exc.start)
    return found if found >= 0 else None


def _scalars(value: Any) -> Iterator[Any]:
    """Every value in ``value`` that is not a list or an object (keys included), in no
    particular order. Walks without recursing: a file may nest lists as deep as the JSON
    parser goes."""
    pending = [value]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        else:
            yield value


def unstorable(value: Any) -> bool:
    return any(isinstance(item, str) and unstorable_at(item) is not None for item in _scalars(value))


def not_finite(value: Any) -> bool:
    """Whether ``value`` holds NaN or an infinity, which Python's json reads and writes but
    JSON columns refuse."""
    return any(isinstance(item, float) and not math.isfinite(item) for item in _scalars(value))
