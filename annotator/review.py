"""Review into gold: compare the annotators' sets of one article and settle them.

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

Decisions are ``ReviewDecision`` rows of the gold set (and events in the log, as
history), keyed by a fingerprint of what the annotators marked there: if an annotator changes their
spans later, the place reads as open again.  Everything is idempotent: taking the
same version twice changes nothing and logs nothing the second time.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from articles.models import Article
from articles.selectors import correlated_count

from .errors import Conflict, ServiceError
from .events import log_event
from .models import AnnotationSet, Event, Relation, RelationType, ReviewDecision, SetStatus, Span
from .sets import set_reopen, set_submit
from .spans import relation_create, relation_delete, span_create, span_delete, span_update

REVIEW = "review"
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


@dataclass
class AgreedSpan:
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
class Place:
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
class RelationItem:
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


def _fingerprint(*parts) -> str:
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _attrs(span) -> str:
    return json.dumps(span.attributes or {}, sort_keys=True)


def span_value(span) -> tuple:
    """What two annotators must share for their spans to agree."""
    return (span.label_id, span.start, span.end, _attrs(span), span.entity_id)


def span_place(span) -> tuple:
    return (span.label_id, span.start, span.end)


def _decisions(gold: AnnotationSet | None) -> dict[str, Decision]:
    if gold is None:
        return {}
    return {
        d.item: Decision(choice=d.choice, number=d.number, annotator=d.annotator, gold_spans=list(d.gold_spans))
        for d in ReviewDecision.objects.filter(gold_set=gold)
    }


def review_for(article: Article) -> Review:
    """Everything the review page shows, in a fixed number of queries."""
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
    annotators = []
    for annotation_set in sets:
        if annotation_set.is_gold:
            continue
        if by_set[annotation_set.pk] or annotation_set.status == SetStatus.SUBMITTED:
            annotators.append(Annotator(number=len(annotators) + 1, annotation_set=annotation_set))
    decisions = _decisions(gold)
    gold_spans = by_set[gold.pk] if gold else []
    gold_places = {span_place(s): s for s in gold_spans}
    n = len(annotators)

    # Agreed values: every annotator has one.
    holders = defaultdict(dict)
    for a in annotators:
        for span in by_set[a.annotation_set.pk]:
            holders[span_value(span)][a.number] = span
    agreed, agreed_ids = [], set()
    for value, who in holders.items():
        if n and len(who) == n:
            ordered = [who[a.number] for a in annotators]
            key = _fingerprint("agreed", value)
            agreed.append(AgreedSpan(key=key, spans=ordered, in_gold=value[:3] in gold_places,
                                     decision=decisions.get(key)))
            agreed_ids.update(s.pk for s in ordered)
    agreed.sort(key=lambda a: (a.sample.start, -a.sample.end, a.sample.label.order))

    # Places: the other spans, clustered where they overlap.
    rest = sorted(
        (s for a in annotators for s in by_set[a.annotation_set.pk] if s.pk not in agreed_ids),
        key=lambda s: (s.start, -s.end, s.pk),
    )
    clusters, end = [], -1
    for span in rest:
        if clusters and span.start < end:
            clusters[-1].append(span)
            end = max(end, span.end)
        else:
            clusters.append([span])
            end = span.end
    places = []
    for cluster in clusters:
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

    # Relations, compared by their ends' places.
    spans_by_id = {s.pk: s for s in spans}
    gold_relations = [r for r in relations if gold and r.annotation_set_id == gold.pk]
    gold_relation_keys = {
        (r.type_id, span_place(spans_by_id[r.source_id]), span_place(spans_by_id[r.target_id])) for r in gold_relations
    }
    number_of = {a.annotation_set.pk: a.number for a in annotators}
    grouped = {}
    for relation in relations:
        if relation.annotation_set_id not in number_of:
            continue
        source, target = spans_by_id[relation.source_id], spans_by_id[relation.target_id]
        rkey = (relation.type_id, span_place(source), span_place(target))
        entry = grouped.setdefault(rkey, {"relation": relation, "source": source, "target": target, "holders": set()})
        entry["holders"].add(number_of[relation.annotation_set_id])
    relation_items, agreed_relations, waiting = [], [], 0
    for rkey, entry in grouped.items():
        if rkey[1] not in gold_places or rkey[2] not in gold_places:
            waiting += 1
            continue
        holders_sorted = sorted(entry["holders"])
        key = _fingerprint("relation", rkey, holders_sorted)
        item = RelationItem(
            key=key, type=entry["relation"].type, source=entry["source"], target=entry["target"],
            holders=holders_sorted, in_gold=rkey in gold_relation_keys, agreed=len(holders_sorted) == n,
            decision=decisions.get(key),
            versions=[(a.number, a.name, a.number in entry["holders"]) for a in annotators],
        )
        (agreed_relations if item.agreed else relation_items).append(item)
    for i, item in enumerate(relation_items, 1):
        item.index = len(places) + i
    return Review(
        article=article, gold=gold, annotators=annotators, gold_spans=gold_spans, agreed=agreed, places=places,
        relations=relation_items, agreed_relations=agreed_relations, waiting_relations=waiting,
        gold_relations=gold_relations, spans_by_id=spans_by_id,
    )


# ---------------------------------------------------------------- writes


def gold_set_for(article: Article) -> AnnotationSet:
    """The article's gold set, created (in review) on first use."""
    gold = AnnotationSet.objects.filter(article=article, is_gold=True).first()
    if gold is None:
        try:
            with transaction.atomic():
                gold = AnnotationSet.objects.create(article=article, is_gold=True, status=SetStatus.IN_REVIEW)
        except IntegrityError:
            gold = AnnotationSet.objects.get(article=article, is_gold=True)
    gold.article = article
    return gold


