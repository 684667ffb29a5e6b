"""Articles: the list with filters and cursor pagination, one article with the sets the
caller may read, and adding articles (one, or a batch, all or nothing)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.db.models import CharField, Exists, IntegerField, OuterRef, Q, Value
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from articles.adding import ArticlesRefused, NewArticle, add_articles
from articles.models import Role
from articles.selectors import has_role, search_articles

from ..models import AnnotationSet, Event, Relation, Span
from ..selectors import articles_for, sets_for
from ..status import STATUSES, status_q, with_status_inputs
from . import common
from .errors import Problem
from .schemas import AddedOut, ArticleBatchIn, ArticleDetailOut, ArticleIn, ArticlePage

router = Router(tags=["articles"])

ARTICLE_FIELDS = ("id", "external_id", "title", "source", "url", "published", "author", "language", "length",
                  "created_at")
ArticleStatus = Literal[tuple(STATUSES)]  # type: ignore[valid-type]


def _row(article) -> dict:
    return {name: getattr(article, name) for name in ARTICLE_FIELDS} | {
        "status": article.set_status, "spans": article.span_count}


def _filtered(request, project, role, *, status, mine, has_gold, q, published_from, published_to, updated_since):
    articles = search_articles(articles_for(request.user, project, role=role), q)
    reader = has_role(role, Role.REVIEWER)
    if status:
        articles = with_status_inputs(articles).filter(status_q(status, project.annotators_per_article))
    if mine is not None:
        own = Exists(AnnotationSet.objects.filter(article=OuterRef("pk"), user=request.user, is_gold=False))
        articles = articles.filter(own) if mine else articles.exclude(own)
    if has_gold is not None:
        if not reader:
            raise Problem(403, "Only reviewers and managers can filter on gold sets.",
                          errors=[{"field": "has_gold", "message": "Not for annotators."}])
        gold = Exists(AnnotationSet.objects.filter(article=OuterRef("pk"), is_gold=True))
        articles = articles.filter(gold) if has_gold else articles.exclude(gold)
    if published_from:
        articles = articles.filter(published__gte=published_from)
    if published_to:
        articles = articles.filter(published__lte=published_to)
    if updated_since:
        # Added since, or annotations the caller can read changed since (every change writes an event).
        events = Event.objects.filter(article=OuterRef("pk"), created_at__gte=updated_since)
        if not reader:
            events = events.filter(Q(annotation_set__user=request.user) | Q(annotation_set__isnull=True,
                                                                              user=request.user))
        articles = articles.filter(Q(created_at__gte=updated_since) | Exists(events))
    return articles


@router.get("/projects/{slug}/articles", response=ArticlePage,
            summary="Articles: every one for reviewers and managers, those assigned to them for annotators")
def list_articles(
    request, slug: str,
    status: Annotated[ArticleStatus | None, Query(description="Where the article stands in the workflow.")] = None,
    mine: Annotated[bool | None, Query(description="Only articles assigned to me (true) or not (false).")] = None,
    has_gold: Annotated[bool | None, Query(description="Reviewers, managers: with a gold set or not.")] = None,
    q: Annotated[str, Query(max_length=200, description="Title or text contains; or the exact external id.")] = "",
    published_from: dt.date | None = None,
    published_to: dt.date | None = None,
    updated_since: Annotated[dt.datetime | None, Query(description="Added, or annotations changed, since.")] = None,
    cursor: Annotated[str | None, Query(description="The `next` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=common.MAX_LIMIT)] = common.DEFAULT_LIMIT,
):
    project, role = common.project(request, slug)
    after = common.decode_cursor(cursor)
    articles = _filtered(request, project, role, status=status, mine=mine, has_gold=has_gold, q=q,
                         published_from=published_from, published_to=published_to, updated_since=updated_since)
    rows = list(articles.filter(pk__gt=after).order_by("pk")[: limit + 1])
    rows, following = common.page(rows, limit)
    return {"results": [_row(article) for article in rows], "next": following}


def readable_sets(request, article) -> list[dict]:
    """The sets of ``article`` the caller may read (annotators: their own; docs/design.md, rule 3)."""
    sets = list(sets_for(request.user).filter(article=article).order_by("-is_gold", "pk"))
    spans, relations = {}, {}
    for span in Span.objects.filter(annotation_set__in=sets).select_related("label").order_by("start", "-end", "id"):
        spans.setdefault(span.annotation_set_id, []).append(
            {"id": span.pk, "label": span.label.name, "start": span.start, "end": span.end, "text": span.text,
             "attributes": span.attributes, "entity": span.entity_id, "note": span.note, "version": span.version})
    for relation in Relation.objects.filter(annotation_set__in=sets).select_related("type").order_by("id"):
        relations.setdefault(relation.annotation_set_id, []).append(
            {"id": relation.pk, "type": relation.type.name, "source": relation.source_id,
             "target": relation.target_id})
    return [{"id": s.pk, "annotator": None if s.is_gold else s.user.get_username(), "gold": s.is_gold,
             "status": s.status, "spans": spans.get(s.pk, []), "relations": relations.get(s.pk, [])} for s in sets]


@router.get("/projects/{slug}/articles/{int:article_id}", response=ArticleDetailOut,
            summary="One article, its text and the annotation sets you may read")
def get_article(request, slug: str, article_id: int):
    project, role = common.project(request, slug)
    listed = articles_for(request.user, project, role=role).defer(None)
    article = listed.filter(pk=article_id).first() or get_object_or_404(
        project.articles.annotate(**_no_status()), pk=article_id)
    return _row(article) | {"text": article.text, "meta": article.meta, "sets": readable_sets(request, article)}


def _no_status() -> dict:
    """An article not assigned to an annotator: no status of theirs, no span of theirs."""
    return {"set_status": Value(None, output_field=CharField()), "span_count": Value(0, output_field=IntegerField())}


def _new(item: ArticleIn) -> NewArticle:
    return NewArticle(**item.model_dump())


def _add(project, items: list[ArticleIn]) -> dict:
    try:
        report = add_articles(project, [_new(item) for item in items])
    except ArticlesRefused as refused:
        raise Problem(422, f"Nothing was added: {len(refused.errors)} problem(s).", errors=[
            {key: value for key, value in error.items() if value is not None} for error in refused.errors]) from None
    return {"created": [{"id": a.pk, "external_id": a.external_id, "title": a.title} for a in report.created],
            "skipped": report.skipped}


@router.post("/projects/{slug}/articles", response={201: AddedOut},
             summary="Add one article (managers); the same text twice is skipped, not added")
def add_article(request, slug: str, payload: ArticleIn):
    project, _ = common.project(request, slug, Role.MANAGER, "add articles")
    return Status(201, _add(project, [payload]))


@router.post("/projects/{slug}/articles/batch", response={201: AddedOut},
             summary="Add up to 1,000 articles at once (managers), all or nothing")
def add_article_batch(request, slug: str, payload: ArticleBatchIn):
    project, _ = common.project(request, slug, Role.MANAGER, "add articles")
    return Status(201, _add(project, payload.articles))
