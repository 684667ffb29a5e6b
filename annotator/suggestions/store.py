"""The suggestion layer in the database: what the recommenders read (the knowledge base, the team's
memory, the project's settings), running them over a project's articles, and storing what they propose.

Each article remembers the fingerprint of what its suggestions were computed from
(:class:`~annotator.models.SuggestionState`); when the knowledge base, the team's memory (spans in
submitted and gold sets, rejected suggestions) or the settings change, the fingerprint changes and
:func:`suggest_articles` recomputes the article. A recomputed suggestion that is still proposed keeps
its row, so what annotators decided about it stays; imported suggestions are never touched here.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import Length
from django.utils import timezone

from ..attributes import clean_attribute_values
from ..datasets.bulk import bulk_insert
from ..errors import ServiceError
from ..models import (
    Entity,
    Label,
    RelationType,
    SetStatus,
    Span,
    SuggestedRelation,
    Suggestion,
    SuggestionDecision,
    SuggestionSettings,
    SuggestionState,
)
from .common import CUE, QUOTE, KnownEntity
from .engine import RECOMMENDERS, Recommenders, Result
from .memory import MAX_LENGTH, Remembered

CHUNK = 200
MEMORY_SKIPS = (QUOTE, CUE)  # their text means something only next to a quote: not remembered


def settings_of(project) -> SuggestionSettings:
    """The project's suggestion settings (unsaved defaults when it has none yet)."""
    found = SuggestionSettings.objects.filter(project=project).first()
    return found or SuggestionSettings(project=project, disabled=[], cue_words=[])


@transaction.atomic
def save_settings(project, *, disabled: Iterable[str], cue_words: Iterable[str]) -> SuggestionSettings:
    disabled = sorted(set(disabled))
    unknown = [name for name in disabled if name not in RECOMMENDERS]
    words = list(dict.fromkeys(" ".join(word.split()).lower() for word in cue_words if word.strip()))
    problems = [f"There is no recommender called “{name}”." for name in unknown]
    problems += [f"The cue “{word[:40]}” is longer than 40 characters." for word in words if len(word) > 40]
    if problems:
        raise ServiceError(*problems)
    found, _ = SuggestionSettings.objects.update_or_create(project=project,
                                                           defaults={"disabled": disabled, "cue_words": words})
    return found


def _entities(project) -> list[KnownEntity]:
    return [KnownEntity(pk, name, list(aliases or []), kind) for pk, name, aliases, kind in
            Entity.objects.filter(project=project).order_by("pk").values_list("pk", "name", "aliases", "kind")]


def _remembered(project) -> list[Remembered]:
    """What the team tagged in submitted and gold sets, with the rejections of the same text and label."""
    kept = (Span.objects.filter(annotation_set__article__project=project)
            .filter(Q(annotation_set__is_gold=True) | Q(annotation_set__status=SetStatus.SUBMITTED))
            .exclude(label__name__in=MEMORY_SKIPS).annotate(size=Length("text")).filter(size__lte=MAX_LENGTH)
            .values_list("label__name", "text", "entity_id", "annotation_set__article_id").annotate(n=Count("id"))
            .order_by())
    items: dict[tuple[str, str], Remembered] = {}
    entity_counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for label, text, entity, article, count in kept:
        item = items.setdefault((label, text), Remembered(label, text, 0))
        item.accepted += count
        item.articles[article] = item.articles.get(article, 0) + count
        if entity is not None:
            entity_counts[(label, text)][entity] += count
    rejected = (SuggestionDecision.objects.filter(suggestion__article__project=project,
                                                  choice=SuggestionDecision.Choice.REJECTED)
                .values_list("suggestion__label__name", "suggestion__text").annotate(n=Count("id")).order_by())
    for label, text, count in rejected:
        if (label, text) in items:
            items[(label, text)].rejected += count
    for key, counts in entity_counts.items():
        items[key].entity = min(counts, key=lambda e: (-counts[e], e))
    return sorted(items.values(), key=lambda item: (item.label, item.text))


@dataclass
class Loaded:
    recommenders: Recommenders
    fingerprint: str


def load(project) -> Loaded:
    """The project's recommenders, built from the database, and the fingerprint of what they read."""
    entities = _entities(project)
    remembered = _remembered(project)
    settings = settings_of(project)
    digest = hashlib.sha256()
    digest.update(json.dumps([[e.id, e.name, e.aliases, e.kind] for e in entities], ensure_ascii=False).encode())
    digest.update(json.dumps([[r.label, r.text, r.accepted, r.rejected, r.entity, sorted(r.articles.items())]
                              for r in remembered],
                             ensure_ascii=False).encode())
    digest.update(json.dumps([sorted(settings.disabled or []), list(settings.cue_words or []),
                              sorted(RECOMMENDERS)]).encode())
    recommenders = Recommenders.build(entities=entities, remembered=remembered, cue_words=settings.cue_words or [],
                                      disabled=settings.disabled or [])
    return Loaded(recommenders, digest.hexdigest())


@dataclass
class SuggestReport:
    articles: int = 0  # computed
    fresh: int = 0  # left alone: computed from the same fingerprint already
    counts: Counter = field(default_factory=Counter)  # stored suggestions per recommender
    relations: int = 0


def stale_ids(project, fingerprint: str, article_ids: Iterable[int] | None = None) -> list[int]:
    articles = project.articles.all()
    if article_ids is not None:
        articles = articles.filter(pk__in=list(article_ids))
    return list(articles.exclude(suggestion_state__fingerprint=fingerprint).order_by("pk")
                .values_list("pk", flat=True))


