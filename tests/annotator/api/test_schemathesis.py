"""The whole API against its own OpenAPI schema, property-based (Schemathesis), as each
role: no answer is a server error, and every answer — status, content type, headers and
body — is one the schema declares.

Path parameters are drawn from real objects (the caller's own set, span, relation and
article, and those of a project the caller is not in), so requests reach the services and
not only the 404 of a random id; query and body values are generated from the schema.
``EXAMPLES`` per operation keeps the run near half a minute; a failure prints the request
that reproduces it.
"""

from __future__ import annotations

import copy
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as run_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from annotator.api.urls import api
from annotator.spans import span_delete
from articles.models import Role
from tests.factories import make_article, make_entity, make_project, make_relation, make_set, make_span, make_user

from .conftest import token_for

pytestmark = pytest.mark.django_db

# FACTMARK_SCHEMATHESIS_EXAMPLES=200 runs a longer, randomised search (the default run is derandomised).
EXAMPLES = int(os.environ.get("FACTMARK_SCHEMATHESIS_EXAMPLES", 12))
RANDOM = bool(os.environ.get("FACTMARK_SCHEMATHESIS_EXAMPLES"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
QUOTE = "Russia and the Republic of Korea are strategic partners"


def objects(project, owner) -> dict[str, int | str]:
    article = make_article(project)
    annotation_set = make_set(article, owner)
    quote = make_span(annotation_set, "Quote", QUOTE)
    actor = make_span(annotation_set, "Actor", "Jong Ui Young", entity=make_entity(project, "Jong Ui Young"))
    relation = make_relation(annotation_set, "said_by", quote, actor)
    span_delete(span=make_span(annotation_set, "Cue", "said"), user=owner)
    return {"slug": project.slug, "article_id": article.pk, "set_id": annotation_set.pk, "span_id": quote.pk,
            "relation_id": relation.pk}


def pinned(raw: dict, choices: dict[str, list]) -> dict:
    """The schema with each path parameter limited to ``choices`` (real objects)."""
    raw = copy.deepcopy(raw)
    for operations in raw["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in choices:
                    parameter["schema"] = {"enum": choices[parameter["name"]]}
    return raw


@pytest.fixture
def connection_kept_open():
    """The WSGI app closes the database connection when a request starts and ends, as a server
    should; inside a test that connection holds the test's transaction (on PostgreSQL closing
    it loses everything).  Django's own test client disconnects the same handlers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", [Role.ANNOTATOR, Role.REVIEWER, Role.MANAGER])
@pytest.mark.usefixtures("connection_kept_open")
def test_the_api_keeps_to_its_schema(project, annotator, reviewer, manager, role, settings):
    settings.FACTMARK_API_RATE = 0  # the run makes hundreds of requests with one token
    user = {Role.ANNOTATOR: annotator, Role.REVIEWER: reviewer, Role.MANAGER: manager}[role]
    stranger = make_user("stranger")
    mine = objects(project, user)
    theirs = objects(make_project(slug="elsewhere", members=[(stranger, Role.MANAGER)]), stranger)
    choices = {key: [mine[key], theirs[key]] for key in mine}
    schema = schemathesis.openapi.from_dict(pinned(api.get_openapi_schema(), choices))
    schema.app = get_wsgi_application()
    headers = {"Authorization": f"Bearer {token_for(user)}", "Accept-Encoding": "identity"}
    count = 0
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @run_settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not RANDOM,
                      suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            nonlocal count
            count += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as failure:  # noqa: BLE001 - every operation is tried; all failures are reported
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
    print(f"Schemathesis as {role}: {count} requests over {len(list(schema.get_all_operations()))} operations")
    assert not failures, "\n\n".join(failures)
    assert count >= 100
