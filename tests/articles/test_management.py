
"""Managers run the project from the app: settings, guidelines, members and roles."""

import re

import pytest
from django.urls import reverse

from annotator.models import AnnotationSet, Event, SetStatus
from articles.guidelines import MAX_GUIDELINES, render_guidelines
from articles.models import Membership, Project, Role
from tests.factories import make_article, make_set, make_span, make_user

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# ---------------------------------------------------------------- settings


def test_manager_changes_the_settings(client, manager, project):
    client.force_login(manager)
    url = reverse("project-settings", args=["news"])
    form = page(client.get(url))
    assert 'name="annotators_per_article"' in form and 'value="Newsroom"' in form
    response = client.post(url, {
        "name": "Newsroom desk", "description": "Election claims", "organisation": "Fact desk",
        "annotators_per_article": 3, "allow_overlap": "on", "guidelines": "# Claims\n\nMark *checkable* facts.",
    }, follow=True)
    assert "Settings saved." in page(response)
    project.refresh_from_db()
    assert (project.name, project.annotators_per_article, project.organisation) == ("Newsroom desk", 3, "Fact desk")
    assert project.allow_overlap and not project.snap_to_words
    assert project.slug == "news"


@pytest.mark.parametrize("k, message", [(0, "Choose between 1 and 20 annotators per article."),
                                        (21, "Choose between 1 and 20 annotators per article."),
                                        ("", "This field is required.")])
def test_bad_settings_are_refused_and_nothing_changes(client, manager, project, k, message):
    client.force_login(manager)
    before = Project.objects.values().get(pk=project.pk)
    response = client.post(reverse("project-settings", args=["news"]),
                           {"name": "Renamed", "annotators_per_article": k})
    assert response.status_code == 422
    body = page(response)
    assert "Nothing was saved" in body and message in body
    assert "<h1>Newsroom</h1>" in body  # the heading keeps the saved name
    assert Project.objects.values().get(pk=project.pk) == before


def test_a_project_needs_a_name(client, manager, project):
    client.force_login(manager)
    response = client.post(reverse("project-settings", args=["news"]), {"name": "  ", "annotators_per_article": 1})
    assert response.status_code == 422 and "This field is required." in page(response)
    project.refresh_from_db()
    assert project.name == "Newsroom"


# ---------------------------------------------------------------- guidelines


def test_guidelines_are_shown_to_every_member_as_markdown(client, annotator, project, article):
    project.guidelines = "# Claims\n\nMark **checkable** facts.\n\n| verdict | when |\n|---|---|\n| false | wrong |"
    project.save()
    client.force_login(annotator)
    body = page(client.get(reverse("project-guidelines", args=["news"])))
    assert "<h1>Claims</h1>" in body and "<strong>checkable</strong>" in body and "<td>wrong</td>" in body
    # The nav and the workspace link to them.
    assert 'href="/p/news/guidelines/"' in page(client.get(reverse("project-detail", args=["news"])))
    workspace = page(client.get(reverse("workspace", args=["news", article.pk])))
    assert 'id="guidelines-link"' in workspace


def test_guidelines_drop_scripts_handlers_and_script_addresses(client, annotator, project):
    project.guidelines = ("Hi <script>alert(1)</script> <img src=x onerror=alert(1)> "
                          "[go](javascript:alert(1)) <a href=\"https://example.org\" onclick=\"x()\">raw</a> "
                          "[ok](https://example.org)")
    project.save()
    client.force_login(annotator)
    body = page(client.get(reverse("project-guidelines", args=["news"])))
    guidelines = body.split('id="guidelines">', 1)[1].split("</article>", 1)[0]
    for live in ("<script", "onerror", "javascript:", "onclick", "<img"):
        assert live not in guidelines, live
    assert 'href="https://example.org"' in guidelines


