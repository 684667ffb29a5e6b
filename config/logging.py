"""Logs a log collector can read: with ``LOG_FORMAT=json`` every line is one JSON
object carrying the request id of the request it was written in.

``RequestIdMiddleware`` gives each request an id (the proxy's ``X-Request-ID`` when it
sends a sane one, else a new one), answers it in the ``X-Request-ID`` header, and
keeps it in a context variable for ``JsonFormatter``, so the lines of one request can
be found together across a load balancer's servers.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from django.core.signals import request_finished

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        request_id.set(rid)  # cleared when the response is finished: Django logs 4xx/5xx after us
        response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response


def _forget_request_id(**kwargs):
    request_id.set("")


request_finished.connect(_forget_request_id, dispatch_uid="config.logging.forget_request_id")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and the
    traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
