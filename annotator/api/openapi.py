"""The API object with its OpenAPI schema (``/api/v1/openapi.json``) and its
documentation page (``/api/v1/docs``: Swagger UI served from this site's own static
files, configured from a JSON block, so it runs under the site's Content-Security-Policy
with no inline script and nothing from another host)."""

from __future__ import annotations

from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from .errors import PROBLEM

# Every operation may answer these; the body is a problem document (errors.py).
ERRORS = {
    "400": "Bad request: a malformed cursor or query.",
    "401": "No valid API token (or session).",
    "403": "Your role in the project is too low, or CSRF failed for a session.",
    "404": "Not found, or outside your projects.",
    "409": "Conflict: someone changed it since you read it.",
    "413": "The request body is too large.",
    "422": "Bad input: every problem is listed in `errors`; nothing was changed.",
    "429": "Too many requests for this token; see Retry-After.",
}
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "item": {"type": "integer"}, "record": {"type": "string"},
            "message": {"type": "string"}}, "required": ["message"]}},
    },
}
PUBLIC = {"/api/v1/openapi.json", "/api/v1/docs"}


class Docs(DocsBase):
    """Swagger UI from ``ninja``'s static files, in a page of ours (CSP-safe: see module docstring)."""

    def render_page(self, request, api, **kwargs):
        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout", "deepLinking": True}
        return render(request, "api/docs.html", {"api": api, "swagger_settings": settings})


class FactmarkAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for operations in schema["paths"].values():
            for operation in operations.values():
                # Ninja keys its responses by number, the extras here by string: one key per status.
                given = operation.get("responses", {})
                responses = {str(k): v for k, v in given.items() if not isinstance(k, str)}
                responses.update({k: v for k, v in given.items() if isinstance(k, str)})
                operation["responses"] = responses
                for status, description in ERRORS.items():
                    responses[status] = {"description": description, "content": {
                        PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        return schema
