"""The annotation workspace: one article, the user's own annotation set, and the
fragments htmx swaps in as spans and relations change."""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import retarget

from articles.models import Article
from articles.permissions import project_view

from .. import sets as set_writes
from .. import spans as span_writes
from ..assignment import next_for
from ..entities import entities_matching, entity_create
from ..errors import Conflict, ServiceError
from ..models import Entity, Event, Label, Relation, RelationType, Span
from ..rendering import SpanRow, paragraph_bounds, paragraphs_touching, render_paragraphs
from ..selectors import (
    holds_unsubmitted,
    label_counts,
    labels_for,
    nearest_spans,
    other_mentions,
    reading_progress,
    relation_types_for,
    relations_for,
    relations_touching,
    sets_for,
    spans_between,
    spans_matching,
    spans_visible_to,
    submitted_everything,
)
from .common import int_or_none, message_fragment, refusal_fragment

PAGE = "annotator/workspace.html"
RELATION_CANDIDATES = 12  # spans offered as the other end of a relation


# ---------------------------------------------------------------- helpers


def _message(request, text, *, status=422, level="error"):
    """An error or notice shown in the workspace's message line, nothing else swapped."""
    return message_fragment(request, PAGE + "#message", "#ws-message", text, status=status, level=level)


def _refused(request, error: ServiceError):
    return refusal_fragment(request, PAGE + "#message", "#ws-message", error)


def _sidebar_groups(labels, spans):
    groups = OrderedDict((label.pk, {"label": label, "spans": []}) for label in labels)
    for span in spans:
        groups[span.label_id]["spans"].append(span)
    return list(groups.values())


def _paragraph_updates(annotation_set, places):
    """Re-render only the paragraphs that the given (start, end) places touch."""
    text = annotation_set.article.text
    bounds = paragraph_bounds(text)
    indexes = sorted({i for start, end in places for i in paragraphs_touching(bounds, start, end)})
    low, high = bounds[indexes[0]][0], bounds[indexes[-1]][1]
    return render_paragraphs(text, spans_between(annotation_set, low, high), only=indexes)


def _span_for(request, span_id, *, write):
    return get_object_or_404(spans_visible_to(request.user, write=write), pk=span_id)


def _panel_context(span, *, editable=True):
    annotation_set = span.annotation_set
    project = annotation_set.article.project
    labels = labels_for(project)
    outgoing_types = [t for t in relation_types_for(project) if t.source_label_id == span.label_id]
    targets, overflow = {}, set()
    if outgoing_types:
        nearest, overflow = nearest_spans(span, label_ids=[t.target_label_id for t in outgoing_types],
                                          limit=RELATION_CANDIDATES)
        for candidate in nearest:
            targets.setdefault(candidate.label_id, []).append(candidate)
    relations = relations_touching(span)
    attribute_fields = []
    for definition in span.label.attributes or []:
        attribute_fields.append(
            {
                "name": definition["name"],
                "type": definition["type"],
                "choices": definition.get("choices", []),
                "value": span.attributes.get(definition["name"]),
            }
        )
    mentions = other_mentions(span)
    return {
        "span": span,
        "annotation_set": annotation_set,
        "labels": labels,
        "attribute_fields": attribute_fields,
        "relation_choices": [
            {"type": t, "targets": targets.get(t.target_label_id, []), "more": t.target_label_id in overflow}
            for t in outgoing_types
        ],
        "relations": relations,
        "mentions": mentions,
        "editable": editable and annotation_set.is_editable,
        "entity_kinds": Entity._meta.get_field("kind").choices,
    }


def _on_review_page(request) -> bool:
    """Whether the request comes from the review page's gold panel, which shares these
    views but has no workspace paragraphs or sidebar to update.  The page says so: its
    panel carries ``hx-vals='{"surface": "review"}'``, which htmx adds to every request
    made from inside it."""
    return (request.POST.get("surface") or request.GET.get("surface")) == "review"


def _workspace_parts(request, annotation_set, places) -> dict:
    """The out-of-band parts of a span change: paragraphs and label counts
    on the workspace; nothing on the review page (it reloads its own list)."""
    if _on_review_page(request):
        return {"panel_only": True}
    return {
        "paragraphs": _paragraph_updates(annotation_set, places),
        "oob": True,
        "label_counts": label_counts(annotation_set, labels_for(annotation_set.article.project)),
    }


