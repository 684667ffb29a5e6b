"""What the API's resource modules share: the project behind ``{slug}`` (through the
pages' own ``project_for``: 404 outside your projects, 403 for a role too low) and
opaque cursors for keyset pagination."""

from __future__ import annotations

import base64
import binascii

from articles.models import Role
from articles.permissions import project_for

from .errors import Problem
from .schemas import MAX_ID

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def project(request, slug: str, needed: str = Role.ANNOTATOR, doing: str = "do this"):
    """``(project, role)`` for the caller; raises Http404 or PermissionDenied like the pages."""
    return project_for(request.user, slug, needed=needed, doing=doing)


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The id after which the next page starts (0 for the first page); 400 for a cursor we did not make."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, number = raw.partition(":")
        if kind != "after" or not number.isdigit() or int(number) > MAX_ID:
            raise ValueError(raw)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Problem(400, "This cursor was not made by this API: pass the `next` value of the previous page.",
                      errors=[{"field": "cursor", "message": "Not a cursor of this API."}]) from None


def page(rows: list, limit: int) -> tuple[list, str | None]:
    """``rows`` (fetched with ``limit + 1``) cut to ``limit``, and the cursor of the next page."""
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].pk if hasattr(rows[-1], "pk") else rows[-1]["id"]) if more else None