def test_guidelines_longer_than_the_bound_are_refused_and_nothing_changes(client, manager, project):
    client.force_login(manager)
    project.guidelines = "Kept."
    project.save()
    response = client.post(reverse("project-settings", args=["news"]), {
        "name": "Newsroom", "annotators_per_article": 1, "guidelines": "[" * (MAX_GUIDELINES + 1),
    })
    assert response.status_code == 422
    refusal = f"Guidelines hold at most {MAX_GUIDELINES:,} characters (these have {MAX_GUIDELINES + 1:,})"
    assert refusal in page(response)
    project.refresh_from_db()
    assert project.guidelines == "Kept."


@pytest.mark.parametrize("hostile", ["[" * 12_000, "*a " * 4000, ">" * 12_000, "[a](" * 3000, "*_" * 6000,
                                     "<div>" * 3000])
def test_pathological_markdown_renders_as_text_up_to_the_bound(hostile):
    """Inputs that took python-markdown seconds (10 KB of "[" took 25 s) render; text saved
    past the bound by other means is shown up to the bound."""
    html = render_guidelines(hostile + "\n\nEnd of guide.")
    assert "End of guide." in html
    assert "End of guide." not in render_guidelines("x" * MAX_GUIDELINES + "\n\nEnd of guide.")


def test_no_guidelines_says_so_and_the_nav_hides_the_link(client, annotator, manager, project):
    client.force_login(annotator)
    assert 'href="/p/news/guidelines/"' not in page(client.get(reverse("project-detail", args=["news"])))
    assert "This project has no guidelines yet." in page(client.get(reverse("project-guidelines", args=["news"])))


# ---------------------------------------------------------------- members


def test_members_page_lists_everyone_with_role_and_work(client, manager, annotator, project, article):
    make_set(article, annotator, status=SetStatus.SUBMITTED)
    make_set(make_article(project, "Another text."), annotator)
    client.force_login(manager)
    body = page(client.get(reverse("project-members", args=["news"])))
    for name in ("ann", "ann2", "rev", "boss"):
        assert f'id="member-{name}"' in body
    row = body.split('id="member-ann"', 1)[1].split("</tr>", 1)[0]
    assert '<option value="annotator" selected>' in row
    assert '<td class="num">1</td> <td class="num">1</td>' in row  # working on 1, submitted 1


def test_manager_adds_a_member_by_username_or_email(client, manager, project):
    make_user("carla", email="carla@example.org")
    make_user("dan")
    client.force_login(manager)
    url = reverse("project-members", args=["news"])
    response = client.post(url, {"user": "CARLA@example.org", "role": "reviewer"}, follow=True)
    assert "Added carla as reviewer." in page(response)
    client.post(url, {"user": "dan", "role": "annotator"})
    roles = dict(project.memberships.values_list("user__username", "role"))
    assert roles["carla"] == Role.REVIEWER and roles["dan"] == Role.ANNOTATOR


@pytest.mark.parametrize("identifier, role, message", [
    ("nobody", "annotator", "No such member can be added: “nobody”."),
    ("ann", "annotator", "ann is already a member, as annotator; change the role in the list."),
    ("gone", "annotator", "No such member can be added: “gone”."),
    ("", "annotator", "This field is required."),
    ("carla", "owner", "Select a valid choice. owner is not one of the available choices."),
])
def test_adding_a_member_refuses_bad_input(client, manager, project, identifier, role, message):
    make_user("gone", is_active=False)
    make_user("carla")
    client.force_login(manager)
    before = list(Membership.objects.order_by("pk").values())
    response = client.post(reverse("project-members", args=["news"]), {"user": identifier, "role": role})
    assert response.status_code == 422
    assert message in page(response)
    assert list(Membership.objects.order_by("pk").values()) == before


def test_adding_a_member_does_not_tell_which_accounts_exist(client, manager, project):
    """Unknown, inactive or shared by two accounts: the manager hears the same words."""
    make_user("gone", is_active=False)
    make_user("twin1", email="twins@example.org")
    make_user("twin2", email="twins@example.org")
    client.force_login(manager)
    url = reverse("project-members", args=["news"])
    answers = {
        identifier: re.search(r"No such member can be added: “[^”]*”\. [^<]*", page(client.post(url, {
            "user": identifier, "role": "annotator"})))[0].replace(identifier, "X")
        for identifier in ("nobody-at-all", "gone", "twins@example.org")
    }
    assert len(set(answers.values())) == 1, answers


