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
from django_htmx.http import HttpResponseClientRedirect, retarget

from articles.models import Article
from articles.permissions import project_view

from .. import sets as set_writes
from .. import spans as span_writes
from .. import undo as undo_service
from ..assignment import next_for
from ..checklist import submit_checklist
from ..entities import entities_matching, entity_create
from ..errors import Conflict, ServiceError
from ..models import Entity, Event, Label, Relation, RelationType, Span
from ..rendering import SpanRow, paragraph_bounds, paragraphs_touching, render_paragraphs
from ..selectors import (
    holds_unsubmitted,
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


def _paragraph_updates(annotation_set, places, labels):
    """Re-render only the paragraphs that the given (start, end) places touch."""
    text = annotation_set.article.text
    bounds = paragraph_bounds(text)
    indexes = sorted({i for start, end in places for i in paragraphs_touching(bounds, start, end)})
    low, high = bounds[indexes[0]][0], bounds[indexes[-1]][1]
    return render_paragraphs(text, spans_between(annotation_set, low, high), only=indexes,
                             label_names=_label_names(labels))


def _label_names(labels) -> dict:
    return {label.pk: label.name for label in labels}


def _span_for(request, span_id, *, write):
    return get_object_or_404(spans_visible_to(request.user, write=write), pk=span_id)


def _attribute_fields(span):
    """The panel's attribute fields.  An entity-linking label's own ``kind`` is not one
    of them: the entity's kind is the one kind an actor has (linking sets it)."""
    fields = []
    for definition in span.label.attributes or []:
        if span.label.links_entity and definition["name"] == "kind":
            continue
        fields.append(
            {
                "name": definition["name"],
                "type": definition["type"],
                "choices": definition.get("choices", []),
                "value": span.attributes.get(definition["name"]),
                "keyed": definition["name"] == "verdict",
            }
        )
    return fields


def _panel_context(span, *, editable=True, labels=None, relation_types=None, fresh=False):
    """What the span panel shows.  ``fresh`` (a span just created): no relations or
    mentions to read, and the relation candidates come in a second request, so the
    mark is on screen sooner."""
    annotation_set = span.annotation_set
    project = annotation_set.article.project
    labels = labels if labels is not None else labels_for(project)
    relation_choices, relations = [], []
    if not fresh:
        relation_choices = _relation_choices(span, relation_types)
        relations = relations_touching(span)
    kind = span.attributes.get("kind") if span.label.attribute("kind") else None
    return {
        "span": span,
        "annotation_set": annotation_set,
        "labels": labels,
        "attribute_fields": _attribute_fields(span),
        "relation_choices": relation_choices,
        "relations_later": fresh,
        "relations": relations,
        "mentions": other_mentions(span) if not fresh else [],
        "editable": editable and annotation_set.is_editable,
        "entity_kinds": Entity._meta.get_field("kind").choices,
        "entity_kind": kind or "person",
    }


def _relation_choices(span, relation_types=None):
    project = span.annotation_set.article.project
    relation_types = relation_types if relation_types is not None else relation_types_for(project)
    outgoing_types = [t for t in relation_types if t.source_label_id == span.label_id]
    targets, overflow = {}, set()
    if outgoing_types:
        nearest, overflow = nearest_spans(span, label_ids=[t.target_label_id for t in outgoing_types],
                                          limit=RELATION_CANDIDATES)
        for candidate in nearest:
            targets.setdefault(candidate.label_id, []).append(candidate)
    return [
        {"type": t, "targets": targets.get(t.target_label_id, []), "more": t.target_label_id in overflow}
        for t in outgoing_types
    ]


def _on_review_page(request) -> bool:
    """Whether the request comes from the review page's gold panel, which shares these
    views but has no workspace paragraphs or sidebar to update.  The page says so: its
    panel carries ``hx-vals='{"surface": "review"}'``, which htmx adds to every request
    made from inside it."""
    return (request.POST.get("surface") or request.GET.get("surface")) == "review"


def _workspace_parts(request, annotation_set, places, labels=None) -> dict:
    """The out-of-band parts of a span change: the paragraphs it touches on the
    workspace (the sidebar's counts follow its lists in the browser); nothing on the
    review page (it reloads its own list)."""
    if _on_review_page(request):
        return {"panel_only": True}
    labels = labels if labels is not None else labels_for(annotation_set.article.project)
    return {
        "paragraphs": _paragraph_updates(annotation_set, places, labels),
        "oob": True,
    }


def _span_response(request, span, *, places, status=200, extra=None):
    """The panel for ``span`` plus out-of-band paragraphs and sidebar updates."""
    annotation_set = span.annotation_set
    context = _panel_context(span) | {"on_review": _on_review_page(request)}
    context |= _workspace_parts(request, annotation_set, places, context["labels"]) | (extra or {})
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
            "id", "label_id", "start", "end", "text", "entity__name", "attributes"
        )
    ]
    relations = list(relations_for(annotation_set))
    relation_types = relation_types_for(project)
    context = {
        "project": project,
        "role": role,
        "article": article,
        "annotation_set": annotation_set,
        "labels": labels,
        "label_version": label_version(labels),
        "label_keys": {label.key: label.pk for label in labels if label.key},
        "schema": _schema_for_keys(labels, relation_types),
        "paragraphs": render_paragraphs(article.text, spans, label_names=_label_names(labels)),
        "groups": _sidebar_groups(labels, spans),
        "relations": relations,
        "progress": reading_progress(request.user, article),
        "editable": annotation_set.is_editable,
    }
    return render(request, PAGE, context)


