"""What every view module shares: reading numbers from a request, and the message
line a refused htmx request swaps in.  The permission
entry point is ``articles.permissions.project_view`` for project pages and the
scoped querysets of ``annotator.selectors`` (``sets_for``) for single objects."""

from __future__ import annotations

from django.shortcuts import render
from django_htmx.http import reswap, retarget

from ..errors import ServiceError


def int_or_none(value) -> int | None:
    """``value`` as a whole number, or None when it is missing or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def message_fragment(request, partial: str, target: str, text: str, *, status: int = 422, level: str = "error"):
    """``text`` in a page's message line (the inline ``partial``, swapped into ``target``
    alone): how an htmx request hears that it was refused, or a notice."""
    response = render(request, partial, {"message": text, "level": level}, status=status)
    return reswap(retarget(response, target), "innerHTML")


def refusal_fragment(request, partial: str, target: str, error: ServiceError):
    """A refused change (``ServiceError``) in the message line, with its HTTP status."""
    return message_fragment(request, partial, target, " ".join(error.messages), status=error.status)