def _locked_gold(article: Article) -> AnnotationSet:
    gold = gold_set_for(article)
    AnnotationSet.objects.select_for_update().filter(pk=gold.pk).values_list("pk", flat=True).first()
    gold.refresh_from_db(fields=["status"])
    if gold.status == SetStatus.DONE:
        raise ServiceError("The gold set of this article is done; reopen it to change it.")
    if gold.status == SetStatus.NEW:
        gold.status = SetStatus.IN_REVIEW
        gold.save(update_fields=["status", "updated_at"])
    return gold


def _record(*, gold, user, item: str, choice: str, number=None, annotator="", gold_spans=(), kind="", **extra):
    """Store the decision on ``item`` (replacing an earlier one) and log it."""
    by = user if user and user.is_authenticated else None
    fields = {"choice": choice, "number": number, "annotator": annotator, "gold_spans": sorted(gold_spans),
              "kind": kind, "by": by}
    decision, created = ReviewDecision.objects.get_or_create(gold_set=gold, item=item, defaults=fields)
    if not created:
        for name, value in fields.items():
            setattr(decision, name, value)
        decision.version += 1
        decision.save()
    data = {"item": item, "choice": choice, "number": number, "annotator": annotator,
            "gold_spans": sorted(gold_spans), "kind": kind} | extra
    log_event(user=user, action=Event.Action.UPDATE, obj=gold, annotation_set=gold, object_type=REVIEW, data=data)
    return decision


def _put(*, gold, span: Span, user, note=None) -> tuple[Span, bool]:
    """Make gold hold ``span``'s value; returns (gold span, whether anything changed)."""
    existing = Span.objects.filter(annotation_set=gold, label_id=span.label_id, start=span.start, end=span.end).first()
    note = span.note if note is None else note
    if existing is None:
        created, _ = span_create(
            annotation_set=gold, label=span.label, start=span.start, end=span.end, text=span.text, user=user,
            attributes=dict(span.attributes or {}), note=note, entity=span.entity,
        )
        return created, True
    if _attrs(existing) == _attrs(span) and existing.entity_id == span.entity_id:
        return existing, False
    updated = span_update(
        span=existing, user=user, version=existing.version, label=span.label,
        attributes=dict(span.attributes or {}), note=note, entity=span.entity,
    )
    return updated, True


def _remove(*, gold, span_ids, user) -> bool:
    changed = False
    spans = Span.objects.filter(annotation_set=gold, pk__in=list(span_ids))
    for span in spans.select_related("label", "annotation_set__article__project"):
        span_delete(span=span, user=user)
        changed = True
    return changed


