"""Who is calling: a personal API token (``Authorization: Bearer <token>``) or the
browser's session cookie (with Django's CSRF check on every unsafe method).

Either way ``request.user`` is the person, and every read and write goes through the
same permission checks as the pages: a token acts with its owner's roles, nothing more.
After the caller is known, two limits apply before the body is read:

- the rate limit, per token (per user for a session): ``FACTMARK_API_RATE`` requests per
  ``FACTMARK_API_RATE_SECONDS``, counted in Django's cache, then 429 with ``Retry-After``;
- the body size: ``FACTMARK_API_MAX_BODY_BYTES``, then 413 without reading it.

The token's secret is never written anywhere: not in logs, not in the event log, not
in an error message.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import APIKeyCookie
from ninja.security.http import HttpBearer

from articles.tokens import TokenError, authenticate

from .errors import Problem


def _limits(request: HttpRequest, key: str) -> None:
    """Refuse an oversize body (413) or a caller over its rate (429); then read the body."""
    rate = settings.FACTMARK_API_RATE
    if rate:
        window = settings.FACTMARK_API_RATE_SECONDS
        slot = int(time.time() // window)
        cache_key = f"api-rate:{key}:{slot}"
        cache.add(cache_key, 0, window + 5)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # the cache dropped the key meanwhile
            cache.set(cache_key, 1, window + 5)
            count = 1
        if count > rate:
            retry = max(1, int((slot + 1) * window - time.time()) + 1)
            raise Problem(429, f"Too many requests: at most {rate} every {window} s for each token. "
                               f"Try again in {retry} s.", headers={"Retry-After": str(retry)})
    limit = settings.FACTMARK_API_MAX_BODY_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise Problem(413, f"The request body has {length:,} bytes; the API accepts at most {limit:,}.")
    if length and not request.content_type.startswith("multipart/") and not hasattr(request, "_body"):
        # Read here, within the API's own limit, instead of DATA_UPLOAD_MAX_MEMORY_SIZE (sized for forms).
        request._body = request.read()


class TokenAuth(HttpBearer):
    """``Authorization: Bearer fmk_…``: a personal token (see ``articles.tokens``)."""

    def __call__(self, request: HttpRequest):
        value = request.headers.get("Authorization") or ""
        scheme, _, secret = value.partition(" ")
        if scheme.lower() != "bearer":
            return None  # not ours: let the session try (never logged: it may hold a secret)
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str):
        try:
            found = authenticate(token)
        except TokenError as refused:
            raise Problem(401, str(refused), headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from None
        request.user = found.user
        request.api_token = found
        _limits(request, f"token:{found.pk}")
        return found.user


class SessionAuth(APIKeyCookie):
    """The app's own session cookie; unsafe methods need the CSRF token (``X-CSRFToken``)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest):
        if request.headers.get("Authorization"):
            return None  # a token was sent and refused: the session does not stand in for it
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # 401, before any CSRF check
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        _limits(request, f"user:{user.pk}")
        return user
