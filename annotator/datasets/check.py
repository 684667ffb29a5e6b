"""Whether a file can be imported into a project, and what importing it would write: the checking
pass, which reads every record before anything is saved. :func:`check_records` takes the
``(location, record | FormatError)`` pairs a format reader yields (plain records are numbered
``record N``) and checks each record as an article of the project: its text, normalised with its
spans' offsets mapped (:mod:`.values`), must hold only characters a database stores; its id must
be new in the file and, in the project, either unknown or the id of an article with the same
text (which then receives the file's sets); the same text under another id is skipped and
reported; its metadata and its entities (matched by name in the knowledge base) must be well
formed; its sets must fit the schema (:mod:`.check_annotations`). Then the file as a whole:
labels and relation types the schema lacks, and sets the file would merge into ones that already
hold spans. Every problem of every record is collected with its location, and
:class:`ImportRefused` carries them all (docs/design.md, rule 4); otherwise the result is the
:class:`~.plan.ImportPlan` to write.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils.text import Truncator

from articles.importing import ImportRefused, make_title, shorten
from articles.text import content_hash, not_finite, unstorable, unstorable_at

from ..formats.common import FormatError, check_record, is_key
from ..models import AnnotationSet, EntityKind
from ..suggestions.importing import fold_record
from .bulk import chunks
from .check_annotations import AnnotationChecker, plural
from .plan import ImportPlan, PlannedArticle, PlannedSet
from .values import UNSTORABLE, article_fields, mapped_record, normalised

MAX_TITLE = 300
ENTITY_KINDS = tuple(EntityKind.values)
WIKIDATA_ID = re.compile(r"(Q[0-9]{1,19})?")  # Entity.wikidata_id holds 20 characters
NORMALISED_HINT = " (offsets counted after normalising the text: line endings to \\n, Unicode to NFC)"


def _located(records: Iterable) -> Iterator[tuple[str, Any]]:
    for number, item in enumerate(records, 1):
        if isinstance(item, tuple):
            yield item
        else:
            yield f"record {number}", item


def check_records(project, records: Iterable, *, add_labels: bool, default_annotator: str | None,
                  source_name: str, as_suggestions: bool = False, suggestion_source: str | None = None) -> ImportPlan:
    """The plan of importing ``records`` into ``project``; raises :class:`ImportRefused` listing
    every problem as ``"<source_name>, <location>: <reason>"``. Machine output goes to the suggestion
    layer (see :mod:`annotator.suggestions.importing`), under ``suggestion_source`` or the file's name."""
    checker = Checker(project, add_labels=add_labels, default_annotator=default_annotator,
                      as_suggestions=as_suggestions, source_name=suggestion_source or source_name)
    count = 0
    for location, record in _located(records):
        count += 1
        if isinstance(record, FormatError):
            checker.errors.append(record)
        else:
            checker.add(location, record)
    if not count:
        checker.errors.append(FormatError("file", "no records found"))
    checker.annotations.check_schema()
    checker.check_database()
    if checker.errors:
        raise ImportRefused([f"{source_name}, {error}" for error in checker.errors])
    return checker.plan()


