"""The shapes the API reads and writes; the OpenAPI schema is generated from them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

Role = Literal["annotator", "reviewer", "manager"]
MAX_ID = 2**63 - 1  # the largest id a database stores
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class ProblemOut(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] = []


class ProjectOut(Schema):
    slug: str
    name: str
    role: Role
    description: str
    articles: int


class ProjectDetailOut(ProjectOut):
    organisation: str
    guidelines: str = Field(description="Markdown.")
    annotators_per_article: int
    allow_overlap: bool
    snap_to_words: bool
    created_at: dt.datetime


class LabelOut(Schema):
    id: int
    name: str
    colour: str
    key: str
    description: str
    attributes: list[dict[str, Any]]
    links_entity: bool


class RelationTypeOut(Schema):
    id: int
    name: str
    source_label: str
    target_label: str
    description: str


class EntityOut(Schema):
    id: int
    name: str
    kind: str
    aliases: list[str]
    wikidata_id: str
    description: str
    spans: int
    articles: int


class EntityPage(Schema):
    results: list[EntityOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class ArticleOut(Schema):
    id: int
    external_id: str
    title: str
    source: str
    url: str
    published: dt.date | None
    author: str
    language: str
    length: int
    created_at: dt.datetime
    status: str | None = Field(description="Annotators: their own set's status; others: the gold set's.")
    spans: int = Field(description="Spans the caller can see.")


class ArticlePage(Schema):
    results: list[ArticleOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class SpanOut(Schema):
    id: int
    label: str
    start: int
    end: int
    text: str
    attributes: dict[str, Any]
    entity: int | None
    note: str
    version: int


class RelationOut(Schema):
    id: int
    type: str
    source: Id
    target: Id


class SetOut(Schema):
    id: int
    annotator: str | None = Field(description="null for the gold set.")
    gold: bool
    status: str
    spans: list[SpanOut]
    relations: list[RelationOut]


class ArticleDetailOut(ArticleOut):
    text: str
    meta: dict[str, Any]
    sets: list[SetOut]


class ArticleIn(Schema):
    text: str = Field(min_length=1, description="Normalised at import (line endings, Unicode NFC).")
    title: str = Field("", max_length=300, description="Default: the first sentence.")
    external_id: str = Field("", max_length=200, description="Unique in the project; default: from the text's hash.")
    source: str = Field("", max_length=200)
    url: str = Field("", max_length=1000)
    published: dt.date | None = None
    author: str = Field("", max_length=200)
    language: str = Field("en", max_length=16)
    meta: dict[str, Any] = {}


class ArticleBatchIn(Schema):
    articles: list[ArticleIn] = Field(min_length=1, max_length=1000)


class SkippedOut(Schema):
    item: int
    external_id: str
    message: str


class CreatedOut(Schema):
    id: int
    external_id: str
    title: str


class AddedOut(Schema):
    created: list[CreatedOut]
    skipped: list[SkippedOut]


class ImportOut(Schema):
    summary: str
    articles_created: int
    articles_annotated: int
    sets: int
    spans: int
    relations: int
    entities_created: int
    labels_created: list[str]
    relation_types_created: list[str]
    users_created: list[str]
    skipped: list[str]
    notes: list[str]


class SpanIn(Schema):
    label: str = Field(min_length=1, description="The label's name, e.g. Claim.")
    start: int = Field(ge=0, description="Code points into the article's text, half-open.")
    end: int = Field(ge=0)
    text: str = Field(description="Exactly text[start:end] of the article; checked.")
    attributes: dict[str, Any] = {}
    note: str = Field("", max_length=5000)
    entity: Id | None = Field(None, description="An entity of the project's knowledge base.")


class SpanPatch(Schema):
    version: int = Field(ge=1, le=MAX_ID, description="The version you last read; a newer one answers 409.")
    label: str | None = None
    attributes: dict[str, Any] | None = None
    note: str | None = Field(None, max_length=5000)
    entity: Id | None = Field(None, description="Link to this entity; see `unlink_entity` to remove the link.")
    unlink_entity: bool = False
    add_alias: bool = Field(False, description="With `entity`: the mention's spelling becomes an alias of it.")


class RelationIn(Schema):
    type: str = Field(min_length=1, description="The relation type's name, e.g. said_by.")
    source: Id
    target: Id


class StatusBucket(Schema):
    key: str
    name: str
    count: int


class AnnotatorProgress(Schema):
    username: str
    role: str | None
    started: int
    submitted: int
    spans: int
    spans_this_week: int
    spans_per_hour: float | None


class LabelProgress(Schema):
    name: str
    spans: int
    gold: int


class ProgressOut(Schema):
    annotators_per_article: int
    articles: int
    statuses: list[StatusBucket]
    annotators: list[AnnotatorProgress]
    labels: list[LabelProgress]


class AgreementOut(Schema):
    articles: int
    counts: dict[str, int]
    overall: dict[str, Any]
    labels: dict[str, dict[str, Any]]
    pairs: list[dict[str, Any]]