def test_manager_changes_a_role(client, manager, annotator, project):
    client.force_login(manager)
    membership = project.memberships.get(user=annotator)
    response = client.post(reverse("member-change", args=["news", membership.pk]), {"role": "reviewer"}, follow=True)
    assert "ann is now reviewer." in page(response)
    membership.refresh_from_db()
    assert membership.role == Role.REVIEWER


def test_an_unknown_role_is_refused(client, manager, annotator, project):
    client.force_login(manager)
    membership = project.memberships.get(user=annotator)
    response = client.post(reverse("member-change", args=["news", membership.pk]), {"role": "owner"})
    assert response.status_code == 422
    assert "“owner” is not a role; choose annotator, reviewer or manager." in page(response)
    membership.refresh_from_db()
    assert membership.role == Role.ANNOTATOR


def test_the_last_manager_can_neither_step_down_nor_leave(client, manager, project):
    client.force_login(manager)
    mine = project.memberships.get(user=manager)
    message = "“Newsroom” needs at least one manager: make someone else a manager first."
    response = client.post(reverse("member-change", args=["news", mine.pk]), {"role": "annotator"})
    assert response.status_code == 422 and message in page(response)
    response = client.post(reverse("member-remove", args=["news", mine.pk]))
    assert response.status_code == 422 and message in page(response)
    mine.refresh_from_db()
    assert mine.role == Role.MANAGER


def test_a_manager_who_steps_down_lands_on_the_project(client, manager, reviewer, project):
    project.memberships.filter(user=reviewer).update(role=Role.MANAGER)
    client.force_login(manager)
    mine = project.memberships.get(user=manager)
    response = client.post(reverse("member-change", args=["news", mine.pk]), {"role": "reviewer"})
    assert response.status_code == 302 and response["Location"] == "/p/news/"
    assert client.get(reverse("project-members", args=["news"])).status_code == 403


def test_removing_a_member_releases_unstarted_articles_and_keeps_work(client, manager, annotator, project):
    started = make_article(project, "Sergei Lavrov spoke.")
    make_span(make_set(started, annotator), "Actor", "Sergei Lavrov")
    submitted = make_set(make_article(project, "Done text."), annotator, status=SetStatus.SUBMITTED)
    untouched = make_set(make_article(project, "Untouched text."), annotator)
    client.force_login(manager)
    membership = project.memberships.get(user=annotator)
    response = client.post(reverse("member-remove", args=["news", membership.pk]), follow=True)
    body = page(response)
    assert ("Removed ann from the project. 1 article(s) they had not started went back to the queue. "
            "Their 2 set(s) with work stay, for review and export.") in body
    assert not project.memberships.filter(user=annotator).exists()
    assert not AnnotationSet.objects.filter(pk=untouched.pk).exists()
    assert AnnotationSet.objects.filter(pk=submitted.pk).exists()
    assert AnnotationSet.objects.filter(article=started, user=annotator).exists()
    assert Event.objects.filter(action=Event.Action.DELETE, data__reason="member removed").count() == 1
    # They no longer see the project.
    client.force_login(annotator)
    assert client.get(reverse("project-detail", args=["news"])).status_code == 404


