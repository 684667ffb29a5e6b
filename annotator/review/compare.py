"""What the annotators' sets of one article agree and disagree on: the review page's content.

Who counts: every non-gold set that is submitted or holds at least one span (an
empty set nobody has worked on says nothing).  Annotators are numbered 1, 2, …
in the order their sets were started; the numbers are the review keys.

What is compared: a span's *value* is its label, offsets, attributes and linked
entity (the note is a comment, not part of the annotation).

- **Agreed spans**: a value every annotator has.  Proposed together ("Accept all
  agreed"); in gold once the gold set has a span of that label on those offsets.
- **Places**: the remaining spans, grouped where they overlap (across labels, so
  "Claim here" vs "Quote here" is one question).  Each annotator's spans at a
  place are their *version*; taking it copies those spans (attributes, entity,
  note) into gold, dropping takes nothing.  Deciding again replaces what the
  earlier decision put into gold.
- **Relations**: compared once both ends are spans of gold (same label and
  offsets); agreed ones are proposed with the agreed spans, the others are items
  like places whose versions are "has it" or "has not".

Decisions are ``ReviewDecision`` rows of the gold set, read from there and nowhere
else (the event log keeps their history; docs/design.md, "Where workflow state
lives").  They are keyed by a fingerprint of what the annotators marked there: if
an annotator changes their spans later, the place reads as open again.  Each row's
``version`` is what a reviewer saw when they decided (see ``decide``).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from articles.models import Article

from ..models import AnnotationSet, Relation, RelationType, ReviewDecision, SetStatus, Span

TAKE, DROP = "take", "drop"


# ---------------------------------------------------------------- what is on the page


@dataclass
class Annotator:
    number: int
    annotation_set: AnnotationSet

    @property
    def name(self):
        return self.annotation_set.user.get_username()


@dataclass
class Version:
    annotator: Annotator
    spans: list[Span]

    @property
    def number(self):
        return self.annotator.number


@dataclass
class Decision:
    choice: str  # take / drop
    number: int | None
    annotator: str
    gold_spans: list[int]
    version: int = 1  # the ReviewDecision's version

    @property
    def summary(self) -> str:
        """The decision as the item list reads it: "dropped" or "took 2 · ann2"."""
        return "dropped" if self.choice == DROP else f"took {self.number} · {self.annotator}"


class Decided:
    """What every review item has: its decision, if any, and the version of it."""

    decision: Decision | None

    @property
    def version(self) -> int:
        """The decision's version as the page shows it (0: not decided yet); the
        decide forms send it back, so that a decision made meanwhile is noticed."""
        return self.decision.version if self.decision else 0


@dataclass
class AgreedSpan(Decided):
    key: str
    spans: list[Span]  # one per annotator, in annotator order
    in_gold: bool = False
    decision: Decision | None = None

    @property
    def sample(self) -> Span:
        return self.spans[0]

    @property
    def state(self):
        if self.in_gold:
            return "in_gold"
        if self.decision and self.decision.choice == DROP:
            return "dropped"
        return "proposed"


@dataclass
class Place(Decided):
    key: str
    index: int
    start: int
    end: int
    text: str
    versions: list[Version]
    gold: list[Span] = field(default_factory=list)
    decision: Decision | None = None

    @property
    def is_open(self):
        return self.decision is None

    @property
    def edit_span(self) -> Span | None:
        return self.gold[0] if self.gold else None


@dataclass
class RelationItem(Decided):
    key: str
    type: RelationType
    source: Span  # a sample of the endpoints (any annotator's)
    target: Span
    holders: list[int]  # annotator numbers that have the relation
    in_gold: bool = False
    agreed: bool = False
    decision: Decision | None = None
    index: int = 0
    versions: list[tuple[int, str, bool]] = field(default_factory=list)  # (number, name, has it)

    @property
    def state(self):
        if self.agreed:
            if self.in_gold:
                return "in_gold"
            return "dropped" if self.decision and self.decision.choice == DROP else "proposed"
        return "open" if self.decision is None else "decided"


@dataclass
class Review:
    article: Article
    gold: AnnotationSet | None
    annotators: list[Annotator]
    gold_spans: list[Span]
    agreed: list[AgreedSpan]
    places: list[Place]
    relations: list[RelationItem]  # disagreements, endpoints in gold
    agreed_relations: list[RelationItem]
    waiting_relations: int  # relations whose ends are not both in gold yet
    gold_relations: list[Relation]
    spans_by_id: dict[int, Span]

    @property
    def proposed(self):
        return [a for a in self.agreed if a.state == "proposed"]

    @property
    def proposed_relations(self):
        return [r for r in self.agreed_relations if r.state == "proposed"]

    @property
    def open_places(self):
        return [p for p in self.places if p.is_open]

    @property
    def open_relations(self):
        return [r for r in self.relations if r.decision is None]

    @property
    def open_count(self) -> int:
        return len(self.open_places) + len(self.open_relations)

    @property
    def proposed_count(self) -> int:
        return len(self.proposed) + len(self.proposed_relations)

    @property
    def item_count(self) -> int:
        return len(self.places) + len(self.relations)

    @property
    def pending(self) -> int:
        return len(self.proposed) + len(self.proposed_relations) + len(self.open_places) + len(self.open_relations)

    @property
    def gold_done(self):
        return self.gold is not None and self.gold.status == SetStatus.DONE

    @property
    def editable(self):
        return not self.gold_done

    def item(self, key: str):
        for collection in (self.agreed, self.places, self.relations, self.agreed_relations):
            for item in collection:
                if item.key == key:
                    return item
        return None


# ---------------------------------------------------------------- values and keys


def _fingerprint(*parts) -> str:
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def attributes_key(span) -> str:
    """A span's attributes as one comparable string."""
    return json.dumps(span.attributes or {}, sort_keys=True)


