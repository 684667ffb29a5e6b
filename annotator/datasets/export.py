"""What a project's export holds, and how it is streamed out: records and files.
:func:`export_records` streams the project's articles as Factmark JSONL records (plain dicts;
span and entity ids are database ids, stable within a file) in chunks of :data:`~.bulk.CHUNK`
articles, with a constant number of queries per chunk. Which sets go in depends on who asks (an
annotator exports only their own, docs/design.md, rule 3) and on the ``sets`` scope; articles
may be filtered by id, search text and status (the statuses of :mod:`annotator.status`), spans
by label. :func:`export_bytes` turns the records into a file of any writable format, JSONL
through the fast writer of :mod:`.jsonl_fast`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from articles.models import Role
from articles.selectors import has_role, role_in, search_articles

from ..attributes import RATING_SCALE
from ..errors import ServiceError
from ..formats import WRITABLE
from ..models import AnnotationSet, Entity, Relation, SetStatus, Span, SuggestedRelation, Suggestion
from ..status import EXPORT_FILTERS, export_filter
from .bulk import CHUNK
from .jsonl_fast import JsonFloat, decode_exact, jsonl_line

SET_CHOICES = ("all", "gold", "submitted")  # or a username
ARTICLE_STATUSES = EXPORT_FILTERS
ARTICLE_COLUMNS = ("id", "external_id", "title", "text", "source", "url", "published", "author", "language",
                   "meta_json")
SPAN_COLUMNS = ("annotation_set_id", "id", "label_id", "start", "end", "text", "attributes_json", "entity_id", "note")
SUGGESTION_COLUMNS = ("article_id", "id", "label_id", "start", "end", "text", "score", "source", "entity__name",
                      "attributes_json")


def _set_scope(project, user, sets: str) -> Q:
    """Which annotation sets of ``project`` go into the export; raises ServiceError when refused.

    ``user`` None is the command line (the operator sees everything). Annotators export
    only their own sets (docs/design.md, rule 3); reviewers and managers any set of the project.
    """
    reader = user is None or has_role(role_in(user, project), Role.REVIEWER)
    if sets not in SET_CHOICES:
        if not reader and sets != user.get_username():
            raise ServiceError("Annotators can export only their own annotation sets.")
        if not get_user_model().objects.filter(username=sets).exists():
            raise ServiceError(f"There is no user called “{sets}”.")
        return Q(user__username=sets)
    if reader:
        return {"all": Q(), "gold": Q(is_gold=True), "submitted": Q(status=SetStatus.SUBMITTED)}[sets]
    if sets == "gold":
        raise ServiceError("Annotators can export only their own annotation sets, not the gold sets.")
    own = Q(user=user)
    return own & Q(status=SetStatus.SUBMITTED) if sets == "submitted" else own


def export_records(
    project,
    *,
    user,
    sets: str = "all",
    labels: Iterable[str] | None = None,
    article_ids: Iterable[int] | None = None,
    search: str = "",
    status: str = "",
    suggestions: bool = False,
) -> Iterator[dict]:
    """Stream the project's articles as Factmark JSONL records.

    ``sets``: ``all`` (every set the user may read; articles without sets are included),
    ``gold``, ``submitted`` or a username (then only articles that have such a set).
    Sets come gold first, then in creation order, so one-layer formats (which use the
    first set) get the gold layer when there is one. ``labels`` keeps only spans of those
    labels (and relations between kept spans). ``status`` is one of
    :data:`ARTICLE_STATUSES`. ``suggestions`` adds each article's suggestion layer (``suggestions``,
    ``suggested_relations``; see :meth:`_Exporter._suggestions`); without it nothing of the layer goes
    out (docs/design.md, rule 9). Raises :class:`ServiceError` at once when the user may not
    export those sets.
    """
    return _export(project, user=user, sets=sets, labels=labels, article_ids=article_ids, search=search,
                   status=status, suggestions=suggestions, decode=json.loads)


def _export(project, *, user, sets: str = "all", labels: Iterable[str] | None = None,
            article_ids: Iterable[int] | None = None, search: str = "", status: str = "",
            suggestions: bool = False, decode: Callable[[str], Any]) -> Iterator[dict]:
    """:func:`export_records`, with ``decode`` reading the JSON columns (meta, attributes, aliases)."""
    if status not in ARTICLE_STATUSES:
        raise ServiceError(f"Unknown article status “{status}”.")
    scope = _set_scope(project, user, sets)
    labels = list(labels) if labels else None
    articles = project.articles.all()
    if article_ids is not None:
        articles = articles.filter(pk__in=list(article_ids))
    articles = search_articles(articles, search or "")
    in_scope = AnnotationSet.objects.filter(scope, article=OuterRef("pk"))
    if sets != "all":
        articles = articles.filter(Exists(in_scope))
    articles = export_filter(articles, in_scope, status)
    exporter = _Exporter(project, scope, labels, decode)
    exporter.with_suggestions = suggestions
    return exporter.records(articles)


class _JsonMemo(dict):
    """Decodes JSON text once per distinct value (attribute values and metadata repeat).

    The decoded objects are shared between the records of a chunk: readers must not change them.
    """

    def __init__(self, decode: Callable[[str], Any]):
        super().__init__()
        self.decode = decode

    def __missing__(self, raw: str) -> Any:
        value = self[raw] = self.decode(raw)
        return value


class _MetaMemo(_JsonMemo):
    """An article's ``meta`` as Django's JSONField reads it: NULL is None, text that is not
    JSON is kept as it is."""

    def __missing__(self, raw: str | None) -> Any:
        try:
            value = None if raw is None else self.decode(raw)
        except json.JSONDecodeError:
            value = raw
        self[raw] = value
        return value


class _Exporter:
    """Reads the project chunk by chunk: five queries per chunk of articles, whatever they hold.

    Label and relation type names are read once and joined in Python; JSON columns come as
    text and are decoded here, as Django's per-row converters would cost more than the rest
    of the export.
    """

    def __init__(self, project, scope: Q, labels: list[str] | None, decode: Callable[[str], Any] = json.loads):
        self.scope = scope
        self.decode = decode
        self.label_names = dict(project.labels.values_list("pk", "name"))
        self.type_names = dict(project.relation_types.values_list("pk", "name"))
        self.wanted = None if labels is None else [pk for pk, name in self.label_names.items() if name in labels]
        self.with_suggestions = False

    def records(self, articles) -> Iterator[dict]:
        last = 0
        while True:
            rows = list(articles.filter(pk__gt=last).order_by("pk")
                        .annotate(meta_json=Cast("meta", TextField())).values_list(*ARTICLE_COLUMNS)[:CHUNK])
            if not rows:
                return
            last = rows[-1][0]
            yield from self._chunk(rows)
            if len(rows) < CHUNK:
                return

    def _chunk(self, rows: list[tuple]) -> Iterator[dict]:
        sets_query = AnnotationSet.objects.filter(self.scope, article_id__in=[row[0] for row in rows])
        sets_by_article: dict[int, list[dict]] = {}
        sets_by_id: dict[int, tuple[int, dict]] = {}
        for pk, article_id, username, is_gold, status in (
                sets_query.order_by("article_id", "-is_gold", "pk")
                .values_list("pk", "article_id", "user__username", "is_gold", "status")):
            annotation_set = {"annotator": username, "gold": is_gold, "status": status, "spans": [],
                              "relations": []}
            sets_by_article.setdefault(article_id, []).append(annotation_set)
            sets_by_id[pk] = (article_id, annotation_set)
        entities_by_article: dict[int, dict[int, dict]] = {}
        if sets_by_id:
            self._spans(sets_query, sets_by_id, entities_by_article)

        layer = self._suggestions([row[0] for row in rows]) if self.with_suggestions else None
        decoded = _MetaMemo(self.decode)
        for pk, external_id, title, text, source, url, published, author, language, extra in rows:
            meta = {key: value for key, value in (("source", source), ("url", url), ("published", published),
                                                  ("author", author), ("language", language)) if value}
            if published:
                meta["published"] = published.isoformat()
            meta.update(decoded[extra])
            entities = entities_by_article.get(pk, {}).values()
            record = {"id": external_id, "title": title, "text": text, "meta": meta,
                      "annotations": sets_by_article.get(pk, []),
                      "entities": sorted(entities, key=lambda entity: entity["name"])}
            if layer is not None:
                record["suggestions"], record["suggested_relations"] = layer.get(pk, ([], []))
            yield record

    def _suggestions(self, article_ids: list[int]) -> dict[int, tuple[list, list]]:
        """Article id -> (suggestions, suggested relations), two queries per chunk: ``{"id", "label", "start",
        "end", "text", "score", "source", "entity" (its name or null), "attributes"}`` and ``{"type",
        "source", "target", "score"}`` by suggestion id. Labels chosen for the export apply."""
        layer: dict[int, tuple[list, list]] = {}
        rows = Suggestion.objects.filter(article_id__in=article_ids)
        if self.wanted is not None:
            rows = rows.filter(label_id__in=self.wanted)
        decoded = _JsonMemo(self.decode)
        kept = set()
        for article_id, pk, label, start, end, text, score, source, entity, attributes in (
                rows.annotate(attributes_json=Cast("attributes", TextField()))
                .order_by("article_id", "start", "-end", "pk").values_list(*SUGGESTION_COLUMNS)):
            layer.setdefault(article_id, ([], []))[0].append(
                {"id": pk, "label": self.label_names[label], "start": start, "end": end, "text": text,
                 "score": JsonFloat(score), "source": source, "entity": entity, "attributes": decoded[attributes]})
            kept.add(pk)
        for article_id, kind, source, target, score in (
                SuggestedRelation.objects.filter(article_id__in=article_ids).order_by("pk")
                .values_list("article_id", "type_id", "source_id", "target_id", "score")):
            if source in kept and target in kept:
                layer.setdefault(article_id, ([], []))[1].append(
                    {"type": self.type_names[kind], "source": source, "target": target, "score": JsonFloat(score)})
        return layer

    def _spans(self, sets_query, sets_by_id: dict, entities_by_article: dict) -> None:
        spans = Span.objects.filter(annotation_set__in=sets_query)
        if self.wanted is not None:
            spans = spans.filter(label_id__in=self.wanted)
        decoded = _JsonMemo(self.decode)
        label_names = self.label_names
        entity_articles: dict[int, list[int]] = {}
        kept: set[int] = set()
        rows = (spans.annotate(attributes_json=Cast("attributes", TextField()))
                .order_by("annotation_set_id", "start", "-end", "pk").values_list(*SPAN_COLUMNS))
        current = None
        for set_id, pk, label, start, end, text, attributes, entity, note in rows:
            if set_id != current:  # rows come set by set
                current = set_id
                article_id, annotation_set = sets_by_id[set_id]
                add_span = annotation_set["spans"].append
            add_span({"id": pk, "label": label_names[label], "start": start, "end": end, "text": text,
                      "attributes": decoded[attributes], "entity": entity, "note": note})
            kept.add(pk)
            if entity is not None:
                entity_articles.setdefault(entity, []).append(article_id)

        if entity_articles:
            entities = (Entity.objects.filter(pk__in=spans.values("entity_id"))
                        .annotate(aliases_json=Cast("aliases", TextField()))
                        .values_list("pk", "name", "kind", "aliases_json", "wikidata_id"))
            for pk, name, kind, aliases, wikidata in entities:
                entity = {"id": pk, "name": name, "kind": kind, "aliases": self.decode(aliases), "wikidata": wikidata}
                for article_id in entity_articles[pk]:
                    entities_by_article.setdefault(article_id, {})[pk] = entity

        relations = Relation.objects.filter(annotation_set__in=sets_query).order_by("pk").values_list(
            "annotation_set_id", "type_id", "source_id", "target_id")
        for set_id, kind, source, target in relations:
            if source in kept and target in kept:
                sets_by_id[set_id][1]["relations"].append(
                    {"type": self.type_names[kind], "source": source, "target": target})


def export_filename(project, fmt: str, date: dt.date | None = None) -> str:
    date = date or timezone.localdate()
    return f"{project.slug}-{fmt}-{date.isoformat()}.{WRITABLE[fmt].EXTENSION}"


def rating_scale(project) -> list[str]:
    """The verdicts of the project's Claim label, best first (the default scale without one)."""
    claim = project.labels.filter(name__iexact="Claim").first()
    definition = claim.attribute("verdict") if claim else None
    return list(definition.get("choices") or RATING_SCALE) if definition else list(RATING_SCALE)


def export_bytes(project, fmt: str, *, user, table: str = "claims", **filters) -> Iterator[bytes]:
    """The export file of ``project`` in format ``fmt``, in pieces.

    ``filters`` are those of :func:`export_records`. Raises :class:`ServiceError` (refused
    filters) and :class:`FormatError` (spaCy not installed) before the first piece.
    """
    if fmt not in WRITABLE:
        raise ServiceError(f"Unknown format “{fmt}”; use one of {', '.join(WRITABLE)}.")
    if fmt == "jsonl":
        # The records are already canonical: skip the writer's copy of each one.
        return map(jsonl_line, _export(project, user=user, decode=decode_exact, **filters))
    records = export_records(project, user=user, **filters)
    if fmt == "csv":
        return WRITABLE[fmt].write(records, table=table)
    if fmt == "claimreview":
        return WRITABLE[fmt].write(records, rating_scale=rating_scale(project),
                                   organisation=project.organisation or project.name)
    return WRITABLE[fmt].write(records)