def _span_response(request, span, *, places, status=200, extra=None):
    """The panel for ``span`` plus out-of-band paragraphs and sidebar updates."""
    annotation_set = span.annotation_set
    context = _panel_context(span) | _workspace_parts(request, annotation_set, places) | (extra or {})
    return render(request, PAGE + "#span-changed", context, status=status)


# ---------------------------------------------------------------- pages


def label_version(labels) -> str:
    """Changes whenever a label's colour does, so the stylesheet URL is cache-safe."""
    return hashlib.sha1("".join(f"{label.pk}{label.colour}" for label in labels).encode()).hexdigest()[:10]


@require_GET
@project_view()
def label_css(request, *, project, role):
    """Each label's colour as a CSS custom property: ``.l12 { --c: #e15759 }``.

    A stylesheet of its own rather than an inline ``<style>``, so the pages work under
    a Content-Security-Policy without 'unsafe-inline'.  Colours are validated hex.
    """
    rules = "".join(f".l{pk}{{--c:{colour}}}\n" for pk, colour in project.labels.values_list("pk", "colour"))
    response = HttpResponse(rules, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, max-age=86400"
    return response



@require_GET
@project_view()
def workspace(request, article_id, *, project, role):
    article = get_object_or_404(Article, pk=article_id, project=project)
    article.project = project
    annotation_set = set_writes.set_for_annotator(article=article, user=request.user)
    annotation_set.article = article
    labels = labels_for(project)
    spans = [
        SpanRow(*row)
        for row in annotation_set.spans.order_by("start", "-end", "id").values_list(
            "id", "label_id", "start", "end", "text", "entity__name"
        )
    ]
    relations = list(relations_for(annotation_set))
    context = {
        "project": project,
        "role": role,
        "article": article,
        "annotation_set": annotation_set,
        "labels": labels,
        "label_version": label_version(labels),
        "label_keys": {label.key: label.pk for label in labels if label.key},
        "paragraphs": render_paragraphs(article.text, spans),
        "groups": _sidebar_groups(labels, spans),
        "relations": relations,
        "progress": reading_progress(request.user, article),
        "editable": annotation_set.is_editable,
    }
    return render(request, PAGE, context)


@require_GET
@project_view()
def next_article(request, *, project, role):
    after = int_or_none(request.GET.get("after"))
    annotation_set = next_for(user=request.user, project=project, after=after)
    if annotation_set is None:
        if after and holds_unsubmitted(request.user, article_id=after, project=project):
            messages.info(request, "No other article needs you right now: finish and submit this one.")
            return redirect("workspace", project.slug, after)
        if submitted_everything(request.user, project):
            messages.success(request, "You have submitted every article of this project. Thank you!")
        else:
            messages.success(
                request,
                "Nothing left for you here: you submitted every article you hold, and every other article has "
                f"its {project.annotators_per_article} annotator(s) or is done. Thank you!",
            )
        return redirect(project)
    return redirect("workspace", project.slug, annotation_set.article_id)


# ---------------------------------------------------------------- spans


@require_POST
def span_create(request, set_id):
    annotation_set = get_object_or_404(sets_for(request.user, write=True), pk=set_id)
    # Only this project's labels: another project's label is "not a label here",
    # without saying what it is called.
    label = Label.objects.filter(
        pk=int_or_none(request.POST.get("label")), project_id=annotation_set.article.project_id
    ).first()
    if label is None:
        return _message(request, "Choose a label of this project for the selection.")
    start, end = int_or_none(request.POST.get("start")), int_or_none(request.POST.get("end"))
    if start is None or end is None:
        return _message(request, "The selection has no valid start and end.")
    try:
        span, created = span_writes.span_create(
            annotation_set=annotation_set,
            label=label,
            start=start,
            end=end,
            text=request.POST.get("text", ""),
            user=request.user,
        )
    except ServiceError as error:
        return _refused(request, error)
    span = _span_for(request, span.pk, write=True)
    return _span_response(request, span, places=[(span.start, span.end)], status=201 if created else 200,
                          extra={"new_item": span if created else None})


@require_GET
def span_panel(request, span_id):
    span = _span_for(request, span_id, write=False)
    editable = sets_for(request.user, write=True).filter(pk=span.annotation_set_id).exists()
    return render(request, PAGE + "#panel", _panel_context(span, editable=editable))


@require_POST
def span_update(request, span_id):
    span = _span_for(request, span_id, write=True)
    version = int_or_none(request.POST.get("version"))
    label = span.label
    if "label" in request.POST:
        label = Label.objects.filter(pk=int_or_none(request.POST["label"]), project=span.label.project_id).first()
        if label is None:
            return _message(request, "That label is not part of this project.")
    attributes = None
    if "attributes" in request.POST:
        attributes = {}
        for definition in label.attributes or []:
            name = definition["name"]
            if definition["type"] == "bool":
                attributes[name] = request.POST.get(f"attr-{name}", "")
            elif f"attr-{name}" in request.POST:
                attributes[name] = request.POST.get(f"attr-{name}")
    old_label = span.label_id
    try:
        span = span_writes.span_update(
            span=span, user=request.user, version=version, label=label, attributes=attributes,
            note=request.POST.get("note") if "note" in request.POST else None,
        )
    except Conflict as error:
        fresh = _span_for(request, span.pk, write=True)
        context = _panel_context(fresh) | {"conflict": " ".join(error.messages)}
        response = render(request, PAGE + "#panel", context, status=409)
        return retarget(response, "#panel")
    except ServiceError as error:
        return _refused(request, error)
    span = _span_for(request, span.pk, write=True)
    moved = span.label_id != old_label
    return _span_response(request, span, places=[(span.start, span.end)],
                          extra={"moved_item": span if moved else None, "saved": True})


@require_POST
def span_delete(request, span_id):
    span = _span_for(request, span_id, write=True)
    annotation_set = span.annotation_set
    place = (span.start, span.end)
    try:
        event = span_writes.span_delete(span=span, user=request.user)
    except ServiceError as error:
        return _refused(request, error)
    context = _workspace_parts(request, annotation_set, [place]) | {
        "annotation_set": annotation_set,
        "deleted_id": event.object_id,
        "deleted_relations": event.data["relations"],
        "event": event,
        "excerpt": event.data["text"],
    }
    return render(request, PAGE + "#span-deleted", context)


@require_POST
def span_restore(request, set_id, event_id):
    annotation_set = get_object_or_404(sets_for(request.user, write=True), pk=set_id)
    event = get_object_or_404(Event, pk=event_id, annotation_set=annotation_set, action=Event.Action.DELETE)
    try:
        span = span_writes.span_restore(event=event, user=request.user)
    except ServiceError as error:
        return _refused(request, error)
    span = _span_for(request, span.pk, write=True)
    return _span_response(request, span, places=[(span.start, span.end)], extra={"new_item": span,
                          "restored_relations": list(relations_for(annotation_set).filter(
                              Q(source=span) | Q(target=span)))})


# ---------------------------------------------------------------- entities


@require_GET
def entity_search(request, span_id):
    span = _span_for(request, span_id, write=True)
    query = " ".join(request.GET.get("q", "").split())[:100]
    entities = entities_matching(Entity.objects.filter(project_id=span.label.project_id), query)
    return render(request, PAGE + "#entity-results", {"span": span, "entities": entities[:12], "query": query})


@require_GET
def relation_targets(request, span_id):
    """The other end of a relation, searched by text among all spans of the target label
    in the set (the panel lists only the nearest), nearest first."""
    span = _span_for(request, span_id, write=True)
    relation_type = RelationType.objects.select_related("target_label").filter(
        pk=int_or_none(request.GET.get("type")), project_id=span.label.project_id, source_label_id=span.label_id
    ).first()
    if relation_type is None:
        return _message(request, f"That relation type does not start from {span.label.name} spans.")
    query = " ".join(request.GET.get("q", "").split())[:100]
    targets = spans_matching(span, label_id=relation_type.target_label_id, query=query, limit=RELATION_CANDIDATES)
    choice = {"type": relation_type, "targets": targets}
    return render(request, PAGE + "#relation-targets", {"span": span, "choice": choice, "query": query})


@require_POST
def span_entity(request, span_id):
    span = _span_for(request, span_id, write=True)
    version = int_or_none(request.POST.get("version"))
    project = span.annotation_set.article.project
    try:
        if request.POST.get("action") == "new":
            entity = entity_create(
                project=project,
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", "person"),
                user=request.user,
                article=span.annotation_set.article,
            )
        elif request.POST.get("action") == "unlink":
            entity = None
        else:
            entity = Entity.objects.filter(pk=int_or_none(request.POST.get("entity")), project=project).first()
            if entity is None:
                return _message(request, "Choose an entity of this project.")
        span = span_writes.span_link_entity(span=span, entity=entity, user=request.user, version=version)
    except Conflict as error:
        fresh = _span_for(request, span.pk, write=True)
        response = render(request, PAGE + "#panel", _panel_context(fresh) | {"conflict": " ".join(error.messages)},
                          status=409)
        return retarget(response, "#panel")
    except ServiceError as error:
        return _refused(request, error)
    span = _span_for(request, span.pk, write=True)
    return _span_response(request, span, places=[(span.start, span.end)], extra={"moved_item": span})


# ---------------------------------------------------------------- relations


@require_POST
def relation_create(request, set_id):
    annotation_set = get_object_or_404(sets_for(request.user, write=True), pk=set_id)
    project_id = annotation_set.article.project_id
    relation_type = RelationType.objects.select_related("source_label", "target_label").filter(
        pk=int_or_none(request.POST.get("type")), project_id=project_id
    ).first()
    spans = {s.pk: s for s in annotation_set.spans.select_related("label").filter(
        pk__in=[int_or_none(request.POST.get("source")) or 0, int_or_none(request.POST.get("target")) or 0])}
    source = spans.get(int_or_none(request.POST.get("source")))
    target = spans.get(int_or_none(request.POST.get("target")))
    if relation_type is None or source is None or target is None:
        return _message(request, "Choose a relation type and two spans of this annotation set.")
    try:
        relation, created = span_writes.relation_create(
            annotation_set=annotation_set, type=relation_type, source=source, target=target, user=request.user
        )
    except ServiceError as error:
        return _refused(request, error)
    span = _span_for(request, source.pk, write=True)
    relation = Relation.objects.select_related("type", "source", "target").get(pk=relation.pk)
    return _span_response(request, span, places=[(span.start, span.end)],
                          extra={"new_relation": relation if created else None})


@require_POST
def relation_delete(request, relation_id):
    sets = sets_for(request.user, write=True)
    relation = get_object_or_404(
        Relation.objects.select_related("type", "annotation_set__article__project"),
        pk=relation_id, annotation_set__in=sets.values("pk"),
    )
    focus = int_or_none(request.POST.get("focus")) or relation.source_id
    try:
        span_writes.relation_delete(relation=relation, user=request.user)
    except ServiceError as error:
        return _refused(request, error)
    span = Span.objects.filter(pk=focus, annotation_set=relation.annotation_set_id).first()
    if span is None:
        return HttpResponse(status=204)
    span = _span_for(request, span.pk, write=True)
    return _span_response(request, span, places=[(span.start, span.end)],
                          extra={"deleted_relation": relation_id})


# ---------------------------------------------------------------- the set


def _set_status_change(request, set_id, change, done_message):
    """Submit and reopen are plain forms: change the set, then back to the article with a message."""
    annotation_set = get_object_or_404(sets_for(request.user, write=True), pk=set_id)
    try:
        change(annotation_set=annotation_set, user=request.user)
    except ServiceError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_message)
        if request.POST.get("then") == "next":  # "Submit & next", as the queue would hand it out
            article = annotation_set.article
            return redirect(f"{reverse('next-article', args=[article.project.slug])}?after={article.pk}")
    return _back_to(request, annotation_set)


@require_POST
def set_submit(request, set_id):
    return _set_status_change(request, set_id, set_writes.set_submit, "Submitted. Thank you!")


@require_POST
def set_reopen(request, set_id):
    return _set_status_change(request, set_id, set_writes.set_reopen, "Reopened: you can edit this article again.")


def _back_to(request, annotation_set):
    return redirect(reverse("workspace", args=[annotation_set.article.project.slug, annotation_set.article_id]))
