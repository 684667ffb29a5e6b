"""The API's role matrix: every operation of the API (read from its URL patterns, through
the schema Ninja builds from them), for every role, on the caller's own project and on
someone else's.

``MINIMUM_ROLE`` says which role each operation needs; an operation missing from it fails
``test_every_operation_has_a_minimum_role``, so a new endpoint cannot ship without someone
deciding who may use it.  Then, with a token: someone else's project (its slug, or the ids
of its sets, spans and relations) is 404 for every role; in the caller's own project a role
below the minimum is 403 and the others get through (2xx, or 409/422 for what the write
itself refuses).  Without a token every operation is 401.  Each request runs in a
savepoint that is rolled back.
"""

from __future__ import annotations

import json
import re

import pytest
from django.db import transaction
from django.urls import URLPattern

from annotator.api.urls import api
from annotator.spans import span_delete
from articles.models import ROLE_RANK, Role
from tests.factories import make_article, make_entity, make_project, make_relation, make_set, make_span, make_user

from .conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db

SIGNED_IN = "signed-in"
ANNOTATOR, REVIEWER, MANAGER = Role.ANNOTATOR, Role.REVIEWER, Role.MANAGER
QUOTE = "Russia and the Republic of Korea are strategic partners"

MINIMUM_ROLE = {
    "GET /projects": SIGNED_IN,
    "GET /projects/{slug}": ANNOTATOR,
    "GET /projects/{slug}/labels": ANNOTATOR,
    "GET /projects/{slug}/relation-types": ANNOTATOR,
    "GET /projects/{slug}/entities": ANNOTATOR,
    "GET /projects/{slug}/progress": REVIEWER,
    "GET /projects/{slug}/agreement": REVIEWER,
    "GET /projects/{slug}/articles": ANNOTATOR,
    "POST /projects/{slug}/articles": MANAGER,
    "POST /projects/{slug}/articles/batch": MANAGER,
    "GET /projects/{slug}/articles/{article_id}": ANNOTATOR,
    "POST /projects/{slug}/articles/{article_id}/set": ANNOTATOR,
    "GET /projects/{slug}/export": ANNOTATOR,
    "POST /projects/{slug}/import": MANAGER,
    # On the caller's own set: every member works on their own annotations.
    "POST /sets/{set_id}/spans": ANNOTATOR,
    "PATCH /spans/{span_id}": ANNOTATOR,
    "DELETE /spans/{span_id}": ANNOTATOR,
    "POST /sets/{set_id}/relations": ANNOTATOR,
    "DELETE /relations/{relation_id}": ANNOTATOR,
    "POST /sets/{set_id}/submit": ANNOTATOR,
}

JSONL = json.dumps({"id": "imported-1", "text": "Imported text. Second sentence.", "annotations": []}) + "\n"


def operations() -> list[tuple[str, str]]:
    """(METHOD, path) of every operation, from the API's URL patterns."""
    patterns, _, _ = api.urls
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", "/" + str(p.pattern)) for p in patterns
              if isinstance(p, URLPattern) and p.name not in ("api-root", "openapi-json", "openapi-view")}
    found = []
    for path, methods in api.get_openapi_schema(path_prefix="")["paths"].items():
        assert path in routes, path
        found += [(method.upper(), path) for method in methods]
    return found


def body(method: str, path: str, values: dict) -> dict:
    """A request that passes the schema, so that what answers is the permission check."""
    key = f"{method} {path}"
    start = values["text"].index("Seoul") if "Seoul" in values["text"] else 0
    bodies = {
        "POST /projects/{slug}/articles": {"text": "A new article. It says something."},
        "POST /projects/{slug}/articles/batch": {"articles": [{"text": "First one."}, {"text": "Second one."}]},
        "POST /sets/{set_id}/spans": {"label": "Actor", "start": start, "end": start + 5,
                                      "text": values["text"][start:start + 5]},
        "PATCH /spans/{span_id}": {"version": 1, "note": "checked"},
        "POST /sets/{set_id}/relations": {"type": "said_by", "source": values["span_id"],
                                          "target": values["actor_id"]},
    }
    if key == "POST /projects/{slug}/import":
        from django.core.files.uploadedfile import SimpleUploadedFile

        return {"data": {"file": SimpleUploadedFile("data.jsonl", JSONL.encode()), "format": "jsonl"}}
    if key == "GET /projects/{slug}/export":
        return {"data": {"format": "jsonl"}}
    if key in bodies:
        return {"data": json.dumps(bodies[key]), "content_type": "application/json"}
    assert method in ("GET", "DELETE") or key.endswith(("/set", "/submit")), f"give test_roles.body a body for {key}"
    return {}


