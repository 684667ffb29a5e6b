"""Datasets in and out of a project: import of exchange-format records, streamed export.

Both directions speak the Factmark JSONL record of :mod:`annotator.formats.common`.

**Import** (:func:`import_records`) takes the ``(location, record | FormatError)`` pairs a
format reader yields (plain records are accepted too) and saves them all, or nothing:

- Each text is normalised once (DESIGN rule 2: ``\\n`` line endings, NFC) and every span's
  offsets are mapped through the same change; a span's text must then equal the article
  text at the mapped offsets (both normalised). Every problem of every record is reported,
  each with the file, the line/task and the reason, and :class:`ImportRefused` carries them.
- Labels and relation types outside the project's schema refuse the file with a list of
  them, unless ``add_labels`` (then labels get a fresh colour, no key, and attribute
  definitions inferred from the values seen; relation types take the labels of their
  first use). Attribute values are checked against the label's definitions.
- Sets go to the user named in the file (an unknown name becomes an inactive user who
  cannot log in; nobody is made a project member by an import), a set without a name to
  ``default_annotator``, and ``gold: true`` sets to the article's gold set (a gold set's
  ``submitted`` status becomes ``done``, the gold set's own final state).
- Entities are matched by name in the project's knowledge base (aliases merged, a missing
  Wikidata id filled) or created.
- Articles are matched by external id. An existing article with the same id and the same
  text receives the file's sets, but a set that already exists there with spans for the
  same annotator (or gold) refuses the file: sets are never merged. An empty existing set
  (opened but never annotated) is filled. The same id with another text is an error; the
  same text under another id (in the project or earlier in the file) is skipped and
  reported. A record without an id gets ``text-<hash prefix>``.
- Everything is written in chunks of :data:`CHUNK` articles (:func:`bulk_insert`) in one
  transaction, with an ``import`` event per created article and per imported set.

**Export** (:func:`export_records`) streams the records of a project in chunks of
:data:`CHUNK` articles, with a constant number of queries per chunk, as plain dicts
(span and entity ids are database ids, stable within a file). :func:`export_bytes` turns
them into a file of any writable format; JSONL lines are written with orjson, byte for byte
what :mod:`annotator.formats.jsonl` writes.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any
from urllib.parse import urlsplit

import orjson
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import Truncator

from articles.importing import ImportRefused, make_title
from articles.models import Article, Role
from articles.selectors import has_role, role_in, search_articles
from articles.text import content_hash, normalise

from .attributes import RATING_SCALE, clean_attribute_values
from .errors import ServiceError
from .formats import WRITABLE
from .formats.common import FormatError, check_record, is_int, is_key, quote
from .models import AnnotationSet, Entity, EntityKind, Event, Label, Relation, RelationType, SetStatus, Span
from .status import EXPORT_FILTERS, export_filter

CHUNK = 500
SET_CHOICES = ("all", "gold", "submitted")  # or a username
ARTICLE_STATUSES = EXPORT_FILTERS
ARTICLE_FIELDS = {"source": 200, "url": 1000, "published": None, "author": 200, "language": 16}
NEW_LABEL_COLOURS = ["#f28e2b", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#17becf",
                     "#bcbd22", "#8c564b", "#e377c2", "#7f7f7f", "#2ca02c", "#d62728", "#9467bd"]
WIKIDATA_ID = re.compile(r"(Q[0-9]{1,19})?")  # Entity.wikidata_id holds 20 characters
# What formats.jsonl writes (common.dump_json), without the check for self-containing
# objects, which records built from rows cannot be. See _jsonl_line for the fast way.
_JSONL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
# orjson writes str, int, bool, None, dict and list as _JSONL does (non-ASCII as is, the
# same escapes, keys in order); anything else goes to _orjson_default or, failing that,
# to _JSONL itself.
_ORJSON_OPTIONS = (orjson.OPT_APPEND_NEWLINE | orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME
                   | orjson.OPT_PASSTHROUGH_DATACLASS)
MAX_CHOICES = 30  # an inferred attribute with more distinct values is free text
MAX_TITLE = 300
ENTITY_KINDS = tuple(EntityKind.values)
SET_STATUSES = tuple(SetStatus.values)
FINAL = (SetStatus.SUBMITTED, SetStatus.DONE)  # statuses that record when the set was submitted

__all__ = ["ImportRefused", "ImportReport", "export_bytes", "export_filename", "export_records",
           "import_records"]


# --------------------------------------------------------------------------- import


@dataclass
class ImportReport:
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

    def summary(self) -> str:
        return (f"Imported {self.articles_created:,} new article(s) and annotated {self.articles_annotated:,} "
                f"existing one(s): {self.sets:,} annotation set(s), {self.spans:,} span(s), "
                f"{self.relations:,} relation(s); {self.entities_created:,} new knowledge-base "
                f"entr{'y' if self.entities_created == 1 else 'ies'}; {len(self.skipped):,} record(s) skipped.")


@dataclass(slots=True)
class _Span:
    file_id: int
    label: str
    start: int
    end: int
    text: str
    attributes: dict
    entity: str | None  # entity name
    note: str


@dataclass(slots=True)
class _Set:
    annotator: str | None  # None: gold
    status: str
    spans: list[_Span]
    relations: list[tuple[str, int, int]]  # type, source file id, target file id


@dataclass(slots=True)
class _Doc:
    location: str
    external_id: str
    title: str
    text: str
    digest: str
    fields: dict
    meta: dict
    sets: list[_Set]
    article_id: int | None = None  # an existing article that receives the sets


def _normalised(raw: str):
    """``(text, map)``: the normalised text and its offset map, ``None`` when nothing changes."""
    if "\r" not in raw and unicodedata.is_normalized("NFC", raw):
        return raw, None
    result = normalise(raw)
    return result.text, result


def _unstorable_at(text: str) -> int | None:
    """Where ``text`` first holds a character no database stores (NUL, a lone UTF-16
    surrogate as JSON's ``"\\ud800"`` decodes to), or None."""
    found = text.find("\x00")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            found = exc.start if found < 0 else min(found, exc.start)
    return found if found >= 0 else None


def _scalars(value: Any) -> Iterator[Any]:
    """Every value in ``value`` that is not a list or an object (keys included), in no
    particular order. Walks without recursing: a file may nest lists as deep as the JSON
    parser goes."""
    pending = [value]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        else:
            yield value


def _unstorable(value: Any) -> bool:
    return any(isinstance(item, str) and _unstorable_at(item) is not None for item in _scalars(value))


def _not_finite(value: Any) -> bool:
    """Whether ``value`` holds NaN or an infinity, which Python's json reads and writes but
    JSON columns refuse."""
    return any(isinstance(item, float) and not math.isfinite(item) for item in _scalars(value))


UNSTORABLE = "contains a character that cannot be stored (NUL, or half of a UTF-16 surrogate pair); remove it"


def _web_address(value: str) -> bool:
    """An http(s) address with a host: the article page links to it."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in value)


def _map_offset(value: Any, mapping, raw_length: int, length: int) -> Any:
    if mapping is None or not is_int(value) or value < 0:
        return value
    if value > raw_length:  # stays out of range by as much as before
        return value - raw_length + length
    return mapping.map(value)


def _located(records: Iterable) -> Iterator[tuple[str, Any]]:
    for number, item in enumerate(records, 1):
        if isinstance(item, tuple):
            yield item
        else:
            yield f"record {number}", item


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for index in range(0, len(items), size):
        yield items[index:index + size]


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _infer_attributes(values: dict[str, list]) -> list[dict]:
    """Attribute definitions for a new label from the values its spans carry."""
    definitions = []
    for name, seen in values.items():
        if all(isinstance(value, bool) for value in seen):
            definitions.append({"name": name, "type": "bool"})
            continue
        choices = list(dict.fromkeys(seen))
        if all(isinstance(value, str) for value in seen) and len(choices) <= MAX_CHOICES:
            definitions.append({"name": name, "type": "choice", "choices": choices})
        else:
            definitions.append({"name": name, "type": "text"})
    return definitions


class _Importer:
    """Checks every record first (pass 1), then writes them in chunks (pass 2)."""

    def __init__(self, project, *, add_labels: bool, default_annotator: str):
        self.project = project
        self.add_labels = add_labels
        self.default_annotator = default_annotator
        self.labels = {label.name: label for label in project.labels.all()}
        self.types = {kind.name: kind for kind in project.relation_types.select_related("source_label",
                                                                                          "target_label")}
        self.type_ends = {name: (kind.source_label.name, kind.target_label.name) for name, kind in self.types.items()}
        self.errors: list[FormatError] = []
        self.docs: list[_Doc] = []
        self.skipped: list[str] = []
        self.missing_labels: dict[str, dict] = {}
        self.missing_types: dict[str, dict] = {}
        self.deferred: list[tuple[str, _Span, str]] = []  # spans of new labels: location, span, where
        self.entities: dict[str, dict] = {}  # name -> kind, aliases, wikidata
        self.entity_names: dict[tuple, str] = {}  # (name, kind, wikidata, *aliases) as in the file -> name
        self.annotators: dict[str, None] = {}
        self.cleaned: dict[tuple[str, str], tuple[dict, list[str]]] = {}
        self.users: dict[str, int] = {}  # annotator name -> user id
        self.reusable: dict[tuple[int, str | None], int] = {}  # (article, annotator) -> empty existing set
        self.seen_ids: dict[str, str] = {}  # external id -> location
        self.seen_hashes: dict[str, str] = {}  # digest -> external id (this file)
        self.existing = {external_id: (pk, digest) for pk, external_id, digest in
                         project.articles.values_list("pk", "external_id", "content_hash")}
        self.existing_hashes = {digest: external_id for external_id, (_, digest) in self.existing.items()}

    # ---- pass 1: one record

    def add(self, location: str, record: dict) -> None:
        raw = record.get("text")
        if not isinstance(raw, str):
            self.errors.extend(check_record(record, location))  # says what is wrong with the text
            return
        if not raw:
            self.errors.append(FormatError(location, "text is empty"))
            return
        errors: list[FormatError] = []
        text, mapping = _normalised(raw)
        record = self._mapped(record, text, mapping, len(raw))
        problems = check_record(record, location)
        if mapping is not None:
            hint = " (offsets counted after normalising the text: line endings to \\n, Unicode to NFC)"
            problems = [FormatError(p.location, p.message + hint) if p.message.startswith("span ") else p
                        for p in problems]
        errors.extend(problems)

        def error(message: str) -> None:
            errors.append(FormatError(location, message))

        bad = _unstorable_at(text)
        if bad is not None:
            error(f"text {UNSTORABLE} (character {bad})")
        for name in ("id", "title", "meta"):
            if _unstorable(record.get(name)):
                error(f"{name} {UNSTORABLE}")
        digest = content_hash(text) if bad is None else ""  # refused below; cannot be hashed
        external_id = str(record.get("id") or "") or f"text-{digest[:12]}"
        if len(external_id) > 200:
            error(f"id {external_id[:40]!r}… is longer than 200 characters")
        elif external_id in self.seen_ids:
            error(f"id {external_id!r} is used again (first at {self.seen_ids[external_id]})")
        self.seen_ids.setdefault(external_id, location)
        fields, meta = self._fields(record.get("meta") or {}, error)
        if _not_finite(meta):
            error("meta holds NaN or Infinity, which JSON cannot store; write it as a text")
        entity_names = self._entities(record.get("entities") or [], error)
        sets = []
        if not problems:
            sets = self._sets(record, location, entity_names, error)
        if errors:
            self.errors.extend(errors)
            return

        existing = self.existing.get(external_id)
        if existing is not None and existing[1] != digest:
            error(f"article {external_id!r} is already in the project with a different text; "
                  "give this record another id, or leave the article out")
            self.errors.extend(errors)
            return
        if existing is None:
            duplicate = self.existing_hashes.get(digest) or self.seen_hashes.get(digest)
            if duplicate is not None:
                self.skipped.append(f"{location}: same text as article {duplicate!r}, skipped"
                                    + (f" with its {_plural(len(sets), 'annotation set')}" if sets else ""))
                return
        elif not sets:
            self.skipped.append(f"{location}: article {external_id!r} is already in the project, nothing to add")
            return
        self.seen_hashes[digest] = external_id
        title = record.get("title") or make_title(text)
        if type(title) is not str or len(title) > MAX_TITLE or not unicodedata.is_normalized("NFC", title):
            title = Truncator(title).chars(MAX_TITLE)  # otherwise it would return the title as it is
        self.docs.append(_Doc(location=location, external_id=external_id, title=title,
                              text=text, digest=digest, fields=fields, meta=meta, sets=sets,
                              article_id=existing[0] if existing else None))

    @staticmethod
    def _mapped(record: dict, text: str, mapping, raw_length: int) -> dict:
        """``record`` with normalised text, span offsets mapped and span texts normalised."""
        if mapping is None:
            return record
        annotations = []
        for annotation_set in record.get("annotations") or []:
            spans = []
            for span in annotation_set.get("spans") or []:
                span = dict(span)
                span["start"] = _map_offset(span.get("start"), mapping, raw_length, len(text))
                span["end"] = _map_offset(span.get("end"), mapping, raw_length, len(text))
                if isinstance(span.get("text"), str):
                    span["text"] = _normalised(span["text"])[0]
                spans.append(span)
            annotations.append(dict(annotation_set, spans=spans))
        return dict(record, text=text, annotations=annotations)

    @staticmethod
    def _fields(meta: dict, error) -> tuple[dict, dict]:
        """Article fields taken out of ``meta``, and the rest of it."""
        fields, rest = {}, {}
        for key, value in meta.items():
            if key not in ARTICLE_FIELDS:
                rest[key] = value
                continue
            if value is None or value == "":
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                error(f"meta {key} must be text, found {type(value).__name__}")
                continue
            limit = ARTICLE_FIELDS[key]
            if key == "published":
                try:
                    value = dt.date.fromisoformat(value.strip())
                except ValueError:
                    error(f"meta published {value!r} is not a date (use YYYY-MM-DD)")
                    continue
            elif len(value) > limit:
                error(f"meta {key} is longer than {limit} characters")
                continue
            elif key == "url" and not _web_address(value):
                error(f"meta url {value[:60]!r} is not an http(s) address")
                continue
            fields[key] = value
        return fields, rest

    def _entities(self, entities: list, error) -> dict:
        """File entity id -> name in the knowledge base; records each entity to create or merge."""
        names = {}
        for entity in entities:
            if not is_key(entity.get("id")):
                continue  # check_record reports it
            raw_name, kind, aliases, wikidata = (entity.get("name"), entity.get("kind"), entity.get("aliases"),
                                                 entity.get("wikidata"))
            # The same entity comes back in many records: once one has been taken in, another
            # with the same name, kind, aliases and Wikidata id has nothing to check or merge.
            seen = None
            if type(raw_name) is str and type(aliases) is list:
                try:
                    seen = (raw_name, kind, wikidata, *aliases)
                    name = self.entity_names.get(seen)
                except TypeError:  # a kind, Wikidata id or alias that is a list or an object: checked below
                    seen = name = None
                if name is not None:
                    names[entity.get("id")] = name
                    continue
            name = " ".join(str(raw_name or "").split())
            if not name:
                continue  # check_record reports it
            where = f"entity {entity.get('id')!r}"
            kind = entity.get("kind") or EntityKind.OTHER
            aliases = entity.get("aliases") or []
            wikidata = entity.get("wikidata") or ""
            if kind not in ENTITY_KINDS:
                error(f"{where}: kind {kind!r} is not one of {', '.join(ENTITY_KINDS)}")
                continue
            if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
                error(f"{where}: aliases must be a list of names")
                continue
            if not isinstance(wikidata, str) or not WIKIDATA_ID.fullmatch(wikidata):
                error(f"{where}: {wikidata!r} is not a Wikidata id (like Q42)")
                continue
            if len(name) > 200:
                error(f"{where}: the name is longer than 200 characters")
                continue
            if _unstorable(name) or _unstorable(aliases):
                error(f"{where}: {UNSTORABLE}")
                continue
            known = self.entities.setdefault(name, {"kind": kind, "aliases": [], "wikidata": wikidata})
            for alias in aliases:
                alias = " ".join(alias.split())
                if alias and alias != name and alias not in known["aliases"]:
                    known["aliases"].append(alias)
            known["wikidata"] = known["wikidata"] or wikidata
            names[entity.get("id")] = name
            if seen is not None:
                self.entity_names[seen] = name
        return names

    def _sets(self, record: dict, location: str, entity_names: dict, error) -> list[_Set]:
        sets: list[_Set] = []
        owners: set[str | None] = set()  # annotator names, None for gold
        annotations = record.get("annotations") or []
        several = len(annotations) > 1
        for number, data in enumerate(annotations, 1):
            in_set = f" in set {number}" if several else ""
            gold = data.get("gold", False)
            if not isinstance(gold, bool):
                error(f"set {number}: gold must be true or false")
                continue
            annotator = None
            if not gold:
                annotator = data.get("annotator") or self.default_annotator
                if not isinstance(annotator, str) or len(annotator) > 150 or _unstorable(annotator):
                    error(f"set {number}: the annotator must be a name of at most 150 characters")
                    continue
            status = data.get("status") or SetStatus.SUBMITTED
            if status not in SET_STATUSES:
                error(f"set {number}: status {status!r} is not one of {', '.join(SET_STATUSES)}")
                continue
            if gold and status == SetStatus.SUBMITTED:
                status = SetStatus.DONE
            if annotator in owners:
                error(f"set {number}: a second {'gold set' if gold else f'set of {annotator!r}'} for this article")
                continue
            owners.add(annotator)
            spans = self._spans(data, location, in_set, entity_names, error)
            relations = self._relations(data, spans, in_set, error)
            if annotator is not None:
                self.annotators[annotator] = None
            sets.append(_Set(annotator=annotator, status=status, spans=list(spans.values()), relations=relations))
        return sets

    def _spans(self, data: dict, location: str, in_set: str, entity_names: dict, error) -> dict[int, _Span]:
        spans: dict[int, _Span] = {}
        places: dict[tuple, int] = {}
        labels = self.labels
        for item in data.get("spans") or []:
            file_id, note = item["id"], item.get("note") or ""
            span = _Span(file_id, item["label"], item["start"], item["end"], item["text"],
                         item.get("attributes") or {}, entity_names.get(item.get("entity")), note)
            if not isinstance(note, str):
                error(f"span {file_id}{in_set}: note must be text")
                continue
            if note and _unstorable_at(note) is not None:
                error(f"span {file_id}{in_set}: note {UNSTORABLE}")
                continue
            place = (span.label, span.start, span.end)
            if place in places:
                error(f"span {file_id}{in_set}: same label and place as span {places[place]}")
                continue
            places[place] = file_id
            label = labels.get(span.label)
            if label is None:
                self._missing_label(span, location, f"span {file_id}{in_set}")
            else:
                if span.entity is not None and not label.links_entity:
                    error(f"span {file_id}{in_set}: {label.name} spans do not link to entities")
                span.attributes, problems = self._clean(label, span.attributes)
                for problem in problems:
                    error(f"span {file_id}{in_set}: {problem}")
            spans[file_id] = span
        if not self.project.allow_overlap:
            reach = None
            for span in sorted(spans.values(), key=lambda s: (s.start, s.end)):
                if reach is not None and span.start < reach.end:
                    error(f"span {span.file_id}{in_set} overlaps span {reach.file_id}; this project does not "
                          "allow overlapping spans")
                if reach is None or span.end > reach.end:
                    reach = span
        return spans

    def _clean(self, label, values: dict) -> tuple[dict, list[str]]:
        """:func:`clean_attribute_values`, once per label and distinct values (they repeat a lot)."""
        key = (label.name, repr(values))  # JSON values: repr tells True, 1 and "1" apart
        if key not in self.cleaned:
            cleaned, problems = clean_attribute_values(label, values)
            if _unstorable(cleaned):
                problems = [*problems, f"attributes {UNSTORABLE}"]
            self.cleaned[key] = cleaned, problems
        return self.cleaned[key]

    def _missing_label(self, span: _Span, location: str, where: str) -> None:
        missing = self.missing_labels.setdefault(span.label, {"count": 0, "first": location,
                                                              "links_entity": False, "values": {}})
        missing["count"] += 1
        missing["links_entity"] |= span.entity is not None
        if isinstance(span.attributes, dict):
            for name, value in span.attributes.items():
                if isinstance(value, (list, dict)):
                    self.errors.append(FormatError(location, f"{where}: attribute {quote(name)} holds a list or an "
                                                             "object; an attribute holds a text, a number or yes/no"))
                elif value not in (None, ""):
                    missing["values"].setdefault(name, []).append(value)
            # Reported once, here: the label made from the others has no such attribute to check it against.
            span.attributes = {k: v for k, v in span.attributes.items() if not isinstance(v, (list, dict))}
        self.deferred.append((location, span, where))

    def _relations(self, data: dict, spans: dict[int, _Span], in_set: str, error) -> list[tuple[str, int, int]]:
        relations, seen = [], set()
        for item in data.get("relations") or []:
            kind, source_id, target_id = item.get("type"), item.get("source"), item.get("target")
            source, target = spans.get(source_id), spans.get(target_id)
            if source is None or target is None:
                continue  # a span refused above
            relation = (kind, source_id, target_id)
            if source_id == target_id:
                error(f"relation {kind} {source_id}→{target_id}{in_set}: a span cannot be linked to itself")
                continue
            if relation in seen:
                error(f"relation {kind} {source_id}→{target_id}{in_set}: the same relation twice")
                continue
            seen.add(relation)
            known = self.types.get(kind)
            if known is None:
                missing = self.missing_types.get(kind)
                if missing is None:
                    missing = self.missing_types[kind] = {"count": 0, "source": source.label, "target": target.label,
                                                          "first": f"relation {kind} {source_id}→{target_id}{in_set}"}
                missing["count"] += 1
                expected = (missing["source"], missing["target"])
            else:
                expected = self.type_ends[kind]
            if (source.label, target.label) != expected:
                error(f"relation {kind} {source_id}→{target_id}{in_set}: {kind} links {expected[0]} to {expected[1]} "
                      f"spans, not {source.label} to {target.label}")
                continue
            relations.append(relation)
        return relations

    # ---- pass 1: the whole file

    def check_schema(self) -> None:
        if self.missing_labels and not self.add_labels:
            listed = ", ".join(f"{name} ({_plural(info['count'], 'span')}, first at {info['first']})"
                               for name, info in self.missing_labels.items())
            self.errors.append(FormatError("schema", f"labels not in the project's schema: {listed}. Add them "
                                                     "to the project, or import with “add missing labels”"))
        if self.missing_types and not self.add_labels:
            listed = ", ".join(f"{name} ({_plural(info['count'], 'relation')}, first at {info['first']})"
                               for name, info in self.missing_types.items())
            self.errors.append(FormatError("schema", f"relation types not in the project's schema: {listed}. "
                                                     "Add them to the project, or import with “add missing "
                                                     "labels”"))
        if not self.add_labels:
            return
        for name, info in self.missing_labels.items():
            if len(name) > 60 or _unstorable(name):
                self.errors.append(FormatError(info["first"], f"label {name[:40]!r} is not a name: at most 60 "
                                                              "characters that can be stored"))
            info["label"] = Label(project=self.project, name=name, links_entity=info["links_entity"],
                                  attributes=_infer_attributes(info["values"]))
        for name, info in self.missing_types.items():
            if len(name) > 60 or _unstorable(name):
                self.errors.append(FormatError(info["first"], f"relation type {name[:40]!r} is not a name: at "
                                                              "most 60 characters that can be stored"))
        for location, span, where in self.deferred:
            label = self.missing_labels[span.label].get("label")
            if label is None:
                continue
            span.attributes, problems = self._clean(label, span.attributes)
            self.errors.extend(FormatError(location, f"{where}: {problem}") for problem in problems)

    def check_database(self) -> None:
        """Sets that already exist, with spans, on the articles the file annotates."""
        for chunk in _chunks(list(self.annotators)):
            self.users.update(get_user_model().objects.filter(username__in=chunk).values_list("username", "pk"))
        matched = {doc.article_id: doc for doc in self.docs if doc.article_id is not None}
        usernames = {pk: name for name, pk in self.users.items()}
        for chunk in _chunks(list(matched)):
            existing = (AnnotationSet.objects.filter(article_id__in=chunk).annotate(span_count=Count("spans"))
                        .values_list("pk", "article_id", "user_id", "span_count"))
            for pk, article_id, user_id, span_count in existing:
                owner = usernames.get(user_id, False) if user_id is not None else None
                doc = matched[article_id]
                if owner is False or not any(s.annotator == owner for s in doc.sets):
                    continue
                if span_count:
                    who = "The gold set" if owner is None else f"A set of {owner!r}"
                    self.errors.append(FormatError(doc.location, (
                        f"{who} already exists on article {doc.external_id!r} with "
                        f"{_plural(span_count, 'span')}; sets are not merged: delete it first, or import these "
                        "annotations under another annotator name")))
                else:
                    self.reusable[(article_id, owner)] = pk

    # ---- pass 2

    def save(self, user, source_name: str, progress: Callable[[int, int], None] | None) -> ImportReport:
        report = ImportReport(skipped=self.skipped)
        users = self._save_users(report)
        labels, types = self._save_schema(report)
        entities = self._save_entities(report)
        actor = user.pk if user is not None and user.is_authenticated else None
        ops = connection.ops
        moment = timezone.now()
        now = ops.adapt_datetimefield_value(moment)
        json = ops.adapt_json_value
        encoded: dict[int, tuple[dict, Any]] = {}

        def encode(values: dict) -> Any:
            # Spans with the same cleaned attribute values share one dict (see _clean): encode
            # each once. The entry keeps the dict alive, so its id stays its own.
            found = encoded.get(id(values))
            if found is None:
                found = encoded[id(values)] = (values, json(values, None))
            return found[1]

        project = self.project.pk
        done = 0
        for chunk in _chunks(self.docs):
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

            sets = [(doc, data, self.reusable.get((doc.article_id, data.annotator)))
                    for doc in chunk for data in doc.sets]
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
                progress(done, len(self.docs))
        return report

    def _save_users(self, report: ImportReport) -> dict[str, int]:
        user_model = get_user_model()
        new = []
        for name in self.annotators:
            if name not in self.users:
                person = user_model(username=name, is_active=False)
                person.set_unusable_password()
                new.append(person)
        for person in user_model.objects.bulk_create(new):
            self.users[person.username] = person.pk
        report.users_created = [person.username for person in new]
        members = set(self.project.memberships.values_list("user_id", flat=True))
        outside = [name for name in self.annotators if self.users[name] not in members]
        if outside:
            report.notes.append(f"Not members of the project (their sets are imported; add them as members to let "
                                f"them work on them): {', '.join(outside)}.")
        return self.users

    def _save_schema(self, report: ImportReport) -> tuple[dict[str, int], dict[str, int]]:
        used = {label.colour.lower() for label in self.labels.values()}
        colours = [colour for colour in NEW_LABEL_COLOURS if colour not in used] or NEW_LABEL_COLOURS
        order = max((label.order for label in self.labels.values()), default=0)
        for number, (name, info) in enumerate(self.missing_labels.items()):
            label = info["label"]
            label.colour = colours[number % len(colours)]
            label.order = order + number + 1
            label.description = "Added by an import."
            label.save()
            self.labels[name] = label
            report.labels_created.append(name)
        for name, info in self.missing_types.items():
            self.types[name] = RelationType.objects.create(
                project=self.project, name=name, source_label=self.labels[info["source"]],
                target_label=self.labels[info["target"]], description="Added by an import.")
            report.relation_types_created.append(name)
        return ({name: label.pk for name, label in self.labels.items()},
                {name: kind.pk for name, kind in self.types.items()})

    def _save_entities(self, report: ImportReport) -> dict[str, int]:
        ids: dict[str, int] = {}
        changed = []
        for chunk in _chunks(list(self.entities)):
            for entity in Entity.objects.filter(project=self.project, name__in=chunk):
                ids[entity.name] = entity.pk
                incoming = self.entities[entity.name]
                aliases = entity.aliases + [a for a in incoming["aliases"] if a not in entity.aliases]
                wikidata = entity.wikidata_id or incoming["wikidata"]
                if aliases != entity.aliases or wikidata != entity.wikidata_id:
                    entity.aliases, entity.wikidata_id = aliases, wikidata
                    changed.append(entity)
        Entity.objects.bulk_update(changed, ["aliases", "wikidata_id"], batch_size=CHUNK)
        new = [Entity(project=self.project, name=name, kind=info["kind"], aliases=info["aliases"],
                      wikidata_id=info["wikidata"]) for name, info in self.entities.items() if name not in ids]
        for entity in Entity.objects.bulk_create(new, batch_size=CHUNK):
            ids[entity.name] = entity.pk
        report.entities_created = len(new)
        return ids


ARTICLE_INSERT = ("project", "external_id", "title", "text", "source", "url", "published", "author", "language",
                  "meta", "content_hash", "length", "created_at")
SET_INSERT = ("article", "user", "is_gold", "status", "created_at", "updated_at", "submitted_at")
SPAN_INSERT = ("annotation_set", "label", "start", "end", "text", "attributes", "entity", "note", "version",
               "created_at", "updated_at")
RELATION_INSERT = ("annotation_set", "type", "source", "target", "created_at")
EVENT_INSERT = ("project", "article", "annotation_set", "user", "action", "object_type", "object_id", "data",
                "created_at")


def bulk_insert(model, fields: tuple[str, ...], rows: list[tuple]) -> list[int]:
    """Insert ``rows`` into ``model``'s table and return their new ids, in order.

    Each row holds the values of ``fields`` already adapted for the database
    (``connection.ops.adapt_*``); concrete fields left out get their model default. This is
    ``bulk_create`` without its per-field Python work, which costs about 100 µs a row on
    these models and would make a 270,000-row import take half a minute: multi-row
    ``INSERT … RETURNING`` on the DB-API cursor (Django's placeholder rewriting costs more
    than the insert on SQLite), up to 1,000 rows a statement within the backend's parameter
    limit. Like ``bulk_create``, it relies on the rows coming back in ``VALUES`` order.
    """
    if not rows:
        return []
    ops = connection.ops
    meta = model._meta
    defaults = [field for field in meta.concrete_fields
                if not field.primary_key and field.name not in fields and field.attname not in fields]
    fields = (*fields, *(field.name for field in defaults))
    extra = tuple(field.get_db_prep_save(field.get_default(), connection) for field in defaults)
    columns = ", ".join(ops.quote_name(meta.get_field(name).column) for name in fields)
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        placeholder, limit = "?", connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    else:
        placeholder, limit = "%s", connection.features.max_query_params or 65_535
    per_statement = max(1, min(1000, limit // len(fields)))
    row_sql = "(" + ", ".join([placeholder] * len(fields)) + ")"
    head = f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) VALUES "
    tail = f" RETURNING {ops.quote_name(meta.pk.column)}"
    ids: list[int] = []
    cursor = connection.connection.cursor()
    try:
        with connection.wrap_database_errors:
            for batch in _chunks(rows, per_statement):
                values = chain.from_iterable((*row, *extra) for row in batch) if extra else chain.from_iterable(batch)
                cursor.execute(head + ", ".join([row_sql] * len(batch)) + tail, list(values))
                ids.extend(row[0] for row in cursor.fetchall())
    finally:
        cursor.close()
    return ids


def import_records(
    project,
    records: Iterable,
    *,
    user,
    add_labels: bool = False,
    default_annotator: str = "imported",
    source_name: str = "upload",
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Save ``records`` into ``project``, all or nothing (see the module docstring).

    ``records`` yields what a format reader yields, ``(location, record | FormatError)``,
    or plain records (numbered ``record N``). Raises :class:`ImportRefused` listing every
    problem as ``"<source_name>, <location>: <reason>"``; nothing is saved then.
    ``progress(done, total)`` is called after each chunk of articles is saved.
    """
    importer = _Importer(project, add_labels=add_labels, default_annotator=default_annotator)
    count = 0
    for location, record in _located(records):
        count += 1
        if isinstance(record, FormatError):
            importer.errors.append(record)
        else:
            importer.add(location, record)
    if not count:
        importer.errors.append(FormatError("file", "no records found"))
    importer.check_schema()
    importer.check_database()
    if importer.errors:
        raise ImportRefused([f"{source_name}, {error}" for error in importer.errors])
    try:
        with transaction.atomic():
            return importer.save(user, source_name, progress)
    except IntegrityError as clash:
        raise ImportRefused([f"{source_name}: the project changed while the file was being imported ({clash}); "
                             "nothing was saved, try again"]) from None


# --------------------------------------------------------------------------- export


def _set_scope(project, user, sets: str) -> Q:
    """Which annotation sets of ``project`` go into the export; raises ServiceError when refused.

    ``user`` None is the command line (the operator sees everything). Annotators export
    only their own sets (DESIGN rule 3); reviewers and managers any set of the project.
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
) -> Iterator[dict]:
    """Stream the project's articles as Factmark JSONL records.

    ``sets``: ``all`` (every set the user may read; articles without sets are included),
    ``gold``, ``submitted`` or a username (then only articles that have such a set).
    Sets come gold first, then in creation order, so one-layer formats (which use the
    first set) get the gold layer when there is one. ``labels`` keeps only spans of those
    labels (and relations between kept spans). ``status`` is one of
    :data:`ARTICLE_STATUSES`. Raises :class:`ServiceError` at once when the user may not
    export those sets.
    """
    return _export(project, user=user, sets=sets, labels=labels, article_ids=article_ids, search=search,
                   status=status, decode=json.loads)


def _export(project, *, user, sets: str = "all", labels: Iterable[str] | None = None,
            article_ids: Iterable[int] | None = None, search: str = "", status: str = "",
            decode: Callable[[str], Any]) -> Iterator[dict]:
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
    return _Exporter(project, scope, labels, decode).records(articles)


ARTICLE_COLUMNS = ("id", "external_id", "title", "text", "source", "url", "published", "author", "language",
                   "meta_json")
SPAN_COLUMNS = ("annotation_set_id", "id", "label_id", "start", "end", "text", "attributes_json", "entity_id", "note")


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


class _JsonFloat(float):
    """A number read from a JSON column for the JSONL export: written exactly as the json
    module writes a float (``repr``, or ``NaN``/``Infinity``), which orjson does not do."""


def _decode_exact(raw: str) -> Any:
    """``json.loads``, every float (and ``NaN``, ``Infinity``) a :class:`_JsonFloat`."""
    return json.loads(raw, parse_float=_JsonFloat, parse_constant=_JsonFloat)


def _orjson_default(value: Any) -> Any:
    if type(value) is _JsonFloat:
        if math.isfinite(value):
            return orjson.Fragment(float.__repr__(value))
        return orjson.Fragment("NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity")
    raise TypeError  # not for orjson: _jsonl_line hands the record to the json module


def _jsonl_line(record: dict) -> bytes:
    """The record's line as formats.jsonl writes it, byte for byte.

    Every float in an exported record is a :class:`_JsonFloat` (the JSON columns are read with
    :func:`_decode_exact`); orjson refuses anything it would not write as the json module
    does (other floats' subclasses, integers past 64 bits, keys that are not strings, …),
    and those records are written by the json module itself.
    """
    try:
        return orjson.dumps(record, default=_orjson_default, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return (_JSONL.encode(record) + "\n").encode("utf-8")


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

        decoded = _MetaMemo(self.decode)
        for pk, external_id, title, text, source, url, published, author, language, extra in rows:
            meta = {key: value for key, value in (("source", source), ("url", url), ("published", published),
                                                  ("author", author), ("language", language)) if value}
            if published:
                meta["published"] = published.isoformat()
            meta.update(decoded[extra])
            entities = entities_by_article.get(pk, {}).values()
            yield {"id": external_id, "title": title, "text": text, "meta": meta,
                   "annotations": sets_by_article.get(pk, []),
                   "entities": sorted(entities, key=lambda entity: entity["name"])}

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
        return map(_jsonl_line, _export(project, user=user, decode=_decode_exact, **filters))
    records = export_records(project, user=user, **filters)
    if fmt == "csv":
        return WRITABLE[fmt].write(records, table=table)
    if fmt == "claimreview":
        return WRITABLE[fmt].write(records, rating_scale=rating_scale(project),
                                   organisation=project.organisation or project.name)
    return WRITABLE[fmt].write(records)
