"""Spelling variants: capitalised name sequences close to a known name without being one of its
spellings — transliteration (Jong/Jung, Chol/Chul, Young/Yong), hyphen or space (Moon Jae-in / Moon Jae
In), diacritics (Zelenskyy / Zelenskyi, Müller / Muller), case — suggested as "probably <entity>" with a
lower score than the knowledge base's exact matches.

Each name is folded to a key (no accents, lower case, hyphens as spaces, vowels of romanised names
folded: u→o, eo→o, ee→i…): an equal key is a strong variant, otherwise the folded forms are compared with
rapidfuzz within a block of names sharing their initials, so the cost stays flat in the size of the
knowledge base. A lone family or last name ("President Moon", "Scholz told reporters") is suggested when
exactly one known name has it and it follows a title or that name was mentioned earlier in the text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz

from .common import ACTOR, WORD, KnownEntity, Proposal, strip_accents
from .kb import TITLE_WORDS, TITLES

SOURCE = "spelling-variants"
FOLDED_SCORE, FUZZY_SCORE, TITLED_SCORE, MENTIONED_SCORE = 0.75, 0.6, 0.55, 0.6
FUZZY_CUTOFF = 86.0
MAX_TOKENS = 4

# Romanisations that differ between sources, folded to one spelling (applied in this order, per word).
_FOLDS = [("eo", "o"), ("oo", "u"), ("ee", "i"), ("ou", "u"), ("ae", "e"), ("yy", "y"), ("ck", "k"),
          ("ph", "f"), ("dh", "d"), ("kh", "k"), ("j", "y"), ("u", "o"), ("w", "v"), ("c", "k")]
_DOUBLE = re.compile(r"(.)\1")

# Capitalised words that start sentences or name things other than people often enough to skip alone.
_NOT_NAMES = TITLES | frozenset("""
i it its he she they we you this that these those there here his her their our my your
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december
""".split())


@lru_cache(maxsize=65_536)
def fold_word(word: str) -> str:
    word = strip_accents(word).lower().replace("’", "").replace("'", "")
    for old, new in _FOLDS:
        word = word.replace(old, new)
    return _DOUBLE.sub(r"\1", word)


def fold(name: str) -> str:
    """The key two spellings of one romanised name share."""
    return " ".join(fold_word(word) for word in re.split(r"[\s\-‐–]+", name) if word)


def _initials(key: str) -> str:
    return "".join(word[0] for word in key.split())


class Variants:
    """Known names, folded and blocked, ready to be compared with the names of a text."""

    def __init__(self, entities: Iterable[KnownEntity]):
        self.entities: dict[int, KnownEntity] = {}
        self.exact: set[str] = set()  # spellings as given: not variants
        self.folded: dict[str, set[int]] = {}
        self.blocks: dict[str, list[tuple[str, int]]] = {}
        self.parts: dict[str, set[int]] = {}  # a single folded word of a multi-word name -> entities
        for entity in entities:
            self.entities[entity.id] = entity
            for spelling in [entity.name, *entity.aliases]:
                spelling = " ".join(spelling.split())
                if not spelling:
                    continue
                self.exact.add(spelling)
                key = fold(spelling)
                if entity.id not in self.folded.setdefault(key, set()):
                    self.folded[key].add(entity.id)
                    self.blocks.setdefault(_initials(key), []).append((key, entity.id))
                words = key.split()
                if len(words) > 1:
                    for word in (words[0], words[-1]):
                        if len(word) >= 3:
                            self.parts.setdefault(word, set()).add(entity.id)

    def find(self, text: str, found: Iterable[Proposal] = ()) -> list[Proposal]:
        """Actor proposals for name sequences of ``text`` close to a known name; ``found`` are the names
        already found exactly, whose places are left alone."""
        if not self.entities:
            return []
        busy = bytearray(len(text))  # 1 where a name was found already
        mentioned: dict[int, int] = {}  # entity -> where it is first named
        for proposal in found:
            busy[proposal.start:proposal.end] = b"\x01" * (proposal.end - proposal.start)
            if proposal.entity is not None:
                mentioned[proposal.entity] = min(mentioned.get(proposal.entity, proposal.start), proposal.start)
        proposals = []
        for run in _capitalised_runs(text):
            for proposal in self._in_run(text, run, busy, mentioned):
                proposals.append(proposal)
                mentioned.setdefault(proposal.entity, proposal.start)
        return proposals

    def _in_run(self, text: str, run: list[tuple[int, int]], busy: bytearray,
                mentioned: dict[int, int]) -> list[Proposal]:
        found: list[Proposal] = []
        index = 0
        while index < len(run):
            best = None
            for size in range(min(MAX_TOKENS, len(run) - index), 1, -1):
                start, end = run[index][0], run[index + size - 1][1]
                if _overlaps(busy, start, end):
                    continue
                match = self._match(text[start:end])
                if match is not None:
                    best = (size, Proposal(ACTOR, start, end, match[1], SOURCE, entity=match[0],
                                           attributes={"kind": self.entities[match[0]].kind}))
                    break
            if best is None and all(text[s:e].lower() in TITLES for s, e in run[:index]):
                lone = self._lone_name(text, run[index], busy, mentioned)
                if lone is not None:
                    found.append(lone)
            if best is None:
                index += 1
                continue
            found.append(best[1])
            index += best[0]
        return found

    def _match(self, spelling: str) -> tuple[int, float] | None:
        if spelling in self.exact:
            return None
        key = fold(spelling)
        owners = self.folded.get(key)
        if owners:
            return (min(owners), FOLDED_SCORE) if len(owners) == 1 else None
        best = None
        for candidate, entity_id in self.blocks.get(_initials(key), ()):
            similarity = fuzz.ratio(key, candidate, score_cutoff=FUZZY_CUTOFF)
            if similarity and (best is None or similarity > best[1]):
                best = (entity_id, similarity)
        if best is None:
            return None
        return best[0], FUZZY_SCORE if best[1] < 100 else FOLDED_SCORE

    def _lone_name(self, text: str, place: tuple[int, int], busy: bytearray,
                   mentioned: dict[int, int]) -> Proposal | None:
        """A lone family or last name: right after a title ("President Moon"), or of a name mentioned
        earlier in the text ("Olaf Scholz …; Scholz told reporters")."""
        start, end = place
        word = text[start:end]
        if word.lower() in _NOT_NAMES or _overlaps(busy, start, end):
            return None
        owners = self.parts.get(fold_word(word))
        if not owners or len(owners) != 1:
            return None
        entity_id = min(owners)
        previous = WORD.findall(text[max(0, start - 30):start].rstrip(" "))
        if previous and previous[-1].lower() in TITLE_WORDS and previous[-1][0].isupper():
            score = TITLED_SCORE
        elif mentioned.get(entity_id, end) < start:
            score = MENTIONED_SCORE
        else:
            return None
        return Proposal(ACTOR, start, end, score, SOURCE, entity=entity_id,
                        attributes={"kind": self.entities[entity_id].kind})


def _overlaps(busy: bytearray, start: int, end: int) -> bool:
    return busy.find(1, start, end) != -1


def _capitalised_runs(text: str) -> list[list[tuple[int, int]]]:
    """Runs of capitalised words separated by single spaces (or hyphens inside a word)."""
    runs: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    last_end = -2
    for match in WORD.finditer(text):
        word = match.group()
        if not word[0].isupper():
            if current:
                runs.append(current)
            current, last_end = [], -2
            continue
        start, end = match.span()
        if word.endswith(("’s", "'s")):
            end -= 2  # the possessive is not part of the name
        if current and not (start == last_end + 1 and text[last_end] == " "):
            runs.append(current)
            current = []
        current.append((start, end))
        last_end = end
    if current:
        runs.append(current)
    return runs