class Checker:
    """Checks records one by one (:meth:`add`), then what only the whole file shows."""

    def __init__(self, project, *, add_labels: bool, default_annotator: str | None, as_suggestions: bool = False,
                 source_name: str = "upload"):
        self.project = project
        self.errors: list[FormatError] = []
        self.annotations = AnnotationChecker(project, add_labels=add_labels, default_annotator=default_annotator,
                                             errors=self.errors, as_suggestions=as_suggestions,
                                             source_name=source_name)
        self.docs: list[PlannedArticle] = []
        self.skipped: list[str] = []
        self.entities: dict[str, dict] = {}  # name -> kind, aliases, wikidata
        self.entity_names: dict[tuple, str] = {}  # (name, kind, wikidata, *aliases) as in the file -> name
        self.users: dict[str, int] = {}  # annotator name -> user id
        self.reusable: dict[tuple[int, str | None], int] = {}  # (article, annotator) -> empty existing set
        self.seen_ids: dict[str, str] = {}  # external id -> location
        self.seen_hashes: dict[str, str] = {}  # digest -> external id (this file)
        self.existing = {external_id: (pk, digest) for pk, external_id, digest in
                         project.articles.values_list("pk", "external_id", "content_hash")}
        self.existing_hashes = {digest: external_id for external_id, (_, digest) in self.existing.items()}

    def plan(self) -> ImportPlan:
        annotations = self.annotations
        return ImportPlan(project=self.project, articles=self.docs, skipped=self.skipped, labels=annotations.labels,
                          types=annotations.types, new_labels=annotations.missing_labels,
                          new_types=annotations.missing_types, entities=self.entities,
                          annotators=annotations.annotators, users=self.users, reusable=self.reusable,
                          notes=self._notes())

    def _notes(self) -> list[str]:
        anonymous = self.annotations.anonymous
        if not anonymous:
            return []
        return [f"{plural(anonymous, 'annotation set')} without an annotator went to the suggestion layer (source "
                f"“{self.annotations.source_name}”): machine output never poses as a person. Name the annotator "
                "to import them as that person's sets."]

    # ---- one record

    def add(self, location: str, record: dict) -> None:
        raw = record.get("text")
        if not isinstance(raw, str):
            self.errors.extend(check_record(record, location))  # says what is wrong with the text
            return
        if not raw:
            self.errors.append(FormatError(location, "text is empty"))
            return
        record, problems = fold_record(record)  # a record's suggestions: checked as a set of machine output
        if problems:
            self.errors.extend(FormatError(location, problem) for problem in problems)
            return
        errors: list[FormatError] = []

        def error(message: str) -> None:
            errors.append(FormatError(location, message))

        text, mapping = normalised(raw)
        record = mapped_record(record, text, mapping, len(raw))
        problems = self._record_problems(record, location, mapping is not None)
        errors.extend(problems)
        digest = self._check_storable(record, text, error)
        external_id = self._check_id(record, location, digest, error)
        fields, meta = article_fields(record.get("meta") or {}, error)
        if not_finite(meta):
            error("meta holds NaN or Infinity, which JSON cannot store; write it as a text")
        entity_names = self._entities(record.get("entities") or [], error)
        sets = []
        if not problems:
            sets = self.annotations.sets(record, location, entity_names, error)
        if errors:
            self.errors.extend(errors)
            return

        existing = self.existing.get(external_id)
        if existing is not None and existing[1] != digest:
            self.errors.append(FormatError(location, (
                f"article {external_id!r} is already in the project with a different text; "
                "give this record another id, or leave the article out")))
            return
        if self._skipped(location, external_id, digest, existing, sets):
            return
        self.seen_hashes[digest] = external_id
        self.docs.append(PlannedArticle(location=location, external_id=external_id, title=self._title(record, text),
                                        text=text, digest=digest, fields=fields, meta=meta, sets=sets,
                                        article_id=existing[0] if existing else None))

    @staticmethod
    def _record_problems(record: dict, location: str, normalised_text: bool) -> list[FormatError]:
        """What :func:`check_record` finds, span problems saying that offsets count in the normalised text."""
        problems = check_record(record, location)
        if normalised_text:
            problems = [FormatError(p.location, p.message + NORMALISED_HINT) if p.message.startswith("span ") else p
                        for p in problems]
        return problems

    @staticmethod
    def _check_storable(record: dict, text: str, error: Callable[[str], None]) -> str:
        """The text's content hash, reporting a text, id, title or meta no database stores ("" for such a text)."""
        bad = unstorable_at(text)
        if bad is not None:
            error(f"text {UNSTORABLE} (character {bad})")
        for name in ("id", "title", "meta"):
            if unstorable(record.get(name)):
                error(f"{name} {UNSTORABLE}")
        return content_hash(text) if bad is None else ""  # refused above; cannot be hashed

    def _check_id(self, record: dict, location: str, digest: str, error: Callable[[str], None]) -> str:
        """The record's external id (``text-<hash prefix>`` without one), reporting one too long or used again."""
        external_id = str(record.get("id") or "") or f"text-{digest[:12]}"
        if len(external_id) > 200:
            error(f"id {external_id[:40]!r}… is longer than 200 characters")
        elif external_id in self.seen_ids:
            error(f"id {external_id!r} is used again (first at {self.seen_ids[external_id]})")
        self.seen_ids.setdefault(external_id, location)
        return external_id

    def _skipped(self, location: str, external_id: str, digest: str, existing: tuple | None,
                 sets: list[PlannedSet]) -> bool:
        """Whether the record is left out (and reported): a text already imported under another id, or an
        existing article the record brings no sets to."""
        if existing is None:
            duplicate = self.existing_hashes.get(digest) or self.seen_hashes.get(digest)
            if duplicate is not None:
                self.skipped.append(f"{location}: same text as article {duplicate!r}, skipped"
                                    + (f" with its {plural(len(sets), 'annotation set')}" if sets else ""))
                return True
        elif not sets:
            self.skipped.append(f"{location}: article {external_id!r} is already in the project, nothing to add")
            return True
        return False

    @staticmethod
    def _title(record: dict, text: str) -> str:
        title = record.get("title") or make_title(text)
        if type(title) is not str:
            return Truncator(title).chars(MAX_TITLE)
        if len(title) > MAX_TITLE or not unicodedata.is_normalized("NFC", title):
            title = shorten(title, MAX_TITLE)
        return title

    def _entities(self, entities: list, error: Callable[[str], None]) -> dict:
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
            kind = entity.get("kind") or EntityKind.OTHER
            aliases = entity.get("aliases") or []
            wikidata = entity.get("wikidata") or ""
            problem = self._entity_problem(name, kind, aliases, wikidata)
            if problem:
                error(f"entity {entity.get('id')!r}: {problem}")
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

    @staticmethod
    def _entity_problem(name: str, kind: Any, aliases: Any, wikidata: Any) -> str | None:
        """What is wrong with an entity of the file, if anything."""
        if kind not in ENTITY_KINDS:
            return f"kind {kind!r} is not one of {', '.join(ENTITY_KINDS)}"
        if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
            return "aliases must be a list of names"
        if not isinstance(wikidata, str) or not WIKIDATA_ID.fullmatch(wikidata):
            return f"{wikidata!r} is not a Wikidata id (like Q42)"
        if len(name) > 200:
            return "the name is longer than 200 characters"
        if unstorable(name) or unstorable(aliases):
            return UNSTORABLE
        return None

    # ---- the whole file

    def check_database(self) -> None:
        """Sets that already exist, with spans, on the articles the file annotates."""
        for chunk in chunks(list(self.annotations.annotators)):
            self.users.update(get_user_model().objects.filter(username__in=chunk).values_list("username", "pk"))
        matched = {doc.article_id: doc for doc in self.docs if doc.article_id is not None}
        usernames = {pk: name for name, pk in self.users.items()}
        for chunk in chunks(list(matched)):
            existing = (AnnotationSet.objects.filter(article_id__in=chunk).annotate(span_count=Count("spans"))
                        .values_list("pk", "article_id", "user_id", "span_count"))
            for pk, article_id, user_id, span_count in existing:
                owner = usernames.get(user_id, False) if user_id is not None else None
                doc = matched[article_id]
                if owner is False or not any(s.annotator == owner and s.source is None for s in doc.sets):
                    continue
                if span_count:
                    who = "The gold set" if owner is None else f"A set of {owner!r}"
                    self.errors.append(FormatError(doc.location, (
                        f"{who} already exists on article {doc.external_id!r} with "
                        f"{plural(span_count, 'span')}; sets are not merged: delete it first, or import these "
                        "annotations under another annotator name")))
                else:
                    self.reusable[(article_id, owner)] = pk