def place(project, owner) -> dict:
    """``owner``'s set on an article of ``project``: a quote, its speaker, a relation, an entity."""
    article = make_article(project)
    annotation_set = make_set(article, owner)
    quote = make_span(annotation_set, "Quote", QUOTE)
    actor = make_span(annotation_set, "Actor", "Jong Ui Young")
    relation = make_relation(annotation_set, "said_by", quote, actor)
    span_delete(span=make_span(annotation_set, "Cue", "said"), user=owner)
    make_entity(project, "Sergei Lavrov")
    return {"slug": project.slug, "article_id": article.pk, "set_id": annotation_set.pk, "span_id": quote.pk,
            "actor_id": actor.pk, "relation_id": relation.pk, "text": article.text}


def call(client: ApiClient, method: str, path: str, values: dict) -> int:
    url = "/api/v1" + re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path)
    with transaction.atomic():
        send = getattr(client.client, method.lower())
        status = send(url, headers=client.headers, **body(method, path, values)).status_code
        transaction.set_rollback(True)
    return status


def expected(role: str, needed: str) -> str:
    if needed == SIGNED_IN:
        return "allowed"
    return "allowed" if ROLE_RANK[role] >= ROLE_RANK[needed] else "forbidden"


def outcome(status: int) -> str:
    if status == 404:
        return "not found"
    if status == 403:
        return "forbidden"
    if status < 400 or status in (409, 422):
        return "allowed"
    return f"status {status}"


def test_every_operation_has_a_minimum_role():
    names = {f"{method} {path}" for method, path in operations()}
    assert names, "the API has no operation"
    assert not sorted(names - MINIMUM_ROLE.keys()), "add these to MINIMUM_ROLE in tests/annotator/api/test_roles.py"
    assert not sorted(MINIMUM_ROLE.keys() - names), "these operations no longer exist: remove them from MINIMUM_ROLE"


@pytest.mark.parametrize("role", [ANNOTATOR, REVIEWER, MANAGER])
def test_role_matrix(project, annotator, reviewer, manager, role):
    user = {ANNOTATOR: annotator, REVIEWER: reviewer, MANAGER: manager}[role]
    client = ApiClient(token_for(user))
    stranger = make_user("stranger")
    elsewhere = place(make_project(slug="elsewhere", members=[(stranger, Role.MANAGER)]), stranger)
    own = place(project, user)
    wrong = []
    for method, path in operations():
        needed = MINIMUM_ROLE[f"{method} {path}"]
        got, want = outcome(call(client, method, path, own)), expected(role, needed)
        if got != want:
            wrong.append(f"{method} {path} (own project): expected {want}, got {got}")
        if needed != SIGNED_IN:
            got = outcome(call(client, method, path, elsewhere))
            if got != "not found":
                wrong.append(f"{method} {path} (someone else's project): expected not found, got {got}")
    assert not wrong, f"As {role}:\n" + "\n".join(wrong)


def test_without_a_token_every_operation_is_401(project, annotator):
    values = place(project, annotator)
    anonymous = ApiClient(None)
    for method, path in operations():
        assert call(anonymous, method, path, values) == 401, (method, path)


def test_superusers_act_as_managers_everywhere(project):
    root = make_user("root", is_superuser=True, is_staff=True)
    client = ApiClient(token_for(root))
    assert client.get(f"/api/v1/projects/{project.slug}/progress").status_code == 200
    assert client.get("/api/v1/projects").json()[0]["role"] == "manager"
    assert client.get("/api/v1/projects/no-such-project").status_code == 404
