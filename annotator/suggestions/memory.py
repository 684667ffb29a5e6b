"""Team memory: any text the team tagged with a label in submitted or gold sets is suggested with that
label wherever it appears elsewhere in the project (what was tagged in an article itself does not
count for that article), as a whole word, scored by how consistently it was kept:
``(accepted + 1) / (accepted + rejected + 2)`` (a text tagged twice and never rejected scores 0.75; one
rejected as often as kept scores 0.5 and is not suggested). A text the team linked to an entity brings
the entity it was linked to most often. One Aho-Corasick automaton holds every remembered text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick

from .common import Proposal, whole_word

SOURCE = "team-memory"
MIN_LENGTH, MAX_LENGTH = 3, 300
MIN_SCORE = 0.55


@dataclass(slots=True)
class Remembered:
    """What the team did with one text under one label."""

    label: str
    text: str
    accepted: int  # spans in submitted or gold sets (and accepted suggestions)
    rejected: int = 0  # rejected suggestions of this text and label
    entity: int | None = None
    articles: dict[int, int] = field(default_factory=dict)  # article id -> how many of the accepted are there

    @property
    def score(self) -> float:
        return (self.accepted + 1) / (self.accepted + self.rejected + 2)

    def score_elsewhere(self, article: int | None) -> float:
        """The score without what was tagged in ``article`` itself (0 when nothing else is left)."""
        accepted = self.accepted - self.articles.get(article, 0) if article is not None else self.accepted
        return (accepted + 1) / (accepted + self.rejected + 2) if accepted > 0 else 0.0


class Memory:
    def __init__(self, items: Iterable[Remembered]):
        self.automaton = ahocorasick.Automaton()
        patterns: dict[str, list[Remembered]] = {}
        for item in items:
            text = item.text.strip()
            if MIN_LENGTH <= len(text) <= MAX_LENGTH and item.score >= MIN_SCORE:
                patterns.setdefault(text, []).append(item)
        for text, items_of_text in patterns.items():
            self.automaton.add_word(text, (len(text), items_of_text))
        self.empty = not patterns
        if patterns:
            self.automaton.make_automaton()

    def find(self, text: str, article: int | None = None) -> list[Proposal]:
        """Proposals for ``text``, the text of ``article`` (whose own tags are left out)."""
        if self.empty:
            return []
        proposals = []
        for end_index, (length, items) in self.automaton.iter(text):
            start, end = end_index - length + 1, end_index + 1
            if not whole_word(text, start, end):
                continue
            for item in items:
                score = item.score_elsewhere(article)
                if score >= MIN_SCORE:
                    proposals.append(Proposal(item.label, start, end, round(score, 4), SOURCE, entity=item.entity))
        return proposals
