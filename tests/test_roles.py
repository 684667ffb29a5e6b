"""The role matrix: every route of the URL resolver, for every role.

``MINIMUM_ROLE`` says which role each route needs.  A route that is not in the
table fails ``test_every_route_has_a_minimum_role``, so a new view cannot ship
without someone deciding who may use it.  Then, for outsider, annotator,
reviewer and manager: outsiders get 404, a role below the minimum gets 403 with
a message, and the others get through (any answer but 403/404/5xx; bad input may
say 409 or 422).  Routes on a set or span act on the role's own set, so "gets
through" means "may work on their own annotations"; reading and writing other
people's sets is tested in tests/annotator.

Every request runs in a savepoint that is rolled back, so one route's effect
(a deleted span, a submitted set) cannot hide another route's answer.
"""

import pytest
from django.db import transaction
from django.urls import reverse

from annotator.spans import span_delete
from articles.models import ROLE_RANK, Role
from tests.factories import make_entity, make_relation, make_set, make_span
from tests.test_urls import all_patterns, fill

pytestmark = pytest.mark.django_db

PUBLIC = "public"  # no login needed
SIGNED_IN = "signed-in"  # any logged-in user, no project involved
ANNOTATOR, REVIEWER, MANAGER = Role.ANNOTATOR, Role.REVIEWER, Role.MANAGER

MINIMUM_ROLE = {
    "login": PUBLIC,
    "healthz": PUBLIC,  # load balancers
    "readyz": PUBLIC,
    "logout": SIGNED_IN,
    "project-list": SIGNED_IN,
    "project-create": SIGNED_IN,  # staff only, tested in tests/articles/test_management.py
    "account-tokens": SIGNED_IN,  # one's own API tokens
    "project-detail": ANNOTATOR,
    "project-import": MANAGER,
    "project-guidelines": ANNOTATOR,
    # Running the project from the app: settings, members and roles, schema
    "project-settings": MANAGER,
    "project-members": MANAGER,
    "member-change": MANAGER,
    "member-remove": MANAGER,
    # The knowledge base of actors: every member reads it, reviewers and managers curate it
    "entities": ANNOTATOR,
    "entity-create": REVIEWER,
    "entity-edit": REVIEWER,
    "entity-merge": REVIEWER,
    "entity-delete": REVIEWER,
    "project-labels": MANAGER,
    "label-edit": MANAGER,
    "label-delete": MANAGER,
    "relation-type-create": MANAGER,
    "relation-type-delete": MANAGER,
    "workspace": ANNOTATOR,
    "next-article": ANNOTATOR,
    "label-css": ANNOTATOR,
    # Review into gold
    "review": REVIEWER,
    "review-next": REVIEWER,
    "review-accept": REVIEWER,
    "review-decide": REVIEWER,
    "review-gold": REVIEWER,
    "review-send-back": REVIEWER,
    # Assignment
    "assignments": MANAGER,
    "assignments-assign": MANAGER,
    "assignments-unassign": MANAGER,
    "assignments-release": MANAGER,
    # Datasets: every member exports, managers import
    "datasets": ANNOTATOR,
    "dataset-export": ANNOTATOR,
    "dataset-import": MANAGER,
    # Progress and agreement
    "dashboard": REVIEWER,
    # Suggestions: their quality and settings (managers)
    "suggestions": MANAGER,
    "suggestions-settings": MANAGER,
    "agreement": REVIEWER,
    "article-history": ANNOTATOR,  # annotators see their own events only
    # The workspace, on the user's own set
    "span-create": ANNOTATOR,
    "relation-create": ANNOTATOR,
    "set-submit": ANNOTATOR,
    "set-reopen": ANNOTATOR,
    "span-restore": ANNOTATOR,
    "set-undo": ANNOTATOR,
    "set-redo": ANNOTATOR,
    "span-panel": ANNOTATOR,
    "span-update": ANNOTATOR,
    "span-delete": ANNOTATOR,
    "span-entity": ANNOTATOR,
    "entity-search": ANNOTATOR,
    "relation-targets": ANNOTATOR,
    "relation-delete": ANNOTATOR,
}

