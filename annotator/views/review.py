"""The review page: every annotator's spans of one article, settled into gold.

For reviewers and managers.  Each decision posts a small form; htmx swaps the
item list, the merged text and the gold status back in (``review.html#board``),
and without JavaScript the same forms post and come back to the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article, Role
from articles.permissions import project_view

from .. import review as reviewing
from ..errors import Conflict, ServiceError
from ..review.text import merged_text
from ..selectors import labels_for
from .common import int_or_none, refusal_fragment
from .workspace import label_version

PAGE = "annotator/review.html"


def _article(project, article_id) -> Article:
    article = get_object_or_404(Article, pk=article_id, project=project)
    article.project = project
    return article


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
        "paragraphs": merged_text(rv),
    } | extra


@require_GET
@project_view(Role.REVIEWER)
def review(request, article_id, *, project, role):
    article = _article(project, article_id)
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
        return refusal_fragment(request, PAGE + "#message", "#rv-message", error)
    messages.error(request, text)
    return redirect("review", project.slug, article.pk)


@require_POST
@project_view(Role.REVIEWER)
def review_accept(request, article_id, *, project, role):
    article = _article(project, article_id)
    try:
        spans, relations = reviewing.accept_agreed(article=article, user=request.user)
    except ServiceError as error:
        return _refused(request, project, role, article, error)
    if spans or relations:
        text = f"Accepted {spans} agreed span(s) and {relations} relation(s) into gold."
    else:
        text = "Nothing agreed was waiting: gold already holds it."
    return _answer(request, project, role, article, text)


def _decision(post) -> tuple[str, int | None, int | None]:
    """(choice, annotator number, version seen) from a decide form; the version is
    None when the form carries none (a page from before versions were sent)."""
    if "drop" in post:
        choice, number = reviewing.DROP, None
    elif "take" in post:
        choice, number = reviewing.TAKE, int_or_none(post.get("take"))
        if number is None:
            raise ServiceError("Choose whose version to take.")
    else:
        raise ServiceError("Choose to take a version or to drop it.")
    if post.get("version", "") == "":
        return choice, number, None
    version = int_or_none(post["version"])
    if version is None:
        raise ServiceError("The form is out of date; reload the page and decide again.")
    return choice, number, version


@require_POST
@project_view(Role.REVIEWER)
def review_decide(request, article_id, *, project, role):
    article = _article(project, article_id)
    try:
        choice, number, version = _decision(request.POST)
        changed = reviewing.decide(article=article, key=request.POST.get("item", ""), choice=choice, number=number,
                                   version=version, user=request.user)
    except ServiceError as error:
        return _refused(request, project, role, article, error)
    return _answer(request, project, role, article, "" if changed else "Already so; nothing changed.",
                   level="success" if changed else "info")


@require_POST
@project_view(Role.REVIEWER)
def review_gold(request, article_id, *, project, role):
    article = _article(project, article_id)
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
@project_view(Role.REVIEWER)
def review_send_back(request, article_id, set_id, *, project, role):
    article = _article(project, article_id)
    try:
        sent = reviewing.send_back(article=article, set_id=set_id, user=request.user,
                                   reason=request.POST.get("reason", ""))
    except ServiceError as error:
        return _refused(request, project, role, article, error)
    name = sent.user.get_username()
    return _answer(request, project, role, article, f"Sent back to {name}: the article is open for them again.")


@require_GET
@project_view(Role.REVIEWER)
def review_next(request, *, project, role):
    """The next article that waits for review (k sets submitted, gold not done)."""
    article = reviewing.next_to_review(project, after=int_or_none(request.GET.get("after")))
    if article is None:
        messages.success(request, "Nothing waits for review: every article with all its annotators' work "
                                  "submitted has its gold set done.")
        return redirect(project)
    return redirect("review", project.slug, article.pk)
