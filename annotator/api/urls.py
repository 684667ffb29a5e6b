"""The API object and its URL patterns (``config.urls`` includes them at ``api/v1/``).

The API answers for itself who may call it (``auth``): a missing or bad token is a 401
problem document, never the login page, so its views are exempt from the site's
login-required middleware.  The schema and the documentation page are public.
"""

from __future__ import annotations

from django.urls import URLPattern

from . import annotations, articles, datasets, errors, projects
from .auth import SessionAuth, TokenAuth
from .openapi import Docs, FactmarkAPI

api = FactmarkAPI(
    title="Factmark API",
    version="1",
    description=(
        "Projects, articles, annotations and datasets of Factmark, for scripts. Authenticate with a personal "
        "token (`Authorization: Bearer <token>`, made on your API tokens page or with `manage.py api_token`) "
        "or, from the app's own pages, with the session cookie and the CSRF token. Errors are problem "
        "details (RFC 9457)."
    ),
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],
    docs=Docs(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
for router in (projects.router, articles.router, annotations.router, datasets.router):
    api.add_router("", router)


def _patterns():
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback.login_required = False  # as django.contrib.auth.decorators.login_not_required
    return patterns, app_name, namespace


urls = _patterns()
