"""Personal API tokens: made on the owner's page or with ``manage.py api_token``, shown once,
stored hashed; they stop working when revoked, expired, when the owner is deactivated or
changes their password; they act with the owner's roles only; a session works too, with
CSRF; and no token ever reaches a log or the event log."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from annotator.models import Event
from articles.models import ApiToken, Role
from articles.tokens import create_token, digest
from tests.factories import make_project, make_user

from .conftest import ApiClient

pytestmark = pytest.mark.django_db

PROJECTS = "/api/v1/projects"


def works(secret: str) -> int:
    return ApiClient(secret).get(PROJECTS).status_code


def test_a_token_is_stored_hashed_and_shown_once(annotator, project):
    new = create_token(user=annotator, name="scraper")
    token = ApiToken.objects.get()
    assert new.secret.startswith("fmk_") and len(new.secret) > 40
    assert token.digest == digest(new.secret) and new.secret not in str(ApiToken.objects.values().get())
    assert token.prefix == new.secret[:12]
    assert works(new.secret) == 200


def test_last_used_is_recorded(annotator):
    new = create_token(user=annotator, name="scraper")
    assert new.token.last_used_at is None
    works(new.secret)
    new.token.refresh_from_db()
    assert new.token.last_used_at is not None


@pytest.mark.parametrize("secret", ["", "nonsense", "fmk_" + "x" * 43, "Basic YWxhZGRpbjpvcGVu"])
def test_a_wrong_token_is_401_with_a_problem(secret):
    client = Client()
    response = client.get(PROJECTS, headers={"Authorization": f"Bearer {secret}" if secret else "Basic x"})
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["status"] == 401 and "WWW-Authenticate" in response


def test_revoked_tokens_stop_working(client, annotator):
    new = create_token(user=annotator, name="scraper")
    client.force_login(annotator)
    response = client.post(reverse("account-tokens"), {"revoke": new.token.pk})
    assert response.status_code == 302
    assert works(new.secret) == 401
    assert "revoked" in ApiClient(new.secret).get(PROJECTS).json()["detail"]


def test_someone_elses_token_cannot_be_revoked(client, annotator, other_annotator):
    new = create_token(user=other_annotator, name="theirs")
    client.force_login(annotator)
    client.post(reverse("account-tokens"), {"revoke": new.token.pk})
    assert works(new.secret) == 200


def test_expired_tokens_stop_working(annotator):
    new = create_token(user=annotator, name="short", expires_days=1)
    assert works(new.secret) == 200
    ApiToken.objects.filter(pk=new.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert works(new.secret) == 401


def test_a_deactivated_owners_tokens_stop_working(annotator):
    new = create_token(user=annotator, name="scraper")
    annotator.is_active = False
    annotator.save()
    assert works(new.secret) == 401
    annotator.is_active = True
    annotator.save()
    assert works(new.secret) == 200


def test_a_password_change_ends_the_tokens_made_before_it(annotator):
    """Decided: a changed password may mean a leaked one, which could have made tokens."""
    before = create_token(user=annotator, name="old")
    annotator.set_password("a-new-password-1")
    annotator.save()
    assert works(before.secret) == 401
    assert "password" in ApiClient(before.secret).get(PROJECTS).json()["detail"]
    after = create_token(user=annotator, name="new")
    assert works(after.secret) == 200


def test_a_token_acts_with_its_owners_roles_only(project, annotator, manager):
    mine = ApiClient(create_token(user=annotator, name="a").secret)
    assert mine.get(f"/api/v1/projects/{project.slug}/progress").status_code == 403
    assert mine.post(f"/api/v1/projects/{project.slug}/articles", {"text": "New."}).status_code == 403
    other = make_project(slug="other", members=[(manager, Role.MANAGER)])
    assert mine.get(f"/api/v1/projects/{other.slug}").status_code == 404
    assert [p["slug"] for p in mine.get(PROJECTS).json()] == [project.slug]


def test_a_session_works_with_csrf(project, manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    assert client.get(PROJECTS).status_code == 200
    url = f"/api/v1/projects/{project.slug}/articles"
    refused = client.post(url, {"text": "By session."}, content_type="application/json")
    assert refused.status_code == 403 and refused["Content-Type"].startswith("application/problem+json")
    page = client.get(reverse("account-tokens"))
    csrf = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    accepted = client.post(url, {"text": "By session."}, content_type="application/json",
                           headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 201


def test_the_token_page_makes_lists_and_revokes(client, annotator):
    client.force_login(annotator)
    page = client.get(reverse("account-tokens"))
    assert page.status_code == 200 and "You have no tokens yet" in page.content.decode()
    made = client.post(reverse("account-tokens"), {"name": "nightly export", "expires": "30"})
    assert made.status_code == 201 and "no-store" in made["Cache-Control"]
    token = ApiToken.objects.get(user=annotator)
    body = made.content.decode()
    secret = body.split('id="new-token-secret" value="', 1)[1].split('"', 1)[0]
    assert digest(secret) == token.digest and works(secret) == 200
    again = client.get(reverse("account-tokens")).content.decode()
    assert secret not in again and token.prefix in again and "nightly export" in again
    assert client.post(reverse("account-tokens"), {"name": " "}).status_code == 422


def test_the_top_bar_links_to_the_token_page(client, annotator):
    client.force_login(annotator)
    assert f'href="{reverse("account-tokens")}"' in client.get("/").content.decode()


def test_the_command_prints_a_token_once(annotator):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", annotator.username, "--name", "server", "--expires", "7", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert works(secret) == 200
    token = ApiToken.objects.get(user=annotator)
    assert token.name == "server" and token.expires_at is not None
    assert secret not in err.getvalue()
    with pytest.raises(CommandError):
        call_command("api_token", "nobody", "--name", "x", stdout=io.StringIO(), stderr=io.StringIO())


def test_admin_lists_and_revokes_tokens_for_superusers_only(client, annotator, manager):
    new = create_token(user=annotator, name="scraper")
    root = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(root)
    changelist = reverse("admin:articles_apitoken_changelist")
    page = client.get(changelist).content.decode()
    assert "scraper" in page and new.secret not in page
    client.post(changelist, {"action": "revoke_tokens", "_selected_action": [new.token.pk]})
    assert works(new.secret) == 401
    manager.is_staff = True
    manager.save()
    client.force_login(manager)
    assert client.get(changelist).status_code == 403
    assert ApiToken in admin.site._registry


def test_tokens_never_reach_the_logs_or_the_event_log(project, article, annotator, caplog):
    new = create_token(user=annotator, name="scraper")
    api = ApiClient(new.secret)
    caplog.set_level(logging.DEBUG)
    set_id = api.post(f"/api/v1/projects/{project.slug}/articles/{article.pk}/set").json()["id"]
    start = article.text.index("Seoul") if "Seoul" in article.text else article.text.index("Moscow")
    created = api.post(f"/api/v1/sets/{set_id}/spans", {"label": "Actor", "start": start, "end": start + 6,
                                                         "text": article.text[start:start + 6]})
    assert created.status_code == 201
    api.get(f"/api/v1/projects/{project.slug}/articles/999999")  # a 404, which Django logs
    ApiClient(new.secret[:-1] + "x").get(PROJECTS)  # a 401 with a wrong secret
    ApiClient("Token " + new.secret).get(PROJECTS)
    logged = "\n".join(record.getMessage() + str(record.args) + str(record.__dict__) for record in caplog.records)
    assert caplog.records and new.secret not in logged and new.secret[12:] not in logged
    events = list(Event.objects.values("data", "object_type"))
    assert events and new.secret not in str(events) and new.token.prefix not in str(events)
