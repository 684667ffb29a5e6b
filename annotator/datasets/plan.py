"""What an import will write: the checked records, as the checking pass (:mod:`.check`) leaves them
for the writing pass (:mod:`.write`). An :class:`ImportPlan` holds every article to create or
annotate (:class:`PlannedArticle`, its text already normalised and its sets and spans checked),
the labels and relation types to add to the schema, the knowledge-base entities to create or
merge, the annotators and which of them already have an account, and the empty sets already in
the project that the file fills. Nothing in it has been saved; once the checks found no problem,
writing it cannot fail except on a database that changed in between.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class PlannedSpan:
    file_id: int
    label: str
    start: int
    end: int
    text: str
    attributes: dict
    entity: str | None  # entity name
    note: str


@dataclass(slots=True)
class PlannedSet:
    annotator: str | None  # None: gold
    status: str
    spans: list[PlannedSpan]
    relations: list[tuple[str, int, int]]  # type, source file id, target file id
    # Machine output for the suggestion layer (annotator.suggestions.importing), not a set: its source, and
    # per span id (score, source, entity name) and per relation its score.
    source: str | None = None
    machine: dict | None = None


@dataclass(slots=True)
class PlannedArticle:
    location: str
    external_id: str
    title: str
    text: str
    digest: str
    fields: dict
    meta: dict
    sets: list[PlannedSet]
    article_id: int | None = None  # an existing article that receives the sets


@dataclass
class ImportPlan:
    """Everything the writing pass saves, found by the checking pass."""

    project: object
    articles: list[PlannedArticle]
    skipped: list[str]  # one message per record left out
    labels: dict  # label name -> Label, of the project's schema
    types: dict  # relation type name -> RelationType, of the project's schema
    # Labels the schema lacks (with "add missing labels"): name -> count, first, links_entity, values and the
    # unsaved "label"; relation types: name -> count, source and target label names, first.
    new_labels: dict[str, dict]
    new_types: dict[str, dict]
    entities: dict[str, dict]  # name -> kind, aliases, wikidata
    annotators: dict[str, None]  # every annotator named, in order of appearance
    users: dict[str, int] = field(default_factory=dict)  # annotator name -> user id, of the accounts that exist
    reusable: dict[tuple[int, str | None], int] = field(default_factory=dict)  # (article, annotator) -> empty set
    notes: list[str] = field(default_factory=list)  # what the report tells besides its counts
