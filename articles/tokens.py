"""Personal API tokens: made, checked, listed and revoked.

A token is ``fmk_`` and 43 random URL-safe characters.  Only its SHA-256 digest is
stored (the secret has 256 bits of randomness, so a fast hash is enough), with the
first characters as a ``prefix`` to tell tokens apart on the token page and in admin.
The secret is shown once, when the token is made, and never logged.

A token acts as its owner, with the owner's roles in each project and nothing more.
It stops working when:

- it is revoked (on the owner's token page, in admin, or by ``revoke``);
- it has expired (``expires_at``);
- its owner is deactivated;
- its owner's password changes: a token made before the change stops working, as the
  other browser sessions do, because a leaked password may have been used to make it.
  The owner makes a new one after the change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.utils import timezone

from .models import ApiToken

TOKEN_PREFIX = "fmk_"
SHOWN_PREFIX = 12  # characters of the secret kept in clear, "fmk_" included
LAST_USED_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most this often
MAX_EXPIRY_DAYS = 3650


class TokenError(Exception):
    """A token that does not let anyone in; the message says why (never the secret)."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def password_mark(user) -> str:
    """Changes whenever the user's password does (the stored password hash is salted)."""
    return hashlib.sha256(f"factmark-api-token:{user.password}".encode()).hexdigest()


@dataclass
class NewToken:
    token: ApiToken
    secret: str  # shown once


def create_token(*, user, name: str, expires_days: int | None = None) -> NewToken:
    """Make a token for ``user``; the secret is in the result and nowhere else."""
    name = " ".join((name or "").split())[:100]
    if not name:
        raise TokenError("Give the token a name, e.g. “nightly export”.")
    expires_at = None
    if expires_days is not None:
        if not 1 <= expires_days <= MAX_EXPIRY_DAYS:
            raise TokenError(f"A token expires after 1 to {MAX_EXPIRY_DAYS} days, or never.")
        expires_at = timezone.now() + dt.timedelta(days=expires_days)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:SHOWN_PREFIX], digest=digest(secret),
        password_mark=password_mark(user), expires_at=expires_at,
    )
    return NewToken(token=token, secret=secret)


def why_not_valid(token: ApiToken, *, now=None) -> str | None:
    """Why ``token`` no longer lets its owner in, or None while it does."""
    now = now or timezone.now()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    if not token.user.is_active:
        return "owner deactivated"
    if token.password_mark != password_mark(token.user):
        return "password changed since"
    return None


def authenticate(secret: str) -> ApiToken:
    """The token whose secret is ``secret``, with its ``user``; TokenError when it does not let anyone in."""
    if not secret.startswith(TOKEN_PREFIX):
        raise TokenError("This is not a Factmark API token.")
    token = ApiToken.objects.select_related("user").filter(digest=digest(secret)).first()
    if token is None:
        raise TokenError("Unknown API token.")
    reason = why_not_valid(token)
    if reason:
        raise TokenError(f"This API token no longer works: {reason}.")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(user):
    return ApiToken.objects.filter(user=user).select_related("user").order_by("-created_at", "-id")


def revoke(token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
