"""How a checked import is saved: the writing pass, and :func:`import_records`, which runs the
checking pass and then this one in one transaction, so a file is saved whole or not at all. The
writing pass creates the accounts of unknown annotators (inactive, unable to log in, made
members of nothing), the labels and relation types the plan adds (fresh colours, no key), the
knowledge-base entities (aliases merged into, and a missing Wikidata id filled in, those that
exist), then the articles, sets, spans and relations in chunks of :data:`~.bulk.CHUNK` articles
with :func:`~.bulk.bulk_insert`, with an ``import`` event per created article and per imported
set. An empty set already in the project is filled rather than duplicated. What was written is
counted in a :class:`DatasetImportReport`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from articles.importing import ImportRefused
from articles.models import Article

from ..models import AnnotationSet, Entity, Event, Relation, RelationType, SetStatus, Span
from ..suggestions.importing import save_machine_sets
from .bulk import ARTICLE_INSERT, CHUNK, EVENT_INSERT, RELATION_INSERT, SET_INSERT, SPAN_INSERT, bulk_insert, chunks
from .check import check_records
from .plan import ImportPlan

NEW_LABEL_COLOURS = ["#f28e2b", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#17becf",
                     "#bcbd22", "#8c564b", "#e377c2", "#7f7f7f", "#2ca02c", "#d62728", "#9467bd"]
FINAL = (SetStatus.SUBMITTED, SetStatus.DONE)  # statuses that record when the set was submitted


@dataclass
class DatasetImportReport:
    """What an import of a dataset file wrote, and what it left out."""

    articles_created: int = 0
    articles_annotated: int = 0  # existing articles that received sets
    sets: int = 0
    spans: int = 0
    relations: int = 0
    entities_created: int = 0
    labels_created: list[str] = field(default_factory=list)
    relation_types_created: list[str] = field(default_factory=list)
    users_created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one message per record left out
    notes: list[str] = field(default_factory=list)
    suggestions: int = 0  # machine output put into the suggestion layer
    suggested_relations: int = 0

    def summary(self) -> str:
        machine = (f"; {self.suggestions:,} suggestion(s) and {self.suggested_relations:,} suggested "
                   "relation(s)" if self.suggestions else "")
        return (f"Imported {self.articles_created:,} new article(s) and annotated {self.articles_annotated:,} "
                f"existing one(s): {self.sets:,} annotation set(s), {self.spans:,} span(s), "
                f"{self.relations:,} relation(s){machine}; {self.entities_created:,} new knowledge-base "
                f"entr{'y' if self.entities_created == 1 else 'ies'}; {len(self.skipped):,} record(s) skipped.")


def import_records(
    project,
    records: Iterable,
    *,
    user,
    add_labels: bool = False,
    default_annotator: str | None = None,
    source_name: str = "upload",
    progress: Callable[[int, int], None] | None = None,
    as_suggestions: bool = False,
    suggestion_source: str | None = None,
) -> DatasetImportReport:
    """Save ``records`` into ``project``, all or nothing (see :mod:`annotator.datasets`).

    ``records`` yields what a format reader yields, ``(location, record | FormatError)``,
    or plain records (numbered ``record N``). Raises :class:`ImportRefused` listing every
    problem as ``"<source_name>, <location>: <reason>"``; nothing is saved then.
    ``progress(done, total)`` is called after each chunk of articles is saved. Sets the file leaves
    without an annotator go to the suggestion layer unless ``default_annotator`` names one; with
    ``as_suggestions`` every set does, under ``suggestion_source`` (the file's name by default).
    """
    plan = check_records(project, records, add_labels=add_labels, default_annotator=default_annotator,
                         source_name=source_name, as_suggestions=as_suggestions,
                         suggestion_source=suggestion_source)
    try:
        with transaction.atomic():
            return write_plan(plan, user, source_name, progress)
    except IntegrityError as clash:
        raise ImportRefused([f"{source_name}: the project changed while the file was being imported ({clash}); "
                             "nothing was saved, try again"]) from None


def write_plan(plan: ImportPlan, user, source_name: str,
               progress: Callable[[int, int], None] | None) -> DatasetImportReport:
    """Save what ``plan`` holds; the caller holds the transaction."""
    report = DatasetImportReport(skipped=plan.skipped, notes=list(plan.notes))
    users = _save_users(plan, report)
    labels, types = _save_schema(plan, report)
    entities = _save_entities(plan, report)
    actor = user.pk if user is not None and user.is_authenticated else None
    ops = connection.ops
    moment = timezone.now()
    now = ops.adapt_datetimefield_value(moment)
    json = ops.adapt_json_value
    encoded: dict[int, tuple[dict, Any]] = {}

    def encode(values: dict) -> Any:
        # Spans with the same cleaned attribute values share one dict (see AnnotationChecker._clean):
        # encode each once. The entry keeps the dict alive, so its id stays its own.
        found = encoded.get(id(values))
        if found is None:
            found = encoded[id(values)] = (values, json(values, None))
        return found[1]

    project = plan.project.pk
    done = 0
    for chunk in chunks(plan.articles):
        new = [doc for doc in chunk if doc.article_id is None]
        article_ids = bulk_insert(Article, ARTICLE_INSERT, [
            (project, doc.external_id, doc.title, doc.text, doc.fields.get("source", ""),
             doc.fields.get("url", ""), ops.adapt_datefield_value(doc.fields.get("published")),
             doc.fields.get("author", ""), doc.fields.get("language", ""), json(doc.meta, None), doc.digest,
             len(doc.text), now) for doc in new])
        for doc, pk in zip(new, article_ids, strict=True):
            doc.article_id = pk
        events = [(project, doc.article_id, None, actor, Event.Action.IMPORT, "article", doc.article_id,
                   json({"source": source_name, "external_id": doc.external_id}, None), now) for doc in new]
        report.articles_created += len(new)
        report.articles_annotated += len(chunk) - len(new)

        machine = [(doc, data) for doc in chunk for data in doc.sets if data.source is not None]
        if machine:
            save_machine_sets(plan.project, machine, labels, types, entities, report)
        sets = [(doc, data, plan.reusable.get((doc.article_id, data.annotator)))
                for doc in chunk for data in doc.sets if data.source is None]
        new_ids = iter(bulk_insert(AnnotationSet, SET_INSERT, [
            (doc.article_id, users.get(data.annotator), data.annotator is None, data.status, now, now,
             now if data.status in FINAL else None) for doc, data, reused in sets if reused is None]))
        placed = []
        for doc, data, reused in sets:
            if reused is not None:
                AnnotationSet.objects.filter(pk=reused).update(
                    status=data.status, updated_at=moment, submitted_at=moment if data.status in FINAL else None)
            placed.append((doc, data, reused if reused is not None else next(new_ids)))

        span_ids = bulk_insert(Span, SPAN_INSERT, [
            (set_id, labels[span.label], span.start, span.end, span.text, encode(span.attributes),
             entities.get(span.entity), span.note, 1, now, now)
            for _doc, data, set_id in placed for span in data.spans])
        relations = []
        taken = 0
        for doc, data, set_id in placed:
            ids = dict(zip([span.file_id for span in data.spans], span_ids[taken:taken + len(data.spans)],
                           strict=True))
            taken += len(data.spans)
            relations.extend((set_id, types[kind], ids[source], ids[target], now)
                             for kind, source, target in data.relations)
            events.append((project, doc.article_id, set_id, actor, Event.Action.IMPORT, "annotationset", set_id,
                           json({"source": source_name, "annotator": data.annotator,
                                 "gold": data.annotator is None, "spans": len(data.spans),
                                 "relations": len(data.relations)}, None), now))
        bulk_insert(Relation, RELATION_INSERT, relations)
        bulk_insert(Event, EVENT_INSERT, events)
        report.sets += len(placed)
        report.spans += sum(len(data.spans) for _, data, _ in placed)
        report.relations += len(relations)
        done += len(chunk)
        if progress:
            progress(done, len(plan.articles))
    return report


def _save_users(plan: ImportPlan, report: DatasetImportReport) -> dict[str, int]:
    user_model = get_user_model()
    new = []
    for name in plan.annotators:
        if name not in plan.users:
            person = user_model(username=name, is_active=False)
            person.set_unusable_password()
            new.append(person)
    for person in user_model.objects.bulk_create(new):
        plan.users[person.username] = person.pk
    report.users_created = [person.username for person in new]
    members = set(plan.project.memberships.values_list("user_id", flat=True))
    outside = [name for name in plan.annotators if plan.users[name] not in members]
    if outside:
        report.notes.append(f"Not members of the project (their sets are imported; add them as members to let "
                            f"them work on them): {', '.join(outside)}.")
    return plan.users


def _save_schema(plan: ImportPlan, report: DatasetImportReport) -> tuple[dict[str, int], dict[str, int]]:
    used = {label.colour.lower() for label in plan.labels.values()}
    colours = [colour for colour in NEW_LABEL_COLOURS if colour not in used] or NEW_LABEL_COLOURS
    order = max((label.order for label in plan.labels.values()), default=0)
    for number, (name, info) in enumerate(plan.new_labels.items()):
        label = info["label"]
        label.colour = colours[number % len(colours)]
        label.order = order + number + 1
        label.description = "Added by an import."
        label.save()
        plan.labels[name] = label
        report.labels_created.append(name)
    for name, info in plan.new_types.items():
        plan.types[name] = RelationType.objects.create(
            project=plan.project, name=name, source_label=plan.labels[info["source"]],
            target_label=plan.labels[info["target"]], description="Added by an import.")
        report.relation_types_created.append(name)
    return ({name: label.pk for name, label in plan.labels.items()},
            {name: kind.pk for name, kind in plan.types.items()})


def _save_entities(plan: ImportPlan, report: DatasetImportReport) -> dict[str, int]:
    ids: dict[str, int] = {}
    changed = []
    for chunk in chunks(list(plan.entities)):
        for entity in Entity.objects.filter(project=plan.project, name__in=chunk):
            ids[entity.name] = entity.pk
            incoming = plan.entities[entity.name]
            aliases = entity.aliases + [a for a in incoming["aliases"] if a not in entity.aliases]
            wikidata = entity.wikidata_id or incoming["wikidata"]
            if aliases != entity.aliases or wikidata != entity.wikidata_id:
                entity.aliases, entity.wikidata_id = aliases, wikidata
                changed.append(entity)
    Entity.objects.bulk_update(changed, ["aliases", "wikidata_id"], batch_size=CHUNK)
    new = [Entity(project=plan.project, name=name, kind=info["kind"], aliases=info["aliases"],
                  wikidata_id=info["wikidata"]) for name, info in plan.entities.items() if name not in ids]
    for entity in Entity.objects.bulk_create(new, batch_size=CHUNK):
        ids[entity.name] = entity.pk
    report.entities_created = len(new)
    return ids