def span_value(span) -> tuple:
    """What two annotators must share for their spans to agree."""
    return (span.label_id, span.start, span.end, attributes_key(span), span.entity_id)


def span_place(span) -> tuple:
    return (span.label_id, span.start, span.end)


# ---------------------------------------------------------------- comparing, step by step


def _decisions(gold: AnnotationSet | None) -> dict[str, Decision]:
    if gold is None:
        return {}
    return {
        d.item: Decision(choice=d.choice, number=d.number, annotator=d.annotator, gold_spans=list(d.gold_spans),
                         version=d.version)
        for d in ReviewDecision.objects.filter(gold_set=gold)
    }


def _annotators(sets: list[AnnotationSet], by_set) -> list[Annotator]:
    """The sets that count (submitted, or holding a span), numbered in order."""
    annotators = []
    for annotation_set in sets:
        if annotation_set.is_gold:
            continue
        if by_set[annotation_set.pk] or annotation_set.status == SetStatus.SUBMITTED:
            annotators.append(Annotator(number=len(annotators) + 1, annotation_set=annotation_set))
    return annotators


def _agreed(annotators, by_set, gold_places, decisions) -> list[AgreedSpan]:
    """The values every annotator has, each with their spans of it."""
    holders = defaultdict(dict)
    for a in annotators:
        for span in by_set[a.annotation_set.pk]:
            holders[span_value(span)][a.number] = span
    agreed = []
    for value, who in holders.items():
        if annotators and len(who) == len(annotators):
            key = _fingerprint("agreed", value)
            agreed.append(AgreedSpan(key=key, spans=[who[a.number] for a in annotators],
                                     in_gold=value[:3] in gold_places, decision=decisions.get(key)))
    agreed.sort(key=lambda a: (a.sample.start, -a.sample.end, a.sample.label.order))
    return agreed


def _clusters(spans) -> list[list[Span]]:
    """``spans`` grouped where they overlap, in text order."""
    clusters, end = [], -1
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.pk)):
        if clusters and span.start < end:
            clusters[-1].append(span)
            end = max(end, span.end)
        else:
            clusters.append([span])
            end = span.end
    return clusters


