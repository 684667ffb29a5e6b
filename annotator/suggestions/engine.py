"""Runs the recommenders over one text and merges what they propose: one proposal per label and place
(the highest score wins), no two Actor proposals overlapping, and only the links whose two ends remain.
Built once per project (:meth:`Recommenders.build`: the automata and the blocks of names), then run on
as many texts as needed. Plain Python."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import claims, kb, memory, quotes, variants
from .common import ACTOR, KnownEntity, Proposal, ProposedRelation
from .memory import Memory, Remembered
from .quotes import QuoteFinder

RECOMMENDERS = {
    kb.SOURCE: "Knowledge base: entity names and aliases",
    variants.SOURCE: "Spelling variants of known names",
    quotes.SOURCE: "Direct quotes, with cue and speaker",
    memory.SOURCE: "Team memory: what the team tagged elsewhere",
    claims.SOURCE: "Claims: sentences with check-worthy signals",
}


@dataclass
class Result:
    proposals: list[Proposal]
    relations: list[ProposedRelation]
    counts: Counter = field(default_factory=Counter)  # proposals per source


@dataclass
class Recommenders:
    knowledge_base: kb.KnowledgeBase
    variants: variants.Variants
    quotes: QuoteFinder
    memory: Memory
    enabled: frozenset[str]

    @classmethod
    def build(cls, *, entities: Iterable[KnownEntity] = (), remembered: Iterable[Remembered] = (),
              cue_words: Iterable[str] = (), disabled: Iterable[str] = ()) -> Recommenders:
        entities = list(entities)
        return cls(knowledge_base=kb.KnowledgeBase(entities), variants=variants.Variants(entities),
                   quotes=QuoteFinder(cue_words), memory=Memory(remembered),
                   enabled=frozenset(RECOMMENDERS) - set(disabled))

    def run(self, text: str, article: int | None = None) -> Result:
        """What the recommenders propose for ``text`` (the text of ``article``, if it is stored)."""
        found: list[Proposal] = []
        relations: list[ProposedRelation] = []
        # Names are looked for even when their recommenders are off: quotes need them for speakers.
        names = self.knowledge_base.find(text)
        spelled = self.variants.find(text, names)
        if kb.SOURCE in self.enabled:
            found += names
        if variants.SOURCE in self.enabled:
            found += spelled
        if quotes.SOURCE in self.enabled:
            proposed, linked = self.quotes.find(text, names + spelled)
            found += proposed
            relations += linked
        if memory.SOURCE in self.enabled:
            found += self.memory.find(text, article)
        if claims.SOURCE in self.enabled:
            found += claims.find(text)
        return merge(found, relations)


def merge(found: list[Proposal], relations: list[ProposedRelation]) -> Result:
    best: dict[tuple, Proposal] = {}
    for proposal in found:
        kept = best.get(proposal.key)
        if kept is None or proposal.score > kept.score:
            best[proposal.key] = proposal
    ordered = sorted(best.values(), key=lambda p: (-p.score, p.start))
    taken = bytearray(max((p.end for p in ordered), default=0))  # 1 where an Actor is kept
    kept_proposals = []
    for proposal in ordered:
        if proposal.label == ACTOR:
            if taken.find(1, proposal.start, proposal.end) != -1:
                continue
            taken[proposal.start:proposal.end] = b"\x01" * (proposal.end - proposal.start)
        kept_proposals.append(proposal)
    kept_proposals.sort(key=lambda p: (p.start, -p.end, p.label))
    keys = {p.key for p in kept_proposals}
    seen = set()
    kept_relations = []
    for relation in relations:
        place = (relation.type, relation.source, relation.target)
        if relation.source in keys and relation.target in keys and place not in seen:
            seen.add(place)
            kept_relations.append(relation)
    return Result(kept_proposals, kept_relations, Counter(p.source for p in kept_proposals))
