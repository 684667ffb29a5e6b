"""Errors as JSON problem details (RFC 9457), one shape for every refusal of the API.

Every answer of 400 and above is ``application/problem+json``::

    {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
     "detail": "Nothing was saved: 2 of 3 articles were refused.",
     "errors": [{"item": 1, "field": "text", "message": "The text is empty."}]}

``errors`` lists a message per field (``field``, a dotted path into the request), per
record of an imported file (``record``) or per item of a batch (``item``, from 0).
The services' own refusals keep their status: ``ServiceError`` is 422, ``Conflict`` 409.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.responses import NinjaJSONEncoder

from articles.importing import ImportRefused

from ..errors import ServiceError

PROBLEM = "application/problem+json"


class Problem(Exception):
    """An API refusal: ``status``, a ``detail`` sentence and, optionally, ``errors``."""

    def __init__(self, status: int, detail: str, *, errors: list[dict] | None = None, headers: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


def problem_response(status: int, detail: str, *, errors: list[dict] | None = None,
                     headers: dict | None = None) -> HttpResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
                            "detail": detail}
    if errors:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body, cls=NinjaJSONEncoder, ensure_ascii=False), status=status,
                            content_type=f"{PROBLEM}; charset=utf-8")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field_path(location: list) -> str:
    """``["body", "articles", 3, "text"]`` → ``articles.3.text`` (where it was: body, query, path)."""
    parts = [str(part) for part in location[1:]] if location and location[0] in ("body", "query", "path", "form",
                                                                                   "file") else map(str, location)
    return ".".join(parts) or "body"


def validation_errors(exc: ValidationError) -> list[dict]:
    errors = []
    for error in exc.errors:
        location = list(error.get("loc") or [])
        if len(location) >= 2 and location[0] == "body" and location[1] == "payload":
            location = ["body", *location[2:]]  # the body parameter's own name says nothing
        errors.append({"field": _field_path(location), "message": error.get("msg", "Invalid value.")})
    return errors


def install(api) -> None:
    """Answer every error of ``api`` with a problem document."""

    def on_problem(request, exc: Problem):
        return problem_response(exc.status, exc.detail, errors=exc.errors, headers=exc.headers)

    def on_validation(request, exc: ValidationError):
        errors = validation_errors(exc)
        return problem_response(422, "The request does not have the expected shape; nothing was changed.",
                                errors=errors)

    def on_service(request, exc: ServiceError):
        return problem_response(exc.status, " ".join(exc.messages) or "Refused.",
                                errors=[{"message": message} for message in exc.messages])

    def on_import(request, exc: ImportRefused):
        return problem_response(422, f"Nothing was imported: {len(exc.errors)} problem(s).",
                                errors=[{"record": message.split(": ", 1)[0], "message": message}
                                        for message in exc.errors])

    def on_auth(request, exc: AuthenticationError):
        return problem_response(401, "Send a valid API token (Authorization: Bearer <token>) or log in.",
                                headers={"WWW-Authenticate": 'Bearer realm="factmark"'})

    def on_http(request, exc: HttpError):
        return problem_response(exc.status_code, str(exc))

    def on_denied(request, exc: PermissionDenied):
        return problem_response(403, str(exc) or "You are not allowed to do this.")

    def on_missing(request, exc: Http404):
        return problem_response(404, str(exc) if str(exc).endswith(".") else "Not found.")

    def on_overflow(request, exc: OverflowError):
        return problem_response(404, "Not found.")  # an id larger than any the database holds

    def on_too_big(request, exc: RequestDataTooBig):
        return problem_response(413, "The request body is larger than the API accepts.")

    for exc_class, handler in [(Problem, on_problem), (ValidationError, on_validation), (ServiceError, on_service),
                               (ImportRefused, on_import), (AuthenticationError, on_auth), (HttpError, on_http),
                               (PermissionDenied, on_denied), (Http404, on_missing),
                               (RequestDataTooBig, on_too_big), (OverflowError, on_overflow)]:
        api.add_exception_handler(exc_class, handler)