def _gold_span_at(gold, place_key) -> Span | None:
    label_id, start, end = place_key
    spans = Span.objects.filter(annotation_set=gold, label_id=label_id, start=start, end=end)
    return spans.select_related("label").first()


def _set_relation(*, gold, item: RelationItem, present: bool, user) -> bool:
    source = _gold_span_at(gold, span_place(item.source))
    target = _gold_span_at(gold, span_place(item.target))
    if source is None or target is None:
        raise ServiceError("Both ends of this relation must be in gold first.")
    relation_type = item.type
    existing = Relation.objects.filter(annotation_set=gold, type=relation_type, source=source, target=target).first()
    if present and existing is None:
        relation_create(annotation_set=gold, type=relation_type, source=source, target=target, user=user)
        return True
    if not present and existing is not None:
        existing.annotation_set = gold
        relation_delete(relation=existing, user=user)
        return True
    return False


def _joined_notes(spans) -> str:
    notes = []
    for span in spans:
        if span.note and span.note not in notes:
            notes.append(span.note)
    return " / ".join(notes)


@transaction.atomic
def accept_agreed(*, article: Article, user) -> tuple[int, int]:
    """Copy every proposed agreed span, then every agreed relation whose ends are in gold."""
    gold = _locked_gold(article)
    review = review_for(article)
    spans = 0
    for item in review.proposed:
        _, changed = _put(gold=gold, span=item.sample, user=user, note=_joined_notes(item.spans))
        spans += changed
    relations = 0
    for item in review_for(article).proposed_relations:
        relations += _set_relation(gold=gold, item=item, present=True, user=user)
    if spans or relations:
        _record(gold=gold, user=user, item="agreed", choice="accept", spans=spans, relations=relations)
    return spans, relations


@transaction.atomic
def decide(*, article: Article, key: str, choice: str, number: int | None, user) -> bool:
    """Settle one item: ``take`` annotator ``number``'s version, or ``drop`` it.

    Returns whether gold or the decisions changed (False when it was already so).
    """
    if choice not in (TAKE, DROP):
        raise ServiceError("Choose to take an annotator's version or to drop it.")
    gold = _locked_gold(article)
    review = review_for(article)
    item = review.item(key)
    if item is None:
        raise Conflict("This item changed since the page was loaded (an annotator edited their spans, or someone "
                     "else decided it). The list now shows the current state; look again.")
    annotator = None
    if choice == TAKE and not isinstance(item, AgreedSpan) and not (isinstance(item, RelationItem) and item.agreed):
        annotator = next((a for a in review.annotators if a.number == number), None)
        if annotator is None:
            raise ServiceError(f"There is no annotator {number} on this article; "
                               f"choose 1–{len(review.annotators)}.")
    previous = item.decision
    if isinstance(item, AgreedSpan):
        if choice == TAKE:
            span, changed = _put(gold=gold, span=item.sample, user=user, note=_joined_notes(item.spans))
            kept = [span.pk]
        else:
            existing = _gold_span_at(gold, span_place(item.sample))
            changed = _remove(gold=gold, span_ids=[existing.pk] if existing else [], user=user)
            kept = []
    elif isinstance(item, Place):
        kept, changed = [], False
        if choice == TAKE:
            for span in next(v for v in item.versions if v.number == number).spans:
                gold_span, did = _put(gold=gold, span=span, user=user)
                kept.append(gold_span.pk)
                changed |= did
        earlier = previous.gold_spans if previous else []
        changed |= _remove(gold=gold, span_ids=[pk for pk in earlier if pk not in kept], user=user)
    else:
        present = choice == TAKE and (item.agreed or number in item.holders)
        changed = _set_relation(gold=gold, item=item, present=present, user=user)
        kept = []
    recorded = number if annotator else None
    same = (previous is not None and previous.choice == choice and previous.number == recorded
            and sorted(previous.gold_spans) == sorted(kept))
    if changed or not same:
        _record(gold=gold, user=user, item=key, choice=choice, number=recorded,
                annotator=annotator.name if annotator else "", gold_spans=kept, kind=type(item).__name__.lower())
        return True
    return False