def _schema_for_keys(labels, relation_types) -> dict:
    """What the page's keys need of the schema: each label's verdict choices (digits set
    them, 1 the first as listed in the panel) and the relation types (``l`` links)."""
    return {
        "verdicts": {
            label.pk: (label.attribute("verdict") or {}).get("choices", [])
            for label in labels if (label.attribute("verdict") or {}).get("type") == "choice"
        },
        "relations": [
            {"id": t.pk, "name": t.name.replace("_", " "), "source": t.source_label_id, "target": t.target_label_id}
            for t in relation_types
        ],
        "names": {label.pk: label.name for label in labels},
    }


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
    labels = labels_for(annotation_set.article.project)
    label_id = int_or_none(request.POST.get("label"))
    label = next((label for label in labels if label.pk == label_id), None)
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
    if not created:
        span = _span_for(request, span.pk, write=True)
        return _span_response(request, span, places=[(span.start, span.end)])
    # Everything the panel shows of a new span is at hand: no need to read it back.
    span.label, span.annotation_set = label, annotation_set
    context = _panel_context(span, labels=labels, fresh=True)
    context |= _workspace_parts(request, annotation_set, [(span.start, span.end)], labels) | {"new_item": span}
    return render(request, PAGE + "#span-changed", context, status=201)


@require_GET
def span_panel(request, span_id):
    span = _span_for(request, span_id, write=False)
    editable = sets_for(request.user, write=True).filter(pk=span.annotation_set_id).exists()
    part = "#relations" if request.GET.get("part") == "relations" else "#panel"
    context = _panel_context(span, editable=editable) | {"on_review": _on_review_page(request)}
    return render(request, PAGE + part, context)


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
        # Values the form does not show (an actor's kind follows its entity) are kept.
        attributes = {k: v for k, v in span.attributes.items() if label.attribute(k)}
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
        context = _panel_context(fresh) | {"conflict": " ".join(error.messages), "on_review": _on_review_page(request)}
        response = render(request, PAGE + "#panel", context, status=409)
        return retarget(response, "#panel")
    except ServiceError as error:
        return _refused(request, error)
    span = _span_for(request, span.pk, write=True)
    moved = span.label_id != old_label
    return _span_response(request, span, places=[(span.start, span.end)],
                          extra={"moved_item": span if moved else None, "changed_item": None if moved else span,
                                 "saved": True})


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
    entities = list(entities_matching(Entity.objects.filter(project_id=span.label.project_id), query)[:12])
    mention = " ".join(span.text.split())
    for entity in entities:
        entity.known_spelling = mention == entity.name or mention in entity.aliases
        entity.variant = not entity.known_spelling and span_writes.looks_like_name_variant(mention, entity)
    return render(request, PAGE + "#entity-results",
                  {"span": span, "entities": entities, "query": query, "mention": mention})


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


def _name_taken(project, name: str) -> Entity | None:
    """The entity that already has ``name`` as its name or one of its aliases (ignoring case)."""
    name = " ".join(name.split())
    folded = name.casefold()
    found = list(entities_matching(Entity.objects.filter(project=project), name)[:50])
    by_name = [e for e in found if e.name.casefold() == folded]
    by_alias = [e for e in found if any(str(a).casefold() == folded for a in e.aliases)]
    return (by_name + by_alias or [None])[0]


def _entity_for(request, span, project):
    """The entity a ``span_entity`` request links to, or a response that says why not."""
    action = request.POST.get("action")
    if action == "unlink":
        return None, None
    if action != "new":
        entity = Entity.objects.filter(pk=int_or_none(request.POST.get("entity")), project=project).first()
        return entity, None if entity else _message(request, "Choose an entity of this project.")
    name = request.POST.get("name", "")
    taken = _name_taken(project, name) if not request.POST.get("confirm") else None
    if taken is not None:
        # Ask first: a second "Jong Ui Young" is a duplicate to merge later.
        context = _panel_context(span) | {"entity_clash": taken, "new_name": " ".join(name.split()),
                                          "new_kind": request.POST.get("kind", "person")}
        return None, render(request, PAGE + "#panel", context)
    entity = entity_create(project=project, name=name, kind=request.POST.get("kind", "person"),
                           user=request.user, article=span.annotation_set.article)
    return entity, None


