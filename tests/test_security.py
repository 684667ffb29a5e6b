"""Security rules that hold on every page: headers, CSRF, access across projects and
roles, login lockout, sessions, the admin, hostile content and uploads.

Pages are found by walking the URL resolver (``tests.test_urls``), so a new route
is covered without touching this file; a route with a new kind of URL parameter
fails ``fill`` loudly until ``Place.values`` learns it.  Which role each route needs
(outsiders 404, a lower role 403) is tests/test_roles.py; here are the other
project's objects and the other annotator's work.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from annotator.admin_guard import PROJECT_PATHS, ManagedProjectsOnly
from annotator.formats import READABLE, WRITABLE
from annotator.models import AnnotationSet, Entity, Event, Label, Relation, RelationType, Span
from annotator.spans import span_delete
from articles.models import ApiToken, Article, Membership, Project, Role
from tests.factories import make_article, make_entity, make_project, make_relation, make_set, make_span, make_user
from tests.test_urls import all_patterns, fill

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
APP_DIRS = [ROOT / "annotator", ROOT / "articles"]
TEMPLATE_DIR = ROOT / "templates"
PUBLIC = {"login", "healthz", "readyz"}
GUARDED_MODELS = [Project, Membership, Article, Label, RelationType, Entity, AnnotationSet, Span, Relation, Event]


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # Password hashing is not under test here and the default hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# ---------------------------------------------------------------- the world

QUOTE = "Russia and the Republic of Korea are strategic partners"


@dataclass
class Place:
    """One project's objects, as URL parameters."""

    project: Project
    article: Article
    annotation_set: AnnotationSet
    span: Span
    relation: Relation
    event: Event
    membership_id: int
    entity_id: int

    def values(self, **override) -> dict:
        return {
            "slug": self.project.slug,
            "article_id": self.article.pk,
            "set_id": self.annotation_set.pk,
            "span_id": self.span.pk,
            "relation_id": self.relation.pk,
            "event_id": self.event.pk,
            "membership_id": self.membership_id,
            "label_id": self.span.label_id,
            "type_id": self.relation.type_id,
            "entity_id": self.entity_id,
        } | override


def build_place(project, owner, *, text=None, quote=QUOTE, actor="Jong Ui Young") -> Place:
    """An article of ``project`` with ``owner``'s set: two spans, a relation, an entity
    link and a deleted span (whose event the undo route needs)."""
    article = make_article(project, text) if text else make_article(project)
    annotation_set = make_set(article, owner)
    span = make_span(annotation_set, "Quote", quote, note=f"note on {quote}")
    speaker = make_span(annotation_set, "Actor", actor, entity=make_entity(project, actor, aliases=[actor.upper()]))
    relation = make_relation(annotation_set, "said_by", span, speaker)
    gone = make_span(annotation_set, "Cue", actor)
    event = span_delete(span=gone, user=owner)
    membership = project.memberships.get(user=owner)
    return Place(project, article, annotation_set, span, relation, event, membership.pk, speaker.entity_id)


@pytest.fixture
def superuser(db):
    return make_user("root", is_superuser=True, is_staff=True)


@pytest.fixture
def home(project, annotator):
    """Project "news" (conftest: annotator, other annotator, reviewer, manager) with the annotator's work."""
    return build_place(project, annotator)


@pytest.fixture
def elsewhere(db):
    """A second project that none of the conftest users belongs to."""
    stranger = make_user("stranger")
    other = make_project(slug="elsewhere", name="Elsewhere", members=[(stranger, Role.MANAGER)])
    return build_place(other, stranger)


def routes():
    """(route, name) of every non-admin URL pattern."""
    return list(all_patterns())


def get_pages(values) -> list[str]:
    """Every GET page of the resolver filled with ``values``."""
    return [fill(route, values) for route, name in routes() if name != "logout"]


def admin_pages() -> list[str]:
    """Index, and changelist, add, change, history and delete pages of every registered model."""
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        meta = model._meta
        prefix = f"admin:{meta.app_label}_{meta.model_name}"
        pages.append(reverse(f"{prefix}_changelist"))
        pages.append(reverse(f"{prefix}_add"))
        for obj in model._default_manager.order_by("pk")[:3]:
            for view in ("change", "history", "delete"):
                pages.append(reverse(f"{prefix}_{view}", args=[obj.pk]))
    return pages


