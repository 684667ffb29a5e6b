"""What every view module shares: reading numbers from a request.  The permission
entry point is ``articles.permissions.project_view`` for project pages and the
scoped querysets of ``annotator.selectors`` (``sets_for``) for single objects."""

from __future__ import annotations


def int_or_none(value) -> int | None:
    """``value`` as a whole number, or None when it is missing or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