@require_POST
def span_entity(request, span_id):
    span = _span_for(request, span_id, write=True)
    version = int_or_none(request.POST.get("version"))
    project = span.annotation_set.article.project
    try:
        entity, answered = _entity_for(request, span, project)
        if answered is not None:
            return answered
        span = span_writes.span_link_entity(span=span, entity=entity, user=request.user, version=version,
                                            add_alias=bool(request.POST.get("alias")))
    except Conflict as error:
        fresh = _span_for(request, span.pk, write=True)
        response = render(request, PAGE + "#panel", _panel_context(fresh) | {"conflict": " ".join(error.messages)},
                          status=409)
        return retarget(response, "#panel")
    except ServiceError as error:
        return _refused(request, error)
    span = _span_for(request, span.pk, write=True)
    return _span_response(request, span, places=[(span.start, span.end)], extra={"changed_item": span, "saved": True})


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
    """Submit and reopen are plain forms: change the set, then back to the article with a
    message (htmx: the browser is sent there)."""
    annotation_set = get_object_or_404(sets_for(request.user, write=True), pk=set_id)
    try:
        change(annotation_set=annotation_set, user=request.user)
    except ServiceError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_message)
        if request.POST.get("then") == "next":  # "Submit & next", as the queue would hand it out
            article = annotation_set.article
            return _go(request, f"{reverse('next-article', args=[article.project.slug])}?after={article.pk}")
    return _go(request, _workspace_url(annotation_set))


def _go(request, url):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
def set_submit(request, set_id):
    """Submit, after a checklist: claims without a verdict, quotes without a speaker.
    The checklist asks once; "Submit anyway" (``confirm``) submits as it is."""
    annotation_set = get_object_or_404(sets_for(request.user, write=True), pk=set_id)
    if not request.POST.get("confirm") and annotation_set.is_editable:
        project = annotation_set.article.project
        items = submit_checklist(annotation_set, labels_for(project), relation_types_for(project))
        if items:
            context = {"checklist": items[:30], "checklist_count": len(items), "annotation_set": annotation_set,
                       "then": request.POST.get("then", "")}
            if request.htmx:
                return retarget(render(request, PAGE + "#checklist", context), "#ws-message")
            lacking = "; ".join(f"{i['label']} “{i['span'].text[:40]}”: no {i['missing']}" for i in items[:10])
            messages.warning(request, f"Not submitted: {len(items)} span(s) lack something ({lacking}). "
                                      "Complete them, or submit anyway from the checklist.")
            return redirect(_workspace_url(annotation_set))
    return _set_status_change(request, set_id, set_writes.set_submit, "Submitted. Thank you!")


@require_POST
def set_reopen(request, set_id):
    return _set_status_change(request, set_id, set_writes.set_reopen, "Reopened: you can edit this article again.")


def _workspace_url(annotation_set):
    return reverse("workspace", args=[annotation_set.article.project.slug, annotation_set.article_id])


# ---------------------------------------------------------------- undo and redo


def _undo_or_redo(request, set_id, step):
    annotation_set = get_object_or_404(sets_for(request.user, write=True), pk=set_id)
    try:
        outcome = step(annotation_set=annotation_set, user=request.user)
    except ServiceError as error:
        return _refused(request, error)
    labels = labels_for(annotation_set.article.project)
    spans = [
        SpanRow(*row)
        for row in annotation_set.spans.order_by("start", "-end", "id").values_list(
            "id", "label_id", "start", "end", "text", "entity__name", "attributes"
        )
    ]
    context = {
        "annotation_set": annotation_set,
        "labels": labels,
        "groups": _sidebar_groups(labels, spans),
        "relations": list(relations_for(annotation_set)),
        "paragraphs": _paragraph_updates(annotation_set, outcome.places, labels),
        "oob": True,
        "message": outcome.message,
        "level": "success",
        "focus_span": outcome.span_id,
    }
    response = render(request, PAGE + "#undone", context)
    return retarget(response, "#ws-message")


@require_POST
def set_undo(request, set_id):
    """Ctrl+Z: undo the caller's latest change in this article."""
    return _undo_or_redo(request, set_id, undo_service.undo)


@require_POST
def set_redo(request, set_id):
    """Ctrl+Shift+Z: redo what the latest undo took back."""
    return _undo_or_redo(request, set_id, undo_service.redo)