@transaction.atomic
def gold_finish(*, article: Article, user) -> AnnotationSet:
    """Mark the gold set done; refused while anything waits for a decision."""
    review = review_for(article)
    if review.pending:
        parts = []
        if review.open_count:
            parts.append(f"{review.open_count} disagreement{'s' if review.open_count != 1 else ''}")
        if review.proposed_count:
            parts.append(f"{review.proposed_count} agreed item{'s' if review.proposed_count != 1 else ''}")
        verb = "waits" if review.pending == 1 else "wait"
        raise ServiceError(f"Not done yet: {' and '.join(parts)} still {verb} for a decision.")
    gold = gold_set_for(article)
    if gold.status == SetStatus.DONE:
        raise ServiceError("The gold set is already done.")
    return set_submit(annotation_set=gold, user=user)


def gold_reopen(*, article: Article, user) -> AnnotationSet:
    gold = AnnotationSet.objects.filter(article=article, is_gold=True).first()
    if gold is None or gold.status != SetStatus.DONE:
        raise ServiceError("The gold set is not done, so there is nothing to reopen.")
    gold.article = article
    return set_reopen(annotation_set=gold, user=user)



SENT_BACK = "sent_back"  # Event.data["by"] of the reopen event that sent a set back


@transaction.atomic
def send_back(*, article: Article, set_id, user, reason: str = "") -> AnnotationSet:
    """Reopen an annotator's submitted set of ``article`` so that they can change it.

    The annotator finds the article open again, with the reviewer's reason on top
    of the workspace, until they submit it again.
    """
    annotation_set = (
        AnnotationSet.objects.select_for_update(of=("self",)).select_related("user")
        .filter(pk=set_id, article=article).first()
    )
    if annotation_set is None:
        raise ServiceError("That annotation set is not part of this article.")
    if annotation_set.is_gold:
        raise ServiceError("The gold set is reopened with “Reopen gold”.")
    name = annotation_set.user.get_username()
    if annotation_set.status != SetStatus.SUBMITTED:
        raise ServiceError(f"{name} has not submitted this article, so there is nothing to send back.")
    reason = " ".join(reason.split())[:500]
    annotation_set.status = SetStatus.IN_PROGRESS
    annotation_set.sent_back_at = timezone.now()
    annotation_set.sent_back_by = user if user and user.is_authenticated else None
    annotation_set.sent_back_reason = reason
    annotation_set.save(update_fields=["status", "sent_back_at", "sent_back_by", "sent_back_reason", "updated_at"])
    annotation_set.article = article
    log_event(user=user, action=Event.Action.REOPEN, obj=annotation_set, annotation_set=annotation_set,
              data={"by": SENT_BACK, "annotator": name, "reason": reason})
    return annotation_set


def sent_back_to(user, project) -> list[AnnotationSet]:
    """``user``'s sets in ``project`` that a reviewer sent back and they have not
    submitted again, newest first, with their articles' titles; one query."""
    return list(
        AnnotationSet.objects.filter(
            article__project=project, user=user, is_gold=False, sent_back_at__isnull=False,
            status__in=[SetStatus.NEW, SetStatus.IN_PROGRESS],
        )
        .select_related("article", "sent_back_by")
        .defer("article__text", "article__meta")
        .order_by("-sent_back_at", "-id")
    )


def waiting_for_review(project):
    """The project's articles that wait for a reviewer: at least k annotators'
    sets submitted (k = annotators per article) and no finished gold set."""
    submitted = AnnotationSet.objects.filter(article=OuterRef("pk"), is_gold=False, status=SetStatus.SUBMITTED)
    done = AnnotationSet.objects.filter(article=OuterRef("pk"), is_gold=True, status=SetStatus.DONE)
    return (
        project.articles.annotate(n_submitted=correlated_count(submitted, "article"))
        .filter(n_submitted__gte=project.annotators_per_article)
        .exclude(Exists(done))
        .order_by("pk")
    )


def next_to_review(project, *, after: int | None = None) -> Article | None:
    """The next article waiting for review after ``after`` (by id), wrapping around."""
    waiting = waiting_for_review(project).only("pk", "project_id")
    if after is not None:
        following = waiting.filter(pk__gt=after).first()
        if following is not None:
            return following
        return waiting.exclude(pk=after).first()
    return waiting.first()