def in_project(model, project):
    """The rows of ``model`` that belong to ``project``."""
    path = PROJECT_PATHS[model]
    return model._default_manager.filter(**{f"{path}__pk" if path else "pk": project.pk})


def snapshot(*models_):
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models_}


# ---------------------------------------------------------------- headers and CSP

CSP_REQUIRED = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "img-src": {"'self'", "data:"},
    "style-src": {"'self'"},
}


def parse_csp(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = set(words[1:])
    return directives


def assert_security_headers(response, where):
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert response["X-Frame-Options"] == "DENY", where
    assert "Content-Security-Policy-Report-Only" not in response, where
    policy = parse_csp(response["Content-Security-Policy"])
    for directive, sources in CSP_REQUIRED.items():
        assert policy.get(directive) == sources, (where, directive, policy.get(directive))
    for directive, sources in policy.items():
        unsafe = {s for s in sources if s.startswith("'unsafe-") or s in {"*", "http:", "https:"}}
        assert not unsafe, (where, directive, unsafe)


def test_every_page_and_fragment_carries_the_security_headers(client, home, superuser, annotator):
    anonymous = Client()
    for url in ["/login/", "/no-such-page/", *get_pages(home.values())]:
        assert_security_headers(anonymous.get(url), url)
    for user in (superuser, annotator):
        client.force_login(user)
        for url in get_pages(home.values()):
            assert_security_headers(client.get(url), url)
            assert_security_headers(client.get(url, HTTP_HX_REQUEST="true"), f"{url} (htmx)")
            assert_security_headers(client.post(url), f"POST {url}")


def test_admin_pages_carry_the_security_headers(client, home, superuser):
    client.force_login(superuser)
    for url in admin_pages():
        assert_security_headers(client.get(url), url)


def test_htmx_is_configured_not_to_evaluate_anything(client):
    page = client.get("/login/").content.decode()
    match = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert match, "base.html has no htmx-config meta element"
    config = json.loads(match.group(1))
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False
    assert config["selfRequestsOnly"] is True
    assert config["historyCacheSize"] == 0


def test_pages_have_no_inline_script_or_style(client, home, superuser):
    """What the policy forbids, the pages must not need (the browser test checks the rest)."""
    client.force_login(superuser)
    for url in get_pages(home.values()):
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        page = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert "<style" not in page, url
        assert not re.search(r"\sstyle=", page), url
        assert not re.search(r"\son[a-z]+=", page), url


# ---------------------------------------------------------------- downloads and uploads are never inline

INLINE_TYPES = ("text/html", "text/css")


def test_every_download_is_an_attachment(client, home, manager):
    """Any GET answer that is not a page or a stylesheet is sent as a download; export
    routes are asked for every format they write."""
    client.force_login(manager)
    downloads = 0
    for route, name in routes():
        if name in PUBLIC:
            continue  # the login page and the health answers are no downloads
        url = fill(route, home.values())
        queries = [""]
        if "export" in (name or "") or "download" in (name or ""):
            queries += [f"?format={fmt}&sets=all" for fmt in WRITABLE]
        for query in queries:
            response = client.get(url + query)
            if response.status_code != 200 or response["Content-Type"].startswith(INLINE_TYPES):
                continue
            downloads += 1
            disposition = response.get("Content-Disposition", "")
            assert disposition.startswith("attachment;"), (url + query, disposition)
            assert response["X-Content-Type-Options"] == "nosniff"
            if response.streaming:
                b"".join(response.streaming_content)
    assert downloads >= len(WRITABLE) - 1, "the export route was not found or served nothing"


def test_nothing_serves_stored_files():
    """Uploads are read in memory (or Django's own temporary files) and never kept as files:
    no model has a file field and no route serves a media folder."""
    for model in apps.get_models():
        if model._meta.app_label in {"annotator", "articles"}:
            for field in model._meta.get_fields():
                assert not isinstance(field, models.FileField | models.FilePathField), (model, field.name)
    for route, _ in all_patterns():
        assert "media" not in route, route
    for path in python_files():
        if path.name == "settings.py":
            continue  # names the storage backends Django needs, which no code here uses
        text = path.read_text()
        for needle in ("default_storage", "FileSystemStorage", "storages[", "static.serve"):
            assert needle not in text, (path, needle)


# ---------------------------------------------------------------- CSRF and methods


def test_no_view_is_csrf_exempt():
    for path in python_files():
        assert "csrf_exempt" not in path.read_text(), path


def test_every_post_without_a_csrf_token_is_refused(home, superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    urls = [fill(route, home.values()) for route, _ in routes()] + admin_pages()
    for url in urls:
        response = client.post(url, {"label": "1", "start": "0", "end": "5", "text": "South"})
        assert response.status_code == 403, (url, response.status_code)
        response = client.post(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 403, (url, "htmx", response.status_code)
    # With the token the same client gets through: the refusals above were CSRF's.
    token = client.get("/").context["csrf_token"]
    assert client.post("/logout/", {"csrfmiddlewaretoken": str(token)}).status_code == 302


def test_login_form_needs_a_csrf_token_too(superuser):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "root", "password": "factmark"}).status_code == 403


def test_get_requests_change_no_annotation_data(client, home, superuser, manager, annotator):
    """State changes are POSTs.  (Opening an article may create the visitor's own empty set.)"""
    before = snapshot(Project, Membership, Article, Label, RelationType, Entity, Span, Relation)
    sets_before = snapshot(AnnotationSet)["AnnotationSet"]
    for user in (superuser, manager, annotator):
        client.force_login(user)
        for url in get_pages(home.values()):
            client.get(url)
            client.get(url, HTTP_HX_REQUEST="true")
    assert snapshot(Project, Membership, Article, Label, RelationType, Entity, Span, Relation) == before
    after = {row["id"]: row for row in snapshot(AnnotationSet)["AnnotationSet"]}
    for row in sets_before:
        assert after[row["id"]] == row


# ---------------------------------------------------------------- access across projects and roles


def test_objects_of_another_project_are_404_everywhere(client, home, elsewhere, manager, annotator):
    """A member of one project asks for every route with the objects of a project they
    are not in, and with their own project's slug but the other's ids: 404 (405 for the
    method the route does not serve), and the other project is untouched.  With their own
    slug a route may refuse their role first (403), exactly as it does for their own ids,
    which says nothing about the other project."""
    watched = (Article, AnnotationSet, Span, Relation, Entity, Label, Event)
    before = {m.__name__: list(in_project(m, elsewhere.project).values()) for m in watched}
    for user in (manager, annotator):
        client.force_login(user)
        for route, name in routes():
            if name in PUBLIC | {"logout", "project-list", "project-create", "account-tokens"}:
                continue
            params = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
            combos = [elsewhere.values()]
            if params - {"slug"}:
                combos.append(elsewhere.values(slug=home.project.slug))
            for values in combos:
                url = fill(route, values)
                statuses = {client.get(url).status_code, client.post(url).status_code,
                            client.get(url, HTTP_HX_REQUEST="true").status_code}
                if values["slug"] == home.project.slug and 403 in statuses:
                    own = fill(route, home.values())
                    assert {client.get(own).status_code, client.post(own).status_code} <= {403, 405}, (name, url)
                    statuses.discard(403)
                    statuses.add(404)
                assert 404 in statuses and statuses <= {404, 405}, (user.username, name, url, statuses)
    after = {m.__name__: list(in_project(m, elsewhere.project).values()) for m in watched}
    assert after == before


def test_annotators_cannot_reach_each_others_work(client, home, project, other_annotator, annotator):
    """Every route with another annotator's set, spans and relations: refused (404, or 403
    where the route needs a higher role first), and their work is untouched."""
    theirs = build_place(project, other_annotator, quote="the South Korean minister", actor="Sergei Lavrov")
    before = snapshot(Span, Relation, AnnotationSet)
    client.force_login(annotator)
    for route, name in routes():
        params = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        if not params & {"set_id", "span_id", "relation_id", "event_id"}:
            continue
        url = fill(route, theirs.values())
        for response in (client.get(url), client.post(url), client.post(url, HTTP_HX_REQUEST="true")):
            assert response.status_code in {403, 404, 405}, (name, url, response.status_code)
    assert snapshot(Span, Relation, AnnotationSet) == before


# ---------------------------------------------------------------- login brute force


def login(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_lockout_after_five_failures_refuses_even_the_right_password(client, annotator):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert login(client, "ann", "wrong").status_code == 200
    assert not logged_in(client)
    fifth = login(client, "ann", "wrong")
    assert fifth.status_code == 429
    response = login(client, "ann", "factmark")
    assert response.status_code == 429
    assert not logged_in(client)
    page = response.content.decode()
    assert 'id="locked-out"' in page and "Too many failed logins" in page
    assert "15 minutes" in page
    assert 'name="password"' in page  # still the login page, with the form


def test_lockout_is_per_username_and_address(client, annotator, other_annotator):
    for _ in range(5):
        login(client, "ann", "wrong")
    assert login(client, "ann", "factmark").status_code == 429
    # The same account from another address, and another account from this one, still log in.
    assert login(Client(), "ann", "factmark", REMOTE_ADDR="10.1.2.3").status_code == 302
    other = Client()
    assert login(other, "ann2", "factmark").status_code == 302 and logged_in(other)


def test_lockout_ends_after_the_cool_off(client, annotator):
    for _ in range(5):
        login(client, "ann", "wrong")
    assert login(client, "ann", "factmark").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert login(client, "ann", "factmark").status_code == 302
    assert logged_in(client)


def test_lockout_says_the_same_for_an_unknown_account(client):
    for _ in range(5):
        login(client, "nobody-here", "wrong")
    response = login(client, "nobody-here", "wrong")
    assert response.status_code == 429 and "Too many failed logins" in response.content.decode()


def test_admin_login_is_locked_out_too(client, superuser):
    for _ in range(5):
        client.post("/admin/login/", {"username": "root", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "root", "password": "factmark"})
    assert response.status_code == 429 and not logged_in(client)


def test_a_successful_login_clears_earlier_failures(client, annotator):
    for _ in range(4):
        login(client, "ann", "wrong")
    assert login(client, "ann", "factmark").status_code == 302
    client.post("/logout/")
    for _ in range(4):
        login(client, "ann", "wrong")
    assert login(client, "ann", "factmark").status_code == 302


# ---------------------------------------------------------------- sessions


def test_login_gets_a_new_session_key(client, annotator):
    session = client.session
    session["before"] = "login"
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert login(client, "ann", "factmark").status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def client_with_cookie(value) -> Client:
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = value
    return thief


def test_after_logout_the_old_cookie_gets_nothing(client, home, annotator):
    login(client, "ann", "factmark")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    workspace = fill("p/<slug:slug>/a/<int:article_id>/", home.values())
    assert client_with_cookie(cookie).get(workspace).status_code == 200
    assert client.post("/logout/").status_code == 302
    for url in ("/", workspace, f"/spans/{home.span.pk}/"):
        response = client_with_cookie(cookie).get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    assert client_with_cookie(cookie).post(f"/sets/{home.annotation_set.pk}/submit/").status_code == 302
    home.annotation_set.refresh_from_db()
    assert home.annotation_set.status != "submitted"


def test_a_deactivated_users_session_gets_nothing(client, home, annotator):
    login(client, "ann", "factmark")
    assert client.get("/").status_code == 200
    annotator.is_active = False
    annotator.save()
    for url in ("/", f"/spans/{home.span.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    response = client.post(f"/spans/{home.span.pk}/delete/")
    assert response.status_code == 302
    assert Span.objects.filter(pk=home.span.pk).exists()


def test_a_password_change_ends_other_sessions(client, annotator):
    login(client, "ann", "factmark")
    annotator.set_password("a-new-long-passphrase")
    annotator.save()
    assert client.get("/").status_code == 302


def test_idle_sessions_expire_and_working_ones_do_not(client, annotator):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    login(client, "ann", "factmark")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get("/").status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/").status_code == 302


# ---------------------------------------------------------------- the admin


def staff_user(username, *codenames, superuser=False):
    user = make_user(username, is_staff=True, is_superuser=superuser)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def user_form(user, **changes) -> dict:
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "is_active": "on", "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2024-01-01", "initial-date_joined_1": "00:00:00",
    }
    return data | changes


ALL_AUTH = ["view_user", "change_user", "add_user", "delete_user", "view_group", "change_group", "add_group"]


def test_staff_cannot_make_themselves_superuser(client):
    clerk = staff_user("clerk", *ALL_AUTH)
    client.force_login(clerk)
    every_permission = list(Permission.objects.values_list("pk", flat=True))
    group = Group.objects.create(name="everything")
    group.permissions.set(every_permission)
    response = client.post(
        reverse("admin:auth_user_change", args=[clerk.pk]),
        user_form(clerk, first_name="Clerk", is_superuser="on", is_staff="on",
                  user_permissions=every_permission, groups=[group.pk]),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    clerk.refresh_from_db()
    assert clerk.first_name == "Clerk"  # the rest of the form still works
    assert not clerk.is_superuser
    assert set(clerk.user_permissions.values_list("codename", flat=True)) == set(ALL_AUTH)
    assert not clerk.groups.exists()


def test_staff_cannot_make_another_user_staff_or_superuser(client):
    clerk = staff_user("clerk", *ALL_AUTH)
    plain = make_user("plain")
    client.force_login(clerk)
    response = client.post(reverse("admin:auth_user_change", args=[plain.pk]),
                           user_form(plain, is_superuser="on", is_staff="on"))
    assert response.status_code == 302
    plain.refresh_from_db()
    assert not plain.is_superuser and not plain.is_staff


def test_staff_cannot_change_superusers_or_other_staff(client, superuser):
    clerk = staff_user("clerk", *ALL_AUTH)
    colleague = staff_user("colleague")
    client.force_login(clerk)
    for target in (superuser, colleague):
        change = reverse("admin:auth_user_change", args=[target.pk])
        assert client.post(change, user_form(target, username="taken-over")).status_code == 403
        password = reverse("admin:auth_user_password_change", args=[target.pk])
        assert client.post(password, {"password1": "x-new-pass-123", "password2": "x-new-pass-123",
                                      "usable_password": "true"}).status_code == 403
        assert client.post(reverse("admin:auth_user_delete", args=[target.pk]), {"post": "yes"}).status_code == 403
        target.refresh_from_db()
        assert target.username != "taken-over" and target.check_password("factmark")


def test_staff_cannot_change_a_groups_permissions(client):
    clerk = staff_user("clerk", *ALL_AUTH)
    group = Group.objects.create(name="clerks")
    clerk.groups.add(group)
    client.force_login(clerk)
    response = client.post(reverse("admin:auth_group_change", args=[group.pk]),
                           {"name": "clerks", "permissions": list(Permission.objects.values_list("pk", flat=True))})
    assert response.status_code == 403
    assert not group.permissions.exists()


def test_superusers_still_grant_privileges(client, superuser):
    plain = make_user("plain")
    client.force_login(superuser)
    response = client.post(reverse("admin:auth_user_change", args=[plain.pk]),
                           user_form(plain, is_staff="on", is_superuser="on"))
    assert response.status_code == 302
    plain.refresh_from_db()
    assert plain.is_superuser and plain.is_staff


def test_every_project_owned_model_admin_is_limited_to_managed_projects():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in {"annotator", "articles"} and model is not ApiToken:  # a person's, superusers only
            assert model in PROJECT_PATHS, f"{model.__name__}: add it to admin_guard.PROJECT_PATHS"
            assert isinstance(model_admin, ManagedProjectsOnly), model
            for inline in model_admin.inlines:
                assert issubclass(inline, ManagedProjectsOnly), inline


def test_staff_managers_see_only_their_projects_in_admin(client, home, elsewhere, manager):
    """A staff manager of "news" with every admin permission on the project models sees
    nothing of "elsewhere": not in lists, filters, choices, nor by id."""
    codenames = [f"{action}_{model._meta.model_name}" for model in GUARDED_MODELS
                 for action in ("view", "change", "add")]
    manager.is_staff = True
    manager.save()
    manager.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(manager)
    secret = elsewhere.project.name
    for model in [m for m in GUARDED_MODELS if admin.site.is_registered(m)]:
        meta = model._meta
        prefix = f"admin:{meta.app_label}_{meta.model_name}"
        page = client.get(reverse(f"{prefix}_changelist"))
        assert page.status_code == 200, model
        assert secret not in page.content.decode(), f"{model.__name__} list shows the other project"
        for obj in in_project(model, elsewhere.project)[:3]:
            response = client.get(reverse(f"{prefix}_change", args=[obj.pk]))
            assert response.status_code == 302 and response["Location"] == reverse("admin:index"), (model, obj.pk)
        mine = in_project(model, home.project).first()
        if mine is not None:
            assert client.get(reverse(f"{prefix}_change", args=[mine.pk])).status_code == 200, model
        add = client.get(reverse(f"{prefix}_add"))
        if add.status_code == 200:
            assert secret not in add.content.decode(), f"{model.__name__} add form offers the other project"
    response = client.post(reverse("admin:articles_article_add"), {
        "project": elsewhere.project.pk, "external_id": "x", "title": "Planted", "text": "Planted text.",
        "language": "en", "meta": "{}"})
    assert response.status_code == 200 and not Article.objects.filter(title="Planted").exists()


# ---------------------------------------------------------------- hostile content

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "svg": "<svg onload=alert(1)>",
    "js-url": '<a href="javascript:alert(1)">j</a>',
    "htmx": '<b hx-get="/logout/" hx-trigger="load">h</b>',
    "template": "tpl{{ 7*7 }}end",
}
ALL_HOSTILE = " ".join(HOSTILE.values())
# What would show that a payload became markup or was evaluated as a template.
LIVE = ["<script>alert", "<svg onload", 'href="javascript:', 'hx-get="/logout/"', "tpl49end"]
# What shows that it arrived, as text.
INERT = ["&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;svg onload=alert(1)&gt;", "tpl{{ 7*7 }}end"]


def assert_inert(response, where, seen: set):
    content_type = response.get("Content-Type", "")
    if response.streaming or not content_type.startswith("text/"):
        return
    if content_type.startswith("text/plain"):
        # Short refusals for htmx, which does not swap them: plain text, never sniffed as HTML.
        assert response["X-Content-Type-Options"] == "nosniff", where
        return
    page = response.content.decode()
    for live in LIVE:
        assert live not in page, (where, live)
    seen.update(marker for marker in INERT if marker in page)


@pytest.fixture
def hostile(project, annotator, manager):
    return build_hostile(project, annotator, manager)


def build_hostile(project, annotator, manager) -> Place:
    """Hostile text everywhere a person can type it, in ``project``: its name, guidelines, an
    article's title, text, source and author, label, relation type and entity names,
    aliases, span notes, and the name of an imported file."""
    project.name = "News " + ALL_HOSTILE
    project.description = ALL_HOSTILE
    project.guidelines = f"# {ALL_HOSTILE}\n\n{ALL_HOSTILE} [link](javascript:alert(1))"
    project.organisation = ALL_HOSTILE[:200]
    project.save()
    text = f"Intro {ALL_HOSTILE} said {HOSTILE['svg']}.\n\nSecond {HOSTILE['template']} paragraph."
    article = make_article(project, text, title=ALL_HOSTILE, external_id=ALL_HOSTILE[:200],
                           source=ALL_HOSTILE[:200], author=ALL_HOSTILE[:200])
    for i, payload in enumerate(HOSTILE.values()):
        Label.objects.create(project=project, name=payload, colour="#123456", order=10 + i)
    quote_label = Label.objects.get(project=project, name="Quote")
    RelationType.objects.create(project=project, name=HOSTILE["htmx"], source_label=quote_label,
                                target_label=quote_label)
    entity = Entity.objects.create(project=project, name=ALL_HOSTILE, aliases=[ALL_HOSTILE],
                                   description=ALL_HOSTILE[:300])
    annotation_set = make_set(article, annotator)
    spans = [make_span(annotation_set, "Quote", ALL_HOSTILE, note=ALL_HOSTILE),
             make_span(annotation_set, "Actor", HOSTILE["svg"], occurrence=1, entity=entity, note=ALL_HOSTILE)]
    for payload in HOSTILE.values():
        label = Label.objects.get(project=project, name=payload)
        Span.objects.create(annotation_set=annotation_set, label=label, start=text.index(payload),
                            end=text.index(payload) + len(payload), text=payload, note=payload)
    relation = make_relation(annotation_set, "said_by", spans[0], spans[1])
    event = span_delete(span=annotation_set.spans.filter(label__name=HOSTILE["script"]).get(),
                                 user=annotator)
    # File names: a plain-text import names the article after its file.
    client = Client()
    client.force_login(manager)
    upload = SimpleUploadedFile(f"{HOSTILE['svg']} tpl{{{{ 7*7 }}}}end.txt", b"An imported article.\n",
                                content_type="text/plain")
    response = client.post(f"/p/{project.slug}/import/", {"files": [upload]})
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = project.memberships.get(user=annotator)
    return Place(project, article, annotation_set, spans[0], relation, event, membership.pk, entity.pk)


def test_hostile_text_is_inert_on_every_page(client, hostile, superuser, annotator, reviewer):
    seen = set()
    for user in (annotator, reviewer, superuser):
        client.force_login(user)
        for url in get_pages(hostile.values()):
            assert_inert(client.get(url), url, seen)
            assert_inert(client.get(url, HTTP_HX_REQUEST="true"), f"{url} (htmx)", seen)
        for span in hostile.annotation_set.spans.all():
            assert_inert(client.get(f"/spans/{span.pk}/", HTTP_HX_REQUEST="true"), f"span {span.pk}", seen)
            assert_inert(client.get(f"/spans/{span.pk}/entities/?q=tpl", HTTP_HX_REQUEST="true"), "search", seen)
    assert seen == set(INERT), f"the payloads never reached a page: {set(INERT) - seen}"


def test_hostile_text_is_inert_in_fragments_answering_writes(client, hostile, annotator):
    client.force_login(annotator)
    text = hostile.article.text
    label = Label.objects.get(project=hostile.project, name="Claim")
    needle = HOSTILE["template"]
    seen = set()
    start = text.rindex(needle)
    response = client.post(f"/sets/{hostile.annotation_set.pk}/spans/",
                           {"label": label.pk, "start": start, "end": start + len(needle), "text": needle},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 201
    assert_inert(response, "span-create", seen)
    span = Span.objects.get(annotation_set=hostile.annotation_set, label=label)
    response = client.post(f"/spans/{span.pk}/edit/", {"version": span.version, "note": ALL_HOSTILE},
                           HTTP_HX_REQUEST="true")
    assert_inert(response, "span-update", seen)
    response = client.post(f"/sets/{hostile.annotation_set.pk}/spans/",
                           {"label": label.pk, "start": 0, "end": 5, "text": ALL_HOSTILE}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert_inert(response, "refused span", seen)
    response = client.post(f"/spans/{span.pk}/entity/", {"action": "new", "name": ALL_HOSTILE, "kind": "person",
                                                         "version": span.version + 1}, HTTP_HX_REQUEST="true")
    assert_inert(response, "new entity", seen)
    assert "tpl{{ 7*7 }}end" in seen


def test_hostile_text_is_inert_in_admin(client, hostile, superuser):
    client.force_login(superuser)
    seen = set()
    for url in admin_pages():
        assert_inert(client.get(url), url, seen)
    for model in (Project, Article, Label, RelationType, Entity, Span, AnnotationSet, Relation, Event):
        meta = model._meta
        prefix = f"admin:{meta.app_label}_{meta.model_name}"
        assert_inert(client.get(reverse(f"{prefix}_changelist"), {"q": ALL_HOSTILE}), f"{prefix} search", seen)
        for obj in in_project(model, hostile.project):
            assert_inert(client.get(reverse(f"{prefix}_change", args=[obj.pk])), f"{prefix} {obj.pk}", seen)
    assert seen == set(INERT), set(INERT) - seen


def test_imported_urls_must_be_web_addresses(client, project, manager):
    """An article's link is shown as a link: only http(s) addresses get in."""
    client.force_login(manager)
    line = json.dumps({"id": "x1", "title": "T", "text": "Some text.", "meta": {"url": "javascript:alert(1)"},
                       "annotations": []})
    upload = SimpleUploadedFile("evil.jsonl", line.encode() + b"\n")
    response = client.post(f"/p/{project.slug}/datasets/import/", {"file": upload, "format": "jsonl"})
    assert response.status_code == 422
    assert "is not an http(s) address" in response.content.decode()
    assert not Article.objects.filter(external_id="x1").exists()


def test_label_stylesheet_is_only_colours(client, hostile, annotator):
    client.force_login(annotator)
    css = client.get(f"/p/{hostile.project.slug}/labels.css").content.decode()
    lines = css.splitlines()
    assert lines and all(re.fullmatch(r"\.l\d+\{--c:#[0-9a-fA-F]{6}\}", line) for line in lines), css


# ---------------------------------------------------------------- the code itself


def python_files():
    for folder in APP_DIRS:
        for path in folder.rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


# Reviewed places that build HTML themselves; each escapes every piece of text.
SAFE_HTML_ALLOWED = {
    "annotator/rendering.py": "paragraphs and span list items: text through html.escape, the rest numbers",
    "articles/guidelines.py": "guidelines Markdown rendered, then cleaned by nh3 with a tag and attribute allow-list",
}
UNSAFE_MARKUP = re.compile(r"\|\s*safe\b|\|\s*safeseq\b|mark_safe|SafeString\(|SafeText\(|autoescape\s+off|"
                           r"html_safe|format_html\(")


def test_no_unreviewed_safe_markup():
    found = {}
    for path in [*python_files(), *TEMPLATE_DIR.rglob("*.html")]:
        name = str(path.relative_to(ROOT))
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if UNSAFE_MARKUP.search(line):
                found.setdefault(name, []).append(f"{number}: {line.strip()}")
    unreviewed = {name: lines for name, lines in found.items() if name not in SAFE_HTML_ALLOWED}
    assert not unreviewed, f"marks text safe outside the reviewed places: {unreviewed}"


def test_the_app_never_fetches_a_url():
    fetching = re.compile(r"urlopen|\brequests\.|\bhttpx\b|urllib\.request|http\.client|\bsocket\.|aiohttp|pycurl")
    for path in python_files():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not fetching.search(line), f"{path}:{number}: {line.strip()}"


# ---------------------------------------------------------------- uploads


def upload(name, data, content_type="text/plain"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_oversize_uploads_are_refused_with_a_message(client, project, manager, settings):
    settings.FACTMARK_MAX_IMPORT_BYTES = 1000
    client.force_login(manager)
    big = b"Long text. " * 200
    response = client.post(f"/p/{project.slug}/import/", {"files": [upload("big.txt", big)]})
    assert response.status_code == 422
    assert "larger than the limit" in response.content.decode()
    response = client.post(f"/p/{project.slug}/datasets/import/", {"file": upload("big.jsonl", big), "format": "jsonl"})
    assert response.status_code == 422
    assert "the limit is" in response.content.decode()
    assert not project.articles.exists()


def test_wrong_file_types_are_refused_with_a_message(client, project, manager):
    client.force_login(manager)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    response = client.post(f"/p/{project.slug}/import/", {"files": [upload("photo.png", png, "image/png")]})
    assert response.status_code == 422 and "Only .txt files" in response.content.decode()
    response = client.post(f"/p/{project.slug}/import/", {"files": [upload("photo.txt", png)]})
    assert response.status_code == 422 and "not UTF-8" in response.content.decode()
    for fmt in READABLE:
        response = client.post(f"/p/{project.slug}/datasets/import/", {"file": upload("photo.png", png), "format": fmt})
        assert response.status_code == 422, fmt
        assert "Nothing was imported" in response.content.decode(), fmt
    assert not project.articles.exists()


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["../escaped", "../../tmp/escaped", "/tmp/escaped", "docs/../../escaped"])
def test_zip_slip_and_absolute_paths_are_refused(client, project, manager, name):
    client.force_login(manager)
    archive = zipped({f"{name}.txt": b"Text of a document.", f"{name}.ann": b"T1\tClaim 0 4\tText\n"})
    response = client.post(f"/p/{project.slug}/datasets/import/",
                           {"file": upload("corpus.zip", archive, "application/zip"), "format": "brat"})
    assert response.status_code == 422
    assert "unsafe path in zip" in response.content.decode()
    assert not project.articles.exists()
    for place in (Path(tempfile.gettempdir()), ROOT, ROOT.parent):
        assert not (place / "escaped.txt").exists()


def multipart(field, filename, data: bytes) -> tuple[bytes, str]:
    """A multipart body sent as is (the test client would strip the path from the name)."""
    boundary = "factmark-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: text/plain\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_stored_names_never_come_from_the_user(client, project, manager):
    """A file name is data (the article's external id and meta), never a path on disk."""
    client.force_login(manager)
    body, content_type = multipart("files", "../../../tmp/factmark-planted.txt", b"Planted text.\n")
    response = client.post(f"/p/{project.slug}/import/", body, content_type=content_type)
    assert response.status_code == 302
    article = project.articles.get()
    assert article.external_id == "factmark-planted"
    assert article.meta["filename"] == "factmark-planted.txt"
    assert not Path("/tmp/factmark-planted.txt").exists()
    assert not any(Path(tempfile.gettempdir()).glob("*factmark-planted*"))
