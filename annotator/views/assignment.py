"""Managers' assignment page: who annotates which article, and taking it back.

Plain forms (post, then redirect with a message), so the page works the same
with and without JavaScript.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from articles.models import Role
from articles.permissions import project_view
from articles.selectors import search_articles

from .. import assignment
from ..errors import NeedsConfirmation, ServiceError
from ..models import AnnotationSet, SetStatus
from ..status import STATUSES, status_q, with_status_inputs
from .common import int_or_none

PAGE = "annotator/assignment.html"
PER_PAGE = 50
KEPT = ("q", "status", "page")

STATUS_FILTERS = [
    ("", "All articles"),
    ("unassigned", STATUSES["unassigned"]),
    ("open", "Needs annotators"),
    *((status, label) for status, label in STATUSES.items() if status != "unassigned"),
    ("stale", "Stale assignments"),
]


def _filtered(project, query: str, status: str, hours: int):
    k = project.annotators_per_article
    articles = search_articles(project.articles.defer("text", "meta"), query).annotate(taken=assignment.taken_slots())
    if status == "open":
        articles = articles.filter(taken__lt=k)
    elif status == "stale":
        articles = articles.filter(pk__in=assignment.stale_sets(project, hours=hours).values("article_id"))
    elif status in STATUSES:
        articles = with_status_inputs(articles).filter(status_q(status, k))
    return articles.order_by("id")


def _context(request, project, role, **extra):
    query = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("status", "")
    if status not in dict(STATUS_FILTERS):
        status = ""
    hours = assignment.release_after_hours()
    articles = _filtered(project, query, status, hours)
    page = Paginator(articles, PER_PAGE).get_page(request.GET.get("page"))
    sets = (
        assignment.with_activity(AnnotationSet.objects.filter(article__in=[a.pk for a in page.object_list]))
        .select_related("user")
        .order_by("is_gold", "id")
    )
    rows = []
    by_article = {}
    for annotation_set in sets:
        by_article.setdefault(annotation_set.article_id, []).append(annotation_set)
    stale_before = assignment.stale_cutoff(hours)
    for article in page.object_list:
        article_sets = by_article.get(article.pk, [])
        annotators = [s for s in article_sets if not s.is_gold]
        for s in annotators:
            s.is_stale = s.status != SetStatus.SUBMITTED and s.last_activity < stale_before
        rows.append(
            {
                "article": article,
                "sets": annotators,
                "gold": next((s for s in article_sets if s.is_gold), None),
                "free": max(project.annotators_per_article - len(annotators), 0),
            }
        )
    return {
        "project": project,
        "role": role,
        "is_manager": True,
        "rows": rows,
        "page": page,
        "query": query,
        "status": status,
        "status_filters": STATUS_FILTERS,
        "users": list(assignment.assignable_users(project)),
        "stale": assignment.stale_summary(project, hours=hours),
        "kept": {key: request.GET[key] for key in KEPT if request.GET.get(key)},
        "kept_query": urlencode({key: request.GET[key] for key in KEPT if request.GET.get(key)}),
        "pager_params": urlencode({key: value for key, value in (("q", query), ("status", status)) if value}),
    } | extra


def _back(request, project):
    """Back to the list the manager was looking at (only the filter keys are kept)."""
    kept = {key: request.POST[key] for key in KEPT if request.POST.get(key)}
    url = reverse("assignments", args=[project.slug])
    return redirect(url + ("?" + urlencode(kept) if kept else ""))


@require_GET
@project_view(Role.MANAGER)
def assignments(request, *, project, role):
    return render(request, PAGE, _context(request, project, role))


@require_POST
@project_view(Role.MANAGER)
def assign(request, *, project, role):
    user = get_user_model().objects.filter(pk=int_or_none(request.POST.get("user"))).first()
    ids = [pk for pk in (int_or_none(v) for v in request.POST.getlist("article")) if pk]
    try:
        report = assignment.assign(project=project, article_ids=ids, user=user, by=request.user)
    except ServiceError as error:
        messages.error(request, " ".join(error.messages))
    else:
        for level, text in report.messages(user.get_username()):
            getattr(messages, level)(request, text)
    return _back(request, project)


@require_POST
@project_view(Role.MANAGER)
def unassign(request, set_id, *, project, role):
    annotation_set = get_object_or_404(
        AnnotationSet.objects.select_related("article__project", "user"), pk=set_id, article__project=project
    )
    confirm = int_or_none(request.POST.get("confirm_spans"))
    try:
        n = assignment.unassign(annotation_set=annotation_set, by=request.user, confirm_spans=confirm)
    except NeedsConfirmation as question:
        context = _context(request, project, role, confirm={
            "message": " ".join(question.messages),
            "spans": question.spans,
            "action": reverse("assignments-unassign", args=[project.slug, annotation_set.pk]),
            "button": f"Delete {question.spans} span(s) and unassign",
            "kept": {key: request.POST[key] for key in KEPT if request.POST.get(key)},
        })
        return render(request, PAGE, context, status=409)
    except ServiceError as error:
        messages.error(request, " ".join(error.messages))
    else:
        who, title = annotation_set.user.get_username(), annotation_set.article.short_title
        extra = f" and their {n} span(s) were deleted (the event log keeps a copy)" if n else ""
        messages.success(request, f"{who} was unassigned from “{title}”{extra}.")
    return _back(request, project)


@require_POST
@project_view(Role.MANAGER)
def release(request, *, project, role):
    hours = int_or_none(request.POST.get("hours"))
    if hours is None:
        hours = assignment.release_after_hours()
    confirm = int_or_none(request.POST.get("confirm_spans")) if request.POST.get("with_spans") else None
    try:
        sets, spans = assignment.release_stale(project=project, by=request.user, hours=hours, confirm_spans=confirm)
    except ServiceError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if sets:
            extra = f", deleting {spans} span(s) (the event log keeps a copy)" if spans else ""
            messages.success(request, f"Released {sets} assignment(s) untouched for more than {hours} h{extra}.")
        else:
            messages.info(request, f"No assignment without spans has been untouched for more than {hours} h.")
    return _back(request, project)

