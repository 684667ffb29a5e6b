"""Project progress, inter-annotator agreement, and each article's history.

Progress and agreement are for reviewers and managers; an article's history is
open to every member, scoped: annotators see only the events of their own set.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils.text import Truncator
from django.views.decorators.http import require_GET

from articles.models import Role
from articles.permissions import project_view
from articles.selectors import has_role

from ..agreement.cache import agreement_counts, cached_agreement_report
from ..models import Event, Span
from ..progress import project_progress, recent_articles

DASHBOARD = "annotator/dashboard.html"
AGREEMENT = "annotator/agreement.html"
HISTORY = "annotator/history.html"

RECENT_PER_PAGE = 15
EVENTS_PER_PAGE = 50

METRICS = [
    ("span_f1_exact", "Exact span F1", "Same label, start and end."),
    ("span_f1_overlap", "Overlap span F1", "Same label, overlapping text; spans paired one to one."),
    ("kappa_token", "Token kappa", "Cohen’s kappa over the label of each token, per pair, averaged."),
    ("alpha_token", "Token alpha", "Krippendorff’s alpha (nominal) over tokens, all annotators at once."),
]


# ---------------------------------------------------------------- helpers


def _band(value) -> str:
    """A shade for a score: Krippendorff's rule of thumb (0.8 reliable, 0.667 tentative)."""
    if value is None:
        return "none"
    if value >= 0.8:
        return "high"
    if value >= 0.667:
        return "mid"
    return "low"


def _cells(figures: dict) -> list[dict]:
    return [{"key": key, "value": figures.get(key), "band": _band(figures.get(key))} for key, _, _ in METRICS]


def _verdict_cell(summary: dict) -> dict:
    return summary | {"band": _band(summary["kappa"])}


def _excerpt(text, length=60) -> str:
    return Truncator(" ".join(str(text or "").split())).chars(length)


# ---------------------------------------------------------------- progress


@require_GET
@project_view(Role.REVIEWER, doing="see its progress dashboard")
def dashboard(request, *, project, role):
    activity = Paginator(recent_articles(project), RECENT_PER_PAGE).get_page(request.GET.get("page"))
    context = {"project": project, "role": role, "activity": activity}
    if request.htmx and request.htmx.target == "activity":
        return render(request, DASHBOARD + "#activity", context)
    return render(request, DASHBOARD, context | {"progress": project_progress(project), "current": "progress"})


# ---------------------------------------------------------------- agreement


@require_GET
@project_view(Role.REVIEWER, doing="see its inter-annotator agreement")
def agreement(request, *, project, role):
    include_unsubmitted = request.GET.get("unsubmitted") == "1"
    report = cached_agreement_report(project, include_unsubmitted=include_unsubmitted)
    overall = report["overall"]
    context = {
        "project": project,
        "role": role,
        "current": "agreement",
        "include_unsubmitted": include_unsubmitted,
        "report": report,
        "counts": agreement_counts(project),
        "metrics": METRICS,
        "headline": [
            {"key": key, "name": name, "help": help_text, "value": overall[key], "band": _band(overall[key])}
            for key, name, help_text in METRICS
        ],
        "overall_cells": _cells(overall),
        "label_rows": [{"name": name, "cells": _cells(figures)} for name, figures in report["labels"].items()],
        "pair_rows": [
            {
                "a": pair["a"],
                "b": pair["b"],
                "cells": _cells(pair),
                "verdicts": _verdict_cell(pair["verdict_agreement"]),
            }
            for pair in report["pairs"]
        ],
        "verdicts": _verdict_cell(overall["verdict_agreement"]),
    }
    if request.htmx and request.htmx.target == "agreement-report":
        return render(request, AGREEMENT + "#report", context)
    return render(request, AGREEMENT, context)


# ---------------------------------------------------------------- history


def _set_name(annotation_set) -> str:
    if annotation_set is None:
        return ""
    return "gold" if annotation_set.is_gold else annotation_set.user.get_username()


def _span_phrase(label, text) -> str:
    return f"{label} “{_excerpt(text)}”"


def _attribute_changes(before: dict, after: dict) -> list[str]:
    changes = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old != new:
            changes.append(f"{name} {'—' if old in (None, '') else old} → {'—' if new in (None, '') else new}")
    return changes


def _update_details(data: dict) -> list[str]:
    before, after = data.get("before") or {}, data.get("after") or {}
    details = []
    if before.get("label") != after.get("label"):
        details.append(f"label {before.get('label')} → {after.get('label')}")
    details += _attribute_changes(before.get("attributes") or {}, after.get("attributes") or {})
    if before.get("entity") != after.get("entity"):
        details.append("entity unlinked" if after.get("entity") is None else "entity linked")
    if before.get("note") != after.get("note"):
        details.append("note edited")
    return details


def _attributes_text(attributes) -> str:
    if not isinstance(attributes, dict):
        return ""
    return ", ".join(f"{name} {value}" for name, value in sorted(attributes.items()) if value not in (None, ""))


