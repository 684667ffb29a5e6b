"""A manager runs the team from the app: members, roles, settings; an annotator
starts from an empty list with "Next article"."""

import pytest

from annotator.models import AnnotationSet
from articles.models import Membership, Role
from tests.factories import make_article, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team():
    boss, ann = make_user("boss"), make_user("ann")
    make_user("carla", email="carla@example.org")
    project = make_project(slug="desk", name="Fact desk", members=[(boss, Role.MANAGER), (ann, Role.ANNOTATOR)])
    article = make_article(project, title="Seoul and Moscow")
    return project, article, boss, ann


def test_manager_adds_promotes_and_removes_a_member(page, live_server, log_in, team):
    project, _, boss, _ = team
    log_in(page, boss)
    page.goto(f"{live_server.url}/p/desk/")
    page.click("nav.project-nav >> text=Members")
    page.fill("input[name=user]", "carla@example.org")
    page.select_option(".add-member select[name=role]", "annotator")
    page.click("button:text('Add')")
    page.wait_for_selector(".message:text('Added carla as annotator.')")

    row = page.locator("#member-carla")
    row.locator("select[name=role]").select_option("reviewer")
    row.locator("button:text('Change')").click()
    page.wait_for_selector(".message:text('carla is now reviewer.')")
    assert Membership.objects.get(project=project, user__username="carla").role == Role.REVIEWER

    # Removing asks first; dismissing keeps the member.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("#member-carla button:text('Remove')").click()
    page.wait_for_timeout(300)
    assert page.locator("#member-carla").is_visible()
    assert Membership.objects.filter(project=project, user__username="carla").exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#member-carla button:text('Remove')").click()
    page.wait_for_selector(".message:text('Removed carla from the project.')")
    assert page.locator("#member-carla").count() == 0
    assert not Membership.objects.filter(project=project, user__username="carla").exists()


def test_last_manager_is_told_why_they_cannot_step_down(page, live_server, log_in, team):
    _, _, boss, _ = team
    log_in(page, boss)
    page.goto(f"{live_server.url}/p/desk/members/")
    row = page.locator("#member-boss")
    row.locator("select[name=role]").select_option("annotator")
    row.locator("button:text('Change')").click()
    page.wait_for_selector(".errors:has-text('“Fact desk” needs at least one manager')")
    assert page.locator("#member-boss select[name=role]").input_value() == "manager"


def test_guidelines_written_in_settings_reach_the_annotator(page, live_server, log_in, team, browser):
    project, article, boss, ann = team
    log_in(page, boss)
    page.goto(f"{live_server.url}/p/desk/settings/")
    page.fill("#id_annotators_per_article", "2")
    page.fill("#id_guidelines", "## Claims\n\nTag **checkable** statements only.")
    page.click("button:text('Save settings')")
    page.wait_for_selector(".message:text('Settings saved.')")

    annotator = browser.new_context().new_page()
    log_in(annotator, ann)
    annotator.goto(f"{live_server.url}/p/desk/")
    assert "No article is assigned to you yet" in annotator.inner_text("#article-list")
    annotator.click("#start-next")
    annotator.wait_for_selector("#article")
    assert AnnotationSet.objects.filter(article=article, user=ann).exists()
    annotator.goto(f"{live_server.url}/p/desk/")
    assert "Seoul and Moscow" in annotator.inner_text("#article-list")
    annotator.click("nav.project-nav >> text=Guidelines")
    assert annotator.inner_text("#guidelines h2") == "Claims"
    assert annotator.inner_text("#guidelines strong") == "checkable"
    annotator.context.close()
