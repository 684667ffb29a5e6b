"""What every recommender proposes: spans (:class:`Proposal`) and links between them
(:class:`ProposedRelation`), the knowledge-base entries they read (:class:`KnownEntity`), and the
word helpers they share. Plain Python."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

ACTOR, QUOTE, CUE, CLAIM = "Actor", "Quote", "Cue", "Claim"
SAID_BY, CUE_OF, CLAIMED_BY = "said_by", "cue", "claimed_by"

WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


@dataclass(slots=True)
class Proposal:
    """A proposed span: ``[start, end)`` in code points, a score in [0, 1] and the recommender's name."""

    label: str
    start: int
    end: int
    score: float
    source: str
    entity: int | None = None  # a KnownEntity id
    attributes: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.label, self.start, self.end)


@dataclass(slots=True)
class ProposedRelation:
    """A proposed link between two proposals, named by their keys (label, start, end)."""

    type: str
    source: tuple[str, int, int]
    target: tuple[str, int, int]
    score: float


@dataclass(slots=True)
class KnownEntity:
    id: int
    name: str
    aliases: list[str] = field(default_factory=list)
    kind: str = "person"


def is_word_char(char: str) -> bool:
    return char.isalnum()


def whole_word(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` neither starts nor ends inside a word."""
    return (start == 0 or not is_word_char(text[start - 1])) and (end == len(text) or not is_word_char(text[end]))


def same_length_lower(text: str) -> str:
    """``text`` in lower case, one character for one (offsets stay valid)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def clamp(score: float) -> float:
    return max(0.0, min(1.0, round(score, 4)))