def suggest_articles(project, article_ids: Iterable[int] | None = None, *, force: bool = False,
                     progress: Callable[[int, int], None] | None = None, loaded: Loaded | None = None) -> SuggestReport:
    """Compute and store the suggestions of the project's articles (or of ``article_ids``) whose
    suggestions are stale, or of all of them with ``force``."""
    loaded = loaded or load(project)
    everything = project.articles.all()
    if article_ids is not None:
        everything = everything.filter(pk__in=list(article_ids))
    wanted = list(everything.order_by("pk").values_list("pk", flat=True)) if force else stale_ids(
        project, loaded.fingerprint, article_ids)
    report = SuggestReport(fresh=everything.count() - len(wanted))
    writer = _Writer(project, loaded.fingerprint)
    for index in range(0, len(wanted), CHUNK):
        ids = wanted[index:index + CHUNK]
        texts = dict(project.articles.filter(pk__in=ids).values_list("pk", "text"))
        results = {pk: loaded.recommenders.run(texts[pk], pk) for pk in ids}
        with transaction.atomic():
            writer.write(results, texts, report)
        report.articles += len(ids)
        if progress:
            progress(report.articles, len(wanted))
    return report


def refresh_if_stale(article) -> bool:
    """Recompute the article's suggestions when what they were computed from changed; whether it did."""
    loaded = load(article.project)
    state = SuggestionState.objects.filter(article=article).values_list("fingerprint", flat=True).first()
    if state == loaded.fingerprint:
        return False
    suggest_articles(article.project, [article.pk], force=True, loaded=loaded)
    return True


SUGGESTION_INSERT = ("article", "label", "start", "end", "text", "score", "source", "imported", "entity",
                     "attributes", "created_at")
RELATION_INSERT = ("article", "type", "source", "target", "score")


class _Writer:
    """Stores the results of a chunk of articles: keeps rows still proposed (and so what annotators decided
    about them), adds and removes the rest, with the import's fast multi-row inserts."""

    def __init__(self, project, fingerprint: str):
        self.fingerprint = fingerprint
        self.labels = {label.name: label for label in Label.objects.filter(project=project)}
        self.types = {kind.name: kind for kind in RelationType.objects.filter(project=project)}
        self.cleaned: dict[tuple[str, str], tuple[dict, object]] = {}

    def _attributes(self, label: Label, values: dict) -> tuple[dict, object]:
        """The values the label defines, cleaned, and as the database stores them."""
        key = (label.name, repr(values))
        if key not in self.cleaned:
            known = {d.get("name") for d in label.attributes or []}
            cleaned = clean_attribute_values(label, {k: v for k, v in values.items() if k in known})[0]
            self.cleaned[key] = cleaned, connection.ops.adapt_json_value(cleaned, None)
        return self.cleaned[key]

    def write(self, results: dict[int, Result], texts: dict[int, str], report: SuggestReport) -> None:
        ids = list(results)
        existing = {(article, label, start, end, source): (pk, score, entity, attributes)
                    for pk, article, label, start, end, source, score, entity, attributes in
                    Suggestion.objects.filter(article_id__in=ids, imported=False).values_list(
                        "pk", "article_id", "label_id", "start", "end", "source", "score", "entity_id", "attributes")}
        wanted: dict[tuple, tuple] = {}  # place -> (score, entity, attributes, stored attributes)
        for pk, result in results.items():
            for proposal in result.proposals:
                label = self.labels.get(proposal.label)
                if label is None:
                    continue
                entity = proposal.entity if label.links_entity else None
                wanted[(pk, label.pk, proposal.start, proposal.end, proposal.source)] = (
                    proposal.score, entity, *self._attributes(label, proposal.attributes))
        gone = [row[0] for key, row in existing.items() if key not in wanted]
        changed = [Suggestion(pk=existing[key][0], score=score, entity_id=entity, attributes=attributes)
                   for key, (score, entity, attributes, _) in wanted.items()
                   if key in existing and existing[key][1:] != (score, entity, attributes)]
        SuggestedRelation.objects.filter(article_id__in=ids, source__imported=False).delete()
        Suggestion.objects.filter(pk__in=gone).delete()
        Suggestion.objects.bulk_update(changed, ["score", "entity", "attributes"], batch_size=500)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        new = [key for key in wanted if key not in existing]
        new_ids = bulk_insert(Suggestion, SUGGESTION_INSERT, [
            (article, label, start, end, texts[article][start:end], wanted[key][0], source, False, wanted[key][1],
             wanted[key][3], now) for key in new for article, label, start, end, source in (key,)])
        places = {key: row[0] for key, row in existing.items() if key in wanted}
        places.update(zip(new, new_ids, strict=True))
        for key in wanted:
            report.counts[key[4]] += 1
        self._relations(results, places, report)
        SuggestionState.objects.bulk_create(
            [SuggestionState(article_id=pk, fingerprint=self.fingerprint, computed_at=timezone.now()) for pk in ids],
            update_conflicts=True, unique_fields=["article"], update_fields=["fingerprint", "computed_at"])

    def _relations(self, results: dict[int, Result], places: dict[tuple, int], report: SuggestReport) -> None:
        names = {label.pk: name for name, label in self.labels.items()}
        by_place = {(article, names[label], start, end): (pk, label)
                    for (article, label, start, end, _source), pk in places.items()}
        rows = {}
        for article, result in results.items():
            for relation in result.relations:
                kind = self.types.get(relation.type)
                source, target = by_place.get((article, *relation.source)), by_place.get((article, *relation.target))
                if kind is None or source is None or target is None or source[0] == target[0]:
                    continue
                if (source[1], target[1]) != (kind.source_label_id, kind.target_label_id):
                    continue
                rows.setdefault((kind.pk, source[0], target[0]), (article, kind.pk, source[0], target[0],
                                                                  relation.score))
        bulk_insert(SuggestedRelation, RELATION_INSERT, list(rows.values()))
        report.relations += len(rows)