def describe(event: Event, spans: dict[int, tuple[str, str]]) -> str:
    """A short account of an event, e.g. ``created Actor “Sergei Lavrov”``.

    ``spans`` maps span ids to ``(label, text)``, for the ends of relations.
    """
    data = event.data if isinstance(event.data, dict) else {}
    action = event.action
    if event.object_type == "span":
        phrase = _span_phrase(data.get("label") or (data.get("after") or {}).get("label", "span"),
                              data.get("text") or (data.get("after") or {}).get("text", ""))
        if action == Event.Action.CREATE:
            extra = _attributes_text(data.get("attributes"))
            return f"created {phrase}" + (f" ({extra})" if extra else "")
        if action == Event.Action.UPDATE:
            details = _update_details(data)
            return f"changed {phrase}" + (f": {'; '.join(details)}" if details else "")
        if action == Event.Action.DELETE:
            return f"deleted {phrase}" + (" (later restored)" if data.get("restored") else "")
    if event.object_type == "relation" and action in (Event.Action.CREATE, Event.Action.DELETE):

        def end(span_id):
            if span_id in spans:
                return _span_phrase(*spans[span_id])
            return f"span #{span_id}"

        verb = "linked" if action == Event.Action.CREATE else "unlinked"
        kind = str(data.get("type", "")).replace("_", " ")
        return f"{verb} {end(data.get('source'))} {kind} {end(data.get('target'))}"
    if event.object_type == "entity" and action == Event.Action.CREATE:
        kind = f" ({data['kind']})" if data.get("kind") else ""
        return f"added the entity “{_excerpt(data.get('name'))}”{kind} to the knowledge base"
    if event.object_type == "annotationset":
        return _describe_set_event(event, data)
    if event.object_type == "review":
        return _describe_review(data)
    name = event.get_action_display().lower()
    target = event.object_type.replace("annotationset", "set") or "item"
    return f"{name} {target}" + (f" #{event.object_id}" if event.object_id else "")


def _describe_set_event(event: Event, data: dict) -> str:
    owner = _set_name(event.annotation_set) or data.get("annotator", "")
    whose = "the gold set" if owner == "gold" else (f"{owner}’s set" if owner else "a set")
    action = event.action
    if action == Event.Action.CREATE:
        via = data.get("via")
        if via == "assigned":
            return f"assigned the article to {owner}"
        if via == "next":
            return f"took the article from the queue ({whose} started)"
        return f"started {whose}"
    if action == Event.Action.DELETE:
        spans = len(data.get("spans") or [])
        reason = f", {data['reason']}" if data.get("reason") else ""
        return f"removed {whose} ({spans} span{'s' if spans != 1 else ''}{reason})"
    if action == Event.Action.SUBMIT:
        return "marked the gold set done" if owner == "gold" else f"submitted {whose}"
    if action == Event.Action.REOPEN:
        return f"reopened {whose}"
    return f"{event.get_action_display().lower()} {whose}"


def _describe_review(data: dict) -> str:
    """A reviewer's decision on the way into gold."""
    choice = data.get("choice")
    kind = {"relationitem": "a relation", "place": "a disputed span", "agreedspan": "an agreed span"}.get(
        data.get("kind"), "an item"
    )
    if data.get("item") == "agreed":
        return "accepted into gold every span the annotators agree on"
    if choice == "take":
        version = f"{data['annotator']}’s version of " if data.get("annotator") else ""
        return f"took {version}{kind} into gold"
    if choice == "drop":
        return f"dropped {kind} from gold"
    return f"reviewed {kind}"


def _relation_ends(events) -> dict[int, tuple[str, str]]:
    """Label and text of the spans that relation events on a page point at (one query)."""
    ids = set()
    for event in events:
        if event.object_type == "relation" and isinstance(event.data, dict):
            ids.update(i for i in (event.data.get("source"), event.data.get("target")) if isinstance(i, int))
    if not ids:
        return {}
    return {pk: (label, text) for pk, label, text in Span.objects.filter(pk__in=ids).values_list(
        "pk", "label__name", "text"
    )}


@require_GET
@project_view()
def article_history(request, article_id, *, project, role):
    article = get_object_or_404(project.articles.only("pk", "title", "project_id"), pk=article_id)
    events = Event.objects.filter(article=article).select_related("user", "annotation_set__user")
    everything = has_role(role, Role.REVIEWER)
    if not everything:
        events = events.filter(
            Q(annotation_set__user=request.user) | Q(annotation_set__isnull=True, user=request.user)
        )
    page = Paginator(events.order_by("-created_at", "-id"), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    spans = _relation_ends(page.object_list)
    rows = [
        {
            "event": event,
            "user": event.user.get_username() if event.user else "",
            "set": _set_name(event.annotation_set) or (event.data or {}).get("annotator", ""),
            "action": event.get_action_display(),
            "description": describe(event, spans),
        }
        for event in page.object_list
    ]
    context = {
        "project": project,
        "role": role,
        "article": article,
        "page": page,
        "rows": rows,
        "everything": everything,
    }
    if request.htmx and request.htmx.target == "history":
        return render(request, HISTORY + "#events", context)
    return render(request, HISTORY, context)
