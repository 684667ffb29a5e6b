"""The errors a write can end with.  Every service raises one of these when it
refuses a change, and nothing has been written when it does; ``status`` is the
HTTP answer the pages and the API give."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused change; nothing was written.  ``status`` is the HTTP answer."""

    status = 422

    def __init__(self, *messages: str):
        super().__init__(" ".join(messages))
        self.messages = list(messages)


class Conflict(ServiceError):
    """Someone changed the thing after the caller last saw it (HTTP 409): a stale
    version of a span, a review item decided meanwhile."""

    status = 409


class NeedsConfirmation(Conflict):
    """The change would throw work away; the caller must confirm it, naming how
    many spans go (``spans``)."""

    def __init__(self, message, *, spans: int):
        super().__init__(message)
        self.spans = spans