def _places(article, annotators, rest, gold_spans, decisions) -> list[Place]:
    """The spans nobody agreed on (``rest``), one place where they overlap."""
    places = []
    for cluster in _clusters(rest):
        start, stop = min(s.start for s in cluster), max(s.end for s in cluster)
        key = _fingerprint("place", sorted((s.annotation_set_id,) + span_value(s) for s in cluster))
        versions = [Version(annotator=a, spans=[s for s in cluster if s.annotation_set_id == a.annotation_set.pk])
                    for a in annotators]
        decision = decisions.get(key)
        here = [g for g in gold_spans if g.start < stop and g.end > start]
        placed = [g for g in here if decision and g.pk in decision.gold_spans]
        places.append(Place(
            key=key, index=len(places) + 1, start=start, end=stop, text=article.text[start:stop], versions=versions,
            gold=placed + [g for g in here if g not in placed], decision=decision,
        ))
    return places


def _grouped_relations(relations, spans_by_id, annotators) -> dict[tuple, dict]:
    """The annotators' relations by (type, source's place, target's place), with who has each."""
    number_of = {a.annotation_set.pk: a.number for a in annotators}
    grouped = {}
    for relation in relations:
        if relation.annotation_set_id not in number_of:
            continue
        source, target = spans_by_id[relation.source_id], spans_by_id[relation.target_id]
        rkey = (relation.type_id, span_place(source), span_place(target))
        entry = grouped.setdefault(rkey, {"relation": relation, "source": source, "target": target, "holders": set()})
        entry["holders"].add(number_of[relation.annotation_set_id])
    return grouped


def _relation_items(grouped, annotators, gold_relation_keys, gold_places, decisions):
    """(disagreements, agreed relations, how many wait for their ends to be in gold)."""
    items, agreed, waiting = [], [], 0
    for rkey, entry in grouped.items():
        if rkey[1] not in gold_places or rkey[2] not in gold_places:
            waiting += 1
            continue
        holders = sorted(entry["holders"])
        key = _fingerprint("relation", rkey, holders)
        item = RelationItem(
            key=key, type=entry["relation"].type, source=entry["source"], target=entry["target"],
            holders=holders, in_gold=rkey in gold_relation_keys, agreed=len(holders) == len(annotators),
            decision=decisions.get(key),
            versions=[(a.number, a.name, a.number in entry["holders"]) for a in annotators],
        )
        (agreed if item.agreed else items).append(item)
    return items, agreed, waiting


def review_for(article: Article) -> Review:
    """Everything the review page shows, in a fixed number of queries (docs/design.md, rule 6)."""
    sets = list(article.annotation_sets.select_related("user").order_by("id"))
    gold = next((s for s in sets if s.is_gold), None)
    spans = list(
        Span.objects.filter(annotation_set__article=article)
        .select_related("label", "entity")
        .order_by("start", "-end", "id")
    )
    relations = list(
        Relation.objects.filter(annotation_set__article=article).select_related("type").order_by("id")
    )
    by_set = defaultdict(list)
    for span in spans:
        by_set[span.annotation_set_id].append(span)
    annotators = _annotators(sets, by_set)
    decisions = _decisions(gold)
    gold_spans = by_set[gold.pk] if gold else []
    gold_places = {span_place(s): s for s in gold_spans}

    agreed = _agreed(annotators, by_set, gold_places, decisions)
    agreed_ids = {s.pk for item in agreed for s in item.spans}
    rest = [s for a in annotators for s in by_set[a.annotation_set.pk] if s.pk not in agreed_ids]
    places = _places(article, annotators, rest, gold_spans, decisions)

    spans_by_id = {s.pk: s for s in spans}
    gold_relations = [r for r in relations if gold and r.annotation_set_id == gold.pk]
    gold_relation_keys = {
        (r.type_id, span_place(spans_by_id[r.source_id]), span_place(spans_by_id[r.target_id])) for r in gold_relations
    }
    grouped = _grouped_relations(relations, spans_by_id, annotators)
    relation_items, agreed_relations, waiting = _relation_items(
        grouped, annotators, gold_relation_keys, gold_places, decisions)
    for i, item in enumerate(relation_items, 1):
        item.index = len(places) + i
    return Review(
        article=article, gold=gold, annotators=annotators, gold_spans=gold_spans, agreed=agreed, places=places,
        relations=relation_items, agreed_relations=agreed_relations, waiting_relations=waiting,
        gold_relations=gold_relations, spans_by_id=spans_by_id,
    )
