"""Writes to the caller's own annotation set, through the workspace's services
(``annotator.spans``, ``annotator.sets``): the same checks, the same 409 on a stale
version, the same event log.  Sets, spans and relations are found in the querysets
scoped to the caller (``sets_for``, ``spans_visible_to``), so another person's set is
a 404, as on the pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Status

from .. import sets as set_writes
from .. import spans as span_writes
from ..models import Entity, Label, Relation, RelationType
from ..selectors import sets_for, spans_visible_to
from . import common
from .articles import readable_sets
from .errors import Problem
from .schemas import RelationIn, RelationOut, SetOut, SpanIn, SpanOut, SpanPatch

router = Router(tags=["annotations"])


def _span_out(span) -> dict:
    return {"id": span.pk, "label": span.label.name, "start": span.start, "end": span.end, "text": span.text,
            "attributes": span.attributes, "entity": span.entity_id, "note": span.note, "version": span.version}


def _set_out(request, annotation_set) -> dict:
    return next(s for s in readable_sets(request, annotation_set.article) if s["id"] == annotation_set.pk)


def _label(project_id: int, name: str) -> Label:
    label = Label.objects.filter(project_id=project_id, name=name).first()
    if label is None:
        raise Problem(422, f"“{name}” is not a label of this project.",
                      errors=[{"field": "label", "message": "Not a label of this project."}])
    return label


def _entity(project_id: int, entity_id: int | None) -> Entity | None:
    if entity_id is None:
        return None
    entity = Entity.objects.filter(project_id=project_id, pk=entity_id).first()
    if entity is None:
        raise Problem(422, "That entity is not in this project's knowledge base.",
                      errors=[{"field": "entity", "message": "Not an entity of this project."}])
    return entity


@router.post("/projects/{slug}/articles/{int:article_id}/set", response=SetOut,
             summary="Your own set of an article, started on first use (as opening it in the workspace)")
def open_my_set(request, slug: str, article_id: int):
    project, _ = common.project(request, slug)
    article = get_object_or_404(project.articles, pk=article_id)
    annotation_set = set_writes.set_for_annotator(article=article, user=request.user)
    return _set_out(request, annotation_set)


@router.post("/sets/{int:set_id}/spans", response={200: SpanOut, 201: SpanOut},
             summary="Add a span (the same span twice is created once: 201, then 200)")
def create_span(request, set_id: int, payload: SpanIn):
    annotation_set = get_object_or_404(sets_for(request.user, write=True), pk=set_id)
    project_id = annotation_set.article.project_id
    span, created = span_writes.span_create(
        annotation_set=annotation_set, label=_label(project_id, payload.label), start=payload.start,
        end=payload.end, text=payload.text, user=request.user, attributes=payload.attributes, note=payload.note,
        entity=_entity(project_id, payload.entity))
    return Status(201 if created else 200, _span_out(span))


@router.patch("/spans/{int:span_id}", response=SpanOut,
              summary="Change a span you last read at `version` (409 when someone changed it since)")
def update_span(request, span_id: int, payload: SpanPatch):
    span = get_object_or_404(spans_visible_to(request.user, write=True), pk=span_id)
    project_id = span.label.project_id
    fields = payload.model_fields_set
    version = payload.version
    if fields & {"label", "attributes", "note"}:
        span = span_writes.span_update(
            span=span, user=request.user, version=version,
            label=_label(project_id, payload.label) if payload.label is not None else None,
            attributes=payload.attributes, note=payload.note)
        version = span.version
    if "entity" in fields or payload.unlink_entity:
        entity = None if payload.unlink_entity else _entity(project_id, payload.entity)
        span = span_writes.span_link_entity(span=span, entity=entity, user=request.user, version=version,
                                            add_alias=payload.add_alias)
    elif not fields & {"label", "attributes", "note"}:
        span = span_writes.span_update(span=span, user=request.user, version=version)
    return _span_out(span)


@router.delete("/spans/{int:span_id}", response={204: None}, summary="Delete a span and its relations")
def delete_span(request, span_id: int):
    span = get_object_or_404(spans_visible_to(request.user, write=True), pk=span_id)
    span_writes.span_delete(span=span, user=request.user)
    return Status(204, None)


@router.post("/sets/{int:set_id}/relations", response={200: RelationOut, 201: RelationOut},
             summary="Link two spans of the set (the same link twice is made once)")
def create_relation(request, set_id: int, payload: RelationIn):
    annotation_set = get_object_or_404(sets_for(request.user, write=True), pk=set_id)
    relation_type = RelationType.objects.select_related("source_label", "target_label").filter(
        project_id=annotation_set.article.project_id, name=payload.type).first()
    spans = {s.pk: s for s in annotation_set.spans.select_related("label").filter(
        pk__in=[payload.source, payload.target])}
    errors = []
    if relation_type is None:
        errors.append({"field": "type", "message": f"“{payload.type}” is not a relation type of this project."})
    for end in ("source", "target"):
        if getattr(payload, end) not in spans:
            errors.append({"field": end, "message": "Not a span of this annotation set."})
    if errors:
        raise Problem(422, "Choose a relation type and two spans of this annotation set.", errors=errors)
    relation, created = span_writes.relation_create(
        annotation_set=annotation_set, type=relation_type, source=spans[payload.source],
        target=spans[payload.target], user=request.user)
    return Status(201 if created else 200, {"id": relation.pk, "type": relation_type.name,
                                            "source": relation.source_id, "target": relation.target_id})


@router.delete("/relations/{int:relation_id}", response={204: None}, summary="Delete a relation")
def delete_relation(request, relation_id: int):
    relation = get_object_or_404(
        Relation.objects.select_related("type", "annotation_set__article__project"),
        pk=relation_id, annotation_set__in=sets_for(request.user, write=True).values("pk"))
    span_writes.relation_delete(relation=relation, user=request.user)
    return Status(204, None)


@router.post("/sets/{int:set_id}/submit", response=SetOut,
             summary="Submit your set (a reviewer's gold set: mark it done)")
def submit_set(request, set_id: int):
    annotation_set = get_object_or_404(sets_for(request.user, write=True), pk=set_id)
    set_writes.set_submit(annotation_set=annotation_set, user=request.user)
    return _set_out(request, annotation_set)
