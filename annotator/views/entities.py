"""The project's knowledge base of actors: list, edit, merge, delete.

Every member reads the list; reviewers and managers curate it.  Plain forms (post,
then redirect with a message); bad input re-renders the page with the form's errors
(422) and changes nothing.  An entity that spans link to is never deleted from under
them: it is merged into the entity they should link to instead.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.models import Role
from articles.permissions import project_view
from articles.selectors import has_role

from .. import entities as kb
from ..errors import ServiceError
from ..forms import EntityForm, EntityMergeForm
from ..models import Entity

PAGE = "annotator/entities.html"
EDIT_PAGE = "annotator/entity_edit.html"
ENTITIES_PER_PAGE = 50


def _list_url(project, query: str = "") -> str:
    url = reverse("entities", args=[project.slug])
    return f"{url}?{urlencode({'q': query})}" if query else url


def _list_context(request, project, role, *, form=None) -> dict:
    query = " ".join(request.GET.get("q", "").split())[:100]
    can_edit = has_role(role, Role.REVIEWER)
    # Annotators count their own spans only, as on the article list: their sets are all they read.
    rows = kb.entity_rows(project, query, only_user=None if can_edit else request.user)
    page = Paginator(rows, ENTITIES_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "project": project,
        "role": role,
        "can_edit": can_edit,
        "query": query,
        "page": page,
        "pager_params": urlencode({"q": query}) if query else "",
        "form": form or (EntityForm(project=project) if can_edit else None),
    }


def _save(form, *, user, before=None) -> Entity | None:
    """Save the form's entity and log it; None when another save took the name first."""
    try:
        return kb.entity_save(entity=form.instance, user=user, before=before)
    except IntegrityError:
        form.add_error("name", "Another entity just took this name; reload and try again.")
        return None


@require_GET
@project_view(Role.ANNOTATOR)
def entity_list(request, *, project, role):
    template = PAGE
    if request.htmx and request.htmx.target == "entity-list":
        template += "#entity-list"
    return render(request, template, _list_context(request, project, role))


@require_POST
@project_view(Role.REVIEWER)
def entity_create(request, *, project, role):
    form = EntityForm(request.POST, project=project, instance=Entity(project=project))
    if form.is_valid():
        entity = _save(form, user=request.user)
        if entity is not None:
            messages.success(request, f"The entity “{entity.name}” was added.")
            return redirect(_list_url(project, entity.name))
    return render(request, PAGE, _list_context(request, project, role, form=form), status=422)


def _edit_page(request, project, role, entity, *, saved_name, form=None, merge_form=None, status=200):
    counts = entity.spans.aggregate(n_spans=Count("pk"), n_articles=Count("annotation_set__article", distinct=True))
    targets = (
        Entity.objects.filter(project=project).exclude(pk=entity.pk).order_by(Lower("name"), "pk")
        .only("pk", "name", "kind")
    )
    context = {
        "project": project,
        "role": role,
        "entity": entity,
        "saved_name": saved_name,
        "form": form or EntityForm(project=project, instance=entity),
        "merge_form": merge_form or EntityMergeForm(entity=entity),
        "merge_targets": list(targets),
        "chosen": str(merge_form.data.get("target", "")) if merge_form is not None else "",
        **counts,
    }
    return render(request, EDIT_PAGE, context, status=status)


@require_http_methods(["GET", "POST"])
@project_view(Role.REVIEWER)
def entity_edit(request, entity_id, *, project, role):
    entity = get_object_or_404(Entity, pk=entity_id, project=project)
    saved_name, before = entity.name, kb.entity_data(entity)
    if request.method == "GET":
        return _edit_page(request, project, role, entity, saved_name=saved_name)
    form = EntityForm(request.POST, project=project, instance=entity)
    if form.is_valid() and _save(form, user=request.user, before=before):
        messages.success(request, f"The entity “{entity.name}” was saved.")
        return redirect(_list_url(project, entity.name))
    # The form may have written the refused values onto the instance: show the saved one.
    entity = Entity.objects.get(pk=entity.pk)
    return _edit_page(request, project, role, entity, saved_name=saved_name, form=form, status=422)


@require_POST
@project_view(Role.REVIEWER)
def entity_merge(request, entity_id, *, project, role):
    entity = get_object_or_404(Entity, pk=entity_id, project=project)
    form = EntityMergeForm(request.POST, entity=entity)
    if form.is_valid():
        target = form.cleaned_data["target"]
        try:
            relinked = kb.entity_merge(entity=entity, target=target, user=request.user)
        except ServiceError as error:
            form.add_error(None, error.messages)
        else:
            spans = f"{relinked} span{'s' if relinked != 1 else ''}"
            messages.success(
                request,
                f"“{entity.name}” was merged into “{target.name}”: {spans} relinked, "
                f"and “{entity.name}” and its aliases are now aliases of “{target.name}”.",
            )
            return redirect(_list_url(project, target.name))
    return _edit_page(request, project, role, entity, saved_name=entity.name, merge_form=form, status=422)


@require_POST
@project_view(Role.REVIEWER)
def entity_delete(request, entity_id, *, project, role):
    entity = get_object_or_404(Entity, pk=entity_id, project=project)
    name = entity.name
    try:
        kb.entity_delete(entity=entity, user=request.user)
    except ServiceError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("entity-edit", project.slug, entity_id)
    messages.success(request, f"The entity “{name}” was deleted.")
    return redirect("entities", project.slug)
