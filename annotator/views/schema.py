"""Managers' Labels page: the project's labels and relation types.

Plain forms (post, then redirect with a message); bad input re-renders the page
with the form's errors (422) and changes nothing.  A label, an attribute, a choice
or a relation type that annotations use is never taken away from under them: the
change is refused with a message saying how many spans or relations hold it.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count, ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from articles.models import Role
from articles.permissions import project_view

from ..attributes import attribute_summary
from ..events import log_event
from ..forms import LabelForm, RelationTypeForm
from ..models import Event, Label, RelationType
from ..schema import label_delete_refusal, relation_type_delete_refusal
from .workspace import label_version

PAGE = "annotator/labels.html"
EDIT_PAGE = "annotator/label_edit.html"

# Offered to a new label: the first of these the project does not use yet.
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"]

LABEL_FIELDS = ("name", "key", "colour", "description", "attributes", "links_entity", "order")


def _label_data(label: Label) -> dict:
    return {field: getattr(label, field) for field in LABEL_FIELDS}


def _type_data(relation_type: RelationType) -> dict:
    return {
        "name": relation_type.name,
        "source": relation_type.source_label.name,
        "target": relation_type.target_label.name,
        "description": relation_type.description,
    }


def _new_label_form(project, labels) -> LabelForm:
    used = {label.colour.lower() for label in labels}
    colour = next((c for c in PALETTE if c not in used), PALETTE[0])
    order = max((label.order for label in labels), default=-1) + 1
    return LabelForm(project=project, initial={"colour": colour, "order": order})


def _context(project, role, *, label_form=None, type_form=None) -> dict:
    labels = list(project.labels.annotate(n_spans=Count("spans")).order_by("order", "name"))
    for label in labels:
        label.summary = attribute_summary(label.attributes)
    relation_types = list(
        project.relation_types.select_related("source_label", "target_label").annotate(n_relations=Count("relations"))
    )
    return {
        "project": project,
        "role": role,
        "labels": labels,
        "relation_types": relation_types,
        "label_version": label_version(labels),
        "label_form": label_form or _new_label_form(project, labels),
        "type_form": type_form or RelationTypeForm(project=project),
    }


def _save(form, *, user, project, action, before=None):
    """Save the form's object and log it; None when the database refused a clash another save made first."""
    try:
        with transaction.atomic():
            obj = form.save()
            data = _label_data(obj) if isinstance(obj, Label) else _type_data(obj)
            if before is not None:
                data = {"before": before, "after": data}
            log_event(user=user, action=action, obj=obj, project=project, data=data)
    except IntegrityError:
        form.add_error("name", "Another label or relation type just took this name or key; reload and try again.")
        return None
    return obj


@require_http_methods(["GET", "POST"])
@project_view(Role.MANAGER)
def labels(request, *, project, role):
    if request.method == "POST":
        form = LabelForm(request.POST, project=project, instance=Label(project=project))
        if form.is_valid():
            label = _save(form, user=request.user, project=project, action=Event.Action.CREATE)
            if label is not None:
                messages.success(request, f"The label “{label.name}” was added.")
                return redirect("project-labels", project.slug)
        return render(request, PAGE, _context(project, role, label_form=form), status=422)
    return render(request, PAGE, _context(project, role))


@require_http_methods(["GET", "POST"])
@project_view(Role.MANAGER)
def label_edit(request, label_id, *, project, role):
    label = get_object_or_404(Label, pk=label_id, project=project)
    saved_name, n_spans = label.name, label.spans.count()
    before = _label_data(label)
    status = 200
    if request.method == "POST":
        form = LabelForm(request.POST, project=project, instance=label)
        if form.is_valid() and _save(
            form, user=request.user, project=project, action=Event.Action.UPDATE, before=before
        ):
            messages.success(request, f"The label “{label.name}” was saved.")
            return redirect("project-labels", project.slug)
        status = 422
    else:
        form = LabelForm(project=project, instance=label)
    context = {
        "project": project,
        "role": role,
        "label": label,
        "saved_name": saved_name,
        "n_spans": n_spans,
        "form": form,
    }
    return render(request, EDIT_PAGE, context, status=status)


def _delete(request, project, obj, *, refusal: str | None, data: dict, what: str, raced: str):
    """Delete ``obj`` (logged, with ``data``) unless refused; back to the labels page with a message."""
    if refusal is None:
        try:
            with transaction.atomic():
                log_event(user=request.user, action=Event.Action.DELETE, obj=obj, project=project, data=data)
                obj.delete()
        except ProtectedError:
            refusal = f"{what} was not deleted: {raced} were just made with it."
        else:
            messages.success(request, f"{what} was deleted.")
    if refusal:
        messages.error(request, refusal)
    return redirect("project-labels", project.slug)


@require_POST
@project_view(Role.MANAGER)
def label_delete(request, label_id, *, project, role):
    label = get_object_or_404(Label, pk=label_id, project=project)
    return _delete(request, project, label, refusal=label_delete_refusal(label), data=_label_data(label),
                   what=f"The label “{label.name}”", raced="spans")


@require_POST
@project_view(Role.MANAGER)
def relation_type_create(request, *, project, role):
    form = RelationTypeForm(request.POST, project=project)
    if form.is_valid():
        relation_type = _save(form, user=request.user, project=project, action=Event.Action.CREATE)
        if relation_type is not None:
            messages.success(request, f"The relation type “{relation_type.name}” was added.")
            return redirect("project-labels", project.slug)
    return render(request, PAGE, _context(project, role, type_form=form), status=422)


@require_POST
@project_view(Role.MANAGER)
def relation_type_delete(request, type_id, *, project, role):
    relation_type = get_object_or_404(
        RelationType.objects.select_related("source_label", "target_label"), pk=type_id, project=project
    )
    return _delete(request, project, relation_type, refusal=relation_type_delete_refusal(relation_type),
                   data=_type_data(relation_type), what=f"The relation type “{relation_type.name}”",
                   raced="relations")