def test_members_of_another_project_are_out_of_reach(client, manager, project):
    from tests.factories import make_project

    stranger = make_user("stranger")
    other = make_project(slug="other", members=[(stranger, Role.MANAGER)])
    theirs = other.memberships.get(user=stranger)
    client.force_login(manager)
    assert client.post(reverse("member-change", args=["news", theirs.pk]), {"role": "annotator"}).status_code == 404
    assert client.post(reverse("member-remove", args=["news", theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == Role.MANAGER


def test_nav_shows_management_pages_to_managers_only(client, manager, reviewer, project):
    client.force_login(manager)
    body = page(client.get(reverse("project-detail", args=["news"])))
    for name in ("members", "labels", "settings", "assignments"):
        assert f'href="/p/news/{name}/"' in body
    client.force_login(reviewer)
    body = page(client.get(reverse("project-detail", args=["news"])))
    for name in ("members", "labels", "settings", "assignments"):
        assert f'href="/p/news/{name}/"' not in body
    assert 'href="/p/news/progress/"' in body


# ---------------------------------------------------------------- starting a project


def test_staff_start_a_project_and_become_its_manager(client, project):
    staff = make_user("editor", is_staff=True)
    client.force_login(staff)
    assert 'id="new-project"' in page(client.get(reverse("project-list")))
    response = client.post(reverse("project-create"), {"name": "Election claims 2026", "slug": "",
                                                      "description": "", "annotators_per_article": 2}, follow=True)
    created = Project.objects.get(slug="election-claims-2026")
    assert response.redirect_chain[-1][0] == "/p/election-claims-2026/"
    assert "Started “Election claims 2026”." in page(response)
    assert created.memberships.get().user == staff and created.memberships.get().role == Role.MANAGER
    assert sorted(created.labels.values_list("name", flat=True)) == ["Actor", "Claim", "Cue", "Quote"]
    assert created.annotators_per_article == 2


def test_a_new_project_can_copy_the_schema_of_a_managed_one(client, manager, project):
    from annotator.models import Label

    Label.objects.create(project=project, name="Statistic", key="s", colour="#123456",
                         attributes=[{"name": "unit", "type": "text"}])
    manager.is_staff = True
    manager.save()
    client.force_login(manager)
    form = page(client.get(reverse("project-create")))
    assert f'<option value="{project.pk}">Copy from “Newsroom”</option>' in form
    client.post(reverse("project-create"), {"name": "Copy", "slug": "copy", "annotators_per_article": 1,
                                            "schema_from": project.pk})
    copy = Project.objects.get(slug="copy")
    assert list(copy.labels.values_list("name", "key", "attributes")) == list(
        project.labels.values_list("name", "key", "attributes"))
    assert sorted(copy.relation_types.values_list("name", "source_label__name", "target_label__name")) == sorted(
        project.relation_types.values_list("name", "source_label__name", "target_label__name"))
    assert copy.relation_types.filter(source_label__project=project).count() == 0


@pytest.mark.parametrize("data, message", [
    ({"name": "Newsroom", "slug": "news"}, "The address “news” is taken; choose another."),
    ({"name": "", "slug": ""}, "This field is required."),
    ({"name": "Bad", "slug": "no spaces here"}, "Enter a valid “slug”"),
    ({"name": "Too many", "slug": "many", "annotators_per_article": 50}, "Choose between 1 and 20"),
])
def test_starting_a_project_refuses_bad_input(client, project, data, message):
    staff = make_user("editor", is_staff=True)
    client.force_login(staff)
    before = Project.objects.count()
    response = client.post(reverse("project-create"), {"annotators_per_article": 1} | data)
    assert response.status_code == 422 and message in page(response)
    assert Project.objects.count() == before


def test_schema_of_a_project_one_does_not_manage_cannot_be_copied(client, annotator, project):
    staff = make_user("editor", is_staff=True)
    client.force_login(staff)
    response = client.post(reverse("project-create"), {"name": "Sneaky", "slug": "sneaky",
                                                      "annotators_per_article": 1, "schema_from": project.pk})
    assert response.status_code == 422 and "Select a valid choice." in page(response)
    assert not Project.objects.filter(slug="sneaky").exists()


def test_only_staff_start_projects(client, manager):
    client.force_login(manager)
    assert 'id="new-project"' not in page(client.get(reverse("project-list")))
    response = client.get(reverse("project-create"))
    assert response.status_code == 403
    assert "Only staff can start projects" in page(response)
    assert client.post(reverse("project-create"), {"name": "X", "annotators_per_article": 1}).status_code == 403
    assert not Project.objects.filter(name="X").exists()


def test_members_page_costs_the_same_queries_however_many_members_and_sets(client, manager, project, article):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager)
    url = reverse("project-members", args=["news"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for i in range(15):
        user = make_user(f"extra{i}")
        Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
        make_set(make_article(project, f"Text {i}."), user, status=SetStatus.SUBMITTED)
    assert queries() == few
