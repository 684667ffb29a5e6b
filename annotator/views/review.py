"""The review page: every annotator's spans of one article, settled into gold.

For reviewers and managers.  Each decision posts a small form; htmx swaps the
item list, the merged text and the gold status back in (``review.html#board``),
and without JavaScript the same forms post and come back to the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from articles.models import Article, Role
from articles.permissions import project_for

from .. import review as reviewing
from ..errors import Conflict, ServiceError
from ..rendering import render_paragraphs
from ..selectors import labels_for
from .workspace import label_version

PAGE = "annotator/review.html"
MAX_LANE = 9


@dataclass(frozen=True)
class LayerMark:
    """A span as the merged text shows it: which layer (gold or annotator N) it is in."""

    id: int
    label_id: int
    start: int
    end: int
    layer: str  # "g" for gold, else the annotator's number
    lane: int
    title: str
    place: int | None


def _layers(rv) -> list[LayerMark]:
    place_of = {}
    for place in rv.places:
        for version in place.versions:
            for span in version.spans:
                place_of[span.pk] = place.index
    marks = [
        LayerMark(id=s.pk, label_id=s.label_id, start=s.start, end=s.end, layer="g", lane=0,
                  title=f"gold · {s.label.name}", place=None)
        for s in rv.gold_spans
    ]
    for annotator in rv.annotators:
        for span in rv.spans_by_id.values():
            if span.annotation_set_id == annotator.annotation_set.pk:
                marks.append(LayerMark(
                    id=span.pk, label_id=span.label_id, start=span.start, end=span.end, layer=str(annotator.number),
                    lane=min(annotator.number, MAX_LANE),
                    title=f"{annotator.number} {annotator.name} · {span.label.name}",
                    place=place_of.get(span.pk),
                ))
    return marks


def _article(request, slug, article_id):
    project, role = project_for(request.user, slug, needed=Role.REVIEWER)
    article = get_object_or_404(Article, pk=article_id, project=project)
    article.project = project
    return project, role, article


def _context(project, role, article, **extra):
    rv = reviewing.review_for(article)
    labels = labels_for(project)
    return {
        "project": project,
        "role": role,
        "article": article,
        "rv": rv,
        "labels": labels,
        "label_version": label_version(labels),
        "paragraphs": render_paragraphs(article.text, _layers(rv)),
    } | extra


@require_GET
def review(request, slug, article_id):
    project, role, article = _article(request, slug, article_id)
    template = PAGE
    if request.htmx and request.htmx.target == "rv-items":
        template += "#board"
    return render(request, template, _context(project, role, article))


def _answer(request, project, role, article, text, *, level="success", status=200):
    """After a decision: the refreshed board (htmx) or back to the page with a message."""
    if request.htmx:
        context = _context(project, role, article, message=text, level=level)
        return render(request, PAGE + "#board", context, status=status)
    if text:
        messages.add_message(request, getattr(messages, level.upper()), text)
    return redirect("review", project.slug, article.pk)


def _refused(request, project, role, article, error: ServiceError):
    text = " ".join(error.messages)
    if isinstance(error, Conflict):
        return _answer(request, project, role, article, text, level="warning", status=409)
    if request.htmx:
        response = render(request, PAGE + "#message", {"message": text, "level": "error"}, status=error.status)
        return reswap(retarget(response, "#rv-message"), "innerHTML")
    messages.error(request, text)
    return redirect("review", project.slug, article.pk)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
def review_accept(request, slug, article_id):
    project, role, article = _article(request, slug, article_id)
    try:
        spans, relations = reviewing.accept_agreed(article=article, user=request.user)
    except ServiceError as error:
        return _refused(request, project, role, article, error)
    if spans or relations:
        text = f"Accepted {spans} agreed span(s) and {relations} relation(s) into gold."
    else:
        text = "Nothing agreed was waiting: gold already holds it."
    return _answer(request, project, role, article, text)


@require_POST
def review_decide(request, slug, article_id):
    project, role, article = _article(request, slug, article_id)
    key = request.POST.get("item", "")
    if "drop" in request.POST:
        choice, number = reviewing.DROP, None
    elif "take" in request.POST:
        choice, number = reviewing.TAKE, _int(request.POST.get("take"))
        if number is None:
            return _refused(request, project, role, article, ServiceError("Choose whose version to take."))
    else:
        return _refused(request, project, role, article, ServiceError("Choose to take a version or to drop it."))
    try:
        changed = reviewing.decide(article=article, key=key, choice=choice, number=number, user=request.user)
    except ServiceError as error:
        return _refused(request, project, role, article, error)
    return _answer(request, project, role, article, "" if changed else "Already so; nothing changed.",
                   level="success" if changed else "info")


@require_POST
def review_gold(request, slug, article_id):
    project, role, article = _article(request, slug, article_id)
    action = request.POST.get("action")
    try:
        if action == "done":
            reviewing.gold_finish(article=article, user=request.user)
            text = "Gold marked done."
        elif action == "reopen":
            reviewing.gold_reopen(article=article, user=request.user)
            text = "Gold reopened for review."
        else:
            raise ServiceError("Choose to mark the gold set done or to reopen it.")
    except ServiceError as error:
        return _refused(request, project, role, article, error)
    return _answer(request, project, role, article, text)


@require_POST
def review_send_back(request, slug, article_id, set_id):
    project, role, article = _article(request, slug, article_id)
    try:
        sent = reviewing.send_back(article=article, set_id=set_id, user=request.user,
                                   reason=request.POST.get("reason", ""))
    except ServiceError as error:
        return _refused(request, project, role, article, error)
    name = sent.user.get_username()
    return _answer(request, project, role, article, f"Sent back to {name}: the article is open for them again.")


@require_GET
def review_next(request, slug):
    """The next article that waits for review (k sets submitted, gold not done)."""
    project, _ = project_for(request.user, slug, needed=Role.REVIEWER)
    article = reviewing.next_to_review(project, after=_int(request.GET.get("after")))
    if article is None:
        messages.success(request, "Nothing waits for review: every article with all its annotators' work "
                                  "submitted has its gold set done.")
        return redirect(project)
    return redirect("review", project.slug, article.pk)
