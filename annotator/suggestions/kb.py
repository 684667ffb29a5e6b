"""Knowledge base: every entity name and alias of the project found in a text as whole words, suggested
as an Actor linked to that entity.

All names go into one Aho-Corasick automaton (pyahocorasick), so finding them costs one pass over the
text however many entities the project has. Matching ignores case; a match whose case differs from the
name's scores lower. Where names overlap, the longest wins ("Kim In Chol" over an alias "Kim"), and a
match that is only part of a longer capitalised name ("Korea" in "Korea Herald") is left out, unless
the word next to it is a title ("President Moon Jae-in")."""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick

from .common import ACTOR, WORD, KnownEntity, Proposal, same_length_lower, whole_word

SOURCE = "knowledge-base"
NAME_SCORE, ALIAS_SCORE, CASE_SCORE = 0.95, 0.9, 0.7

# Titles and roles that stand before a name without being part of it ("President Moon Jae-in").
TITLE_WORDS = frozenset("""
president minister foreign prime deputy secretary state general chancellor premier vice chairman chairwoman
chair spokesman spokeswoman spokesperson ambassador envoy senator governor mayor king queen prince princess
mr mrs ms dr prof professor sir lord lady judge justice director head leader chief commander admiral
colonel major captain lieutenant sergeant officer counselor counsellor representative rep sen gov
""".split())
# Words that may stand next to a name, capitalised at the start of a sentence or in a title.
TITLES = TITLE_WORDS | frozenset("""
the a an and of on in at for to by with from as but or nor so yet if when while after before since
""".split())


class KnowledgeBase:
    """The project's entities, ready to be found in texts."""

    def __init__(self, entities: Iterable[KnownEntity]):
        self.entities: dict[int, KnownEntity] = {}
        self.automaton = ahocorasick.Automaton()
        patterns: dict[str, list[tuple[int, str]]] = {}
        for entity in entities:
            self.entities[entity.id] = entity
            for number, spelling in enumerate([entity.name, *entity.aliases]):
                spelling = " ".join(spelling.split())
                if len(spelling) < 2:
                    continue
                patterns.setdefault(same_length_lower(spelling), []).append(
                    (entity.id, spelling if number == 0 else "\0" + spelling))
        for key, owners in patterns.items():
            shared = len({entity_id for entity_id, _ in owners}) > 1
            self.automaton.add_word(key, (len(key), owners, shared))
        if patterns:
            self.automaton.make_automaton()
        self.empty = not patterns

    def find(self, text: str) -> list[Proposal]:
        """Actor proposals for every whole-word match, longest first where matches overlap."""
        if self.empty:
            return []
        lowered = same_length_lower(text)
        matches = []
        for end_index, (length, owners, shared) in self.automaton.iter(lowered):
            start, end = end_index - length + 1, end_index + 1
            if whole_word(text, start, end):
                matches.append((start, end, owners, shared))
        matches.sort(key=lambda m: (m[0], -(m[1] - m[0])))
        proposals, reach = [], -1
        for start, end, owners, shared in matches:
            if start < reach:
                continue  # inside a longer name already taken
            if part_of_longer_name(text, start, end):
                continue
            proposal = self._proposal(text, start, end, owners, shared)
            if proposal is not None:
                proposals.append(proposal)
                reach = end
        return proposals

    def _proposal(self, text: str, start: int, end: int, owners: list[tuple[int, str]],
                  shared: bool) -> Proposal | None:
        found = text[start:end]
        if found[0].islower():
            return None  # a name starts with a capital; "moon" in running text is no actor
        best = None
        for entity_id, spelling in owners:
            alias = spelling.startswith("\0")
            spelling = spelling.lstrip("\0")
            score = (ALIAS_SCORE if alias else NAME_SCORE) if spelling == found else CASE_SCORE
            if best is None or score > best[0]:
                best = (score, entity_id)
        if shared:
            best = (best[0] - 0.2, best[1])  # several entities share this spelling
        entity = self.entities[best[1]]
        return Proposal(ACTOR, start, end, best[0], SOURCE, entity=entity.id, attributes={"kind": entity.kind})


def _neighbour_word(text: str, start: int, end: int, after: bool) -> str | None:
    """The word right after (or before) ``text[start:end]``, separated by one space, if any."""
    if after:
        if end + 1 < len(text) and text[end] == " ":
            match = WORD.match(text, end + 1)
            return match.group() if match else None
        return None
    if start >= 2 and text[start - 1] == " ":
        stop = start - 1
        begin = stop
        while begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] in "-'’."):
            begin -= 1
        word = text[begin:stop]
        if word.endswith(".") or (begin > 0 and text[begin - 1] not in " \n\t(“\"«„‘"):
            return None  # the end of a sentence, or no plain word
        return word or None
    return None


def part_of_longer_name(text: str, start: int, end: int) -> bool:
    """Whether the match continues a capitalised name: a capitalised word next to it that is no title
    (a sentence's first word does not count)."""
    after = _neighbour_word(text, start, end, after=True)
    if after and after[0].isupper() and after.lower() not in TITLES:
        return True
    before = _neighbour_word(text, start, end, after=False)
    if before and before[0].isupper() and before.lower() not in TITLES:
        head = text[:start - len(before) - 1].rstrip()
        sentence_start = not head or head[-1] in ".!?\n“\"«„:"
        return not sentence_start
    return False