ROLES = ["outsider", ANNOTATOR, REVIEWER, MANAGER]
HX = {"HTTP_HX_REQUEST": "true"}


def project_routes():
    return [(route, name) for route, name in all_patterns() if MINIMUM_ROLE.get(name) not in (PUBLIC, SIGNED_IN)]


def test_every_route_has_a_minimum_role():
    names = {name for _, name in all_patterns()}
    missing = sorted(names - MINIMUM_ROLE.keys())
    assert not missing, f"Add these routes to MINIMUM_ROLE in tests/test_roles.py: {missing}"
    gone = sorted(MINIMUM_ROLE.keys() - names)
    assert not gone, f"These routes no longer exist; remove them from MINIMUM_ROLE: {gone}"


@pytest.fixture
def users(annotator, reviewer, manager, outsider):
    return {"outsider": outsider, ANNOTATOR: annotator, REVIEWER: reviewer, MANAGER: manager}


def objects_of(user, project, article):
    """A set of ``user``'s own on the article, with spans, a relation and an undoable deletion."""
    annotation_set = make_set(article, user)
    quote = make_span(annotation_set, "Quote", "Russia and the Republic of Korea are strategic partners")
    actor = make_span(annotation_set, "Actor", "Jong Ui Young")
    relation = make_relation(annotation_set, "said_by", quote, actor)
    gone = make_span(annotation_set, "Cue", "said")
    event = span_delete(span=gone, user=user)
    return {
        "slug": project.slug,
        "article_id": article.pk,
        "set_id": annotation_set.pk,
        "span_id": quote.pk,
        "relation_id": relation.pk,
        "event_id": event.pk,
        "membership_id": project.memberships.filter(role=Role.ANNOTATOR).exclude(user=user).first().pk,
        "label_id": quote.label_id,
        "type_id": relation.type_id,
        "entity_id": make_entity(project, "Sergei Lavrov", aliases=["Lavrov"]).pk,
    }


def answer(client, method, url, **extra):
    with transaction.atomic():
        status = getattr(client, method)(url, **extra).status_code
        transaction.set_rollback(True)
    return status


def expected(role, name):
    needed = MINIMUM_ROLE[name]
    if role == "outsider":
        return "not found"
    return "allowed" if ROLE_RANK[role] >= ROLE_RANK[needed] else "forbidden"


def outcome(statuses):
    served = statuses - {405}
    if not served:
        return f"no method served: {statuses}"
    if served == {404}:
        return "not found"
    if served == {403}:
        return "forbidden"
    if all(s < 400 or s in (400, 409, 422) for s in served):
        return "allowed"
    return f"statuses {sorted(statuses)}"


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(client, project, article, users, role):
    user = users[role]
    owner = users[ANNOTATOR] if role == "outsider" else user
    values = objects_of(owner, project, article)
    client.force_login(user)
    wrong = []
    for route, name in project_routes():
        try:
            url = fill(route, values)
        except KeyError as missing:
            pytest.fail(f"{name}: give test_roles.objects_of a value for the URL parameter {missing}")
        statuses = {answer(client, "get", url), answer(client, "post", url)}
        got, want = outcome(statuses), expected(role, name)
        if got != want:
            wrong.append(f"{name} ({url}): expected {want}, got {got}")
    assert not wrong, f"As {role}:\n" + "\n".join(wrong)


def test_forbidden_says_why_on_a_page_and_in_short_for_htmx(client, project, annotator):
    client.force_login(annotator)
    url = reverse("assignments", args=[project.slug])
    page = client.get(url)
    assert page.status_code == 403
    body = page.content.decode()
    assert "<h1>Not allowed</h1>" in body
    assert "Only managers of “Newsroom” can do this; you are an annotator there." in body
    assert "Back to your projects" in body
    short = client.get(url, **HX)
    assert short.status_code == 403 and short["Content-Type"].startswith("text/plain")
    assert short.content.decode() == "Only managers of “Newsroom” can do this; you are an annotator there."


def test_superusers_act_as_managers(client, project):
    from tests.factories import make_user

    root = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get(reverse("assignments", args=[project.slug])).status_code == 200
    assert client.get(reverse("assignments", args=["no-such-project"])).status_code == 404
