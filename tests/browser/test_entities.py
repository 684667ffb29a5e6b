"""A reviewer tidies the knowledge base: finds a duplicate spelling and merges it."""

import pytest

from annotator.models import Entity, SetStatus, Span
from articles.models import Role
from tests.factories import make_article, make_entity, make_project, make_set, make_span, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def duplicates():
    ann1, ann2, reviewer = make_user("annotator1"), make_user("annotator2"), make_user("reviewer")
    project = make_project(slug="demo", annotators_per_article=2, members=[
        (ann1, Role.ANNOTATOR), (ann2, Role.ANNOTATOR), (reviewer, Role.REVIEWER)])
    article = make_article(project)
    jong = make_entity(project, "Jong Ui Young", wikidata_id="Q490140")
    jung = make_entity(project, "Jung Ui Young", aliases=["Chung Eui-yong"])
    make_entity(project, "Sergei Lavrov", aliases=["Lavrov"])
    make_span(make_set(article, ann1, status=SetStatus.SUBMITTED), "Actor", "Jong Ui Young", entity=jong)
    make_span(make_set(article, ann2, status=SetStatus.SUBMITTED), "Actor", "Jong Ui Young", entity=jung)
    return project, reviewer, jong, jung


def test_reviewer_finds_a_duplicate_and_merges_it(page, live_server, log_in, duplicates):
    project, reviewer, jong, jung = duplicates
    log_in(page, reviewer)
    page.goto(f"{live_server.url}/p/demo/")
    page.click("nav.project-nav >> text=Entities")
    assert page.locator("#entity-list tbody tr").count() == 3
    # The table follows the search box as one types.
    page.fill("#id_q", "chung")
    page.wait_for_selector("#entity-list .count:text('1 entity matching “chung”')")
    assert page.locator("#entity-list tbody tr").count() == 1
    assert "q=chung" in page.url
    page.click(f"#entity-{jung.pk} a:text('Edit')")
    page.wait_for_selector("h2:text('Edit “Jung Ui Young”')")
    assert "1 span in 1 article links to this entity" in page.inner_text("#entity-use")
    page.select_option("#id_merge_target", label="Jong Ui Young · person")
    page.click("#merge button:text('Merge')")
    page.wait_for_selector(".message.success")
    assert "“Jung Ui Young” was merged into “Jong Ui Young”: 1 span relinked" in page.inner_text(".message.success")
    row = page.locator(f"#entity-{jong.pk}")
    assert row.locator(".kb-aliases li").all_inner_texts() == ["Jung Ui Young", "Chung Eui-yong"]
    assert row.locator("td.num").all_inner_texts() == ["2", "1"]
    assert not Entity.objects.filter(pk=jung.pk).exists()
    assert set(Span.objects.values_list("entity_id", flat=True)) == {jong.pk}


def test_a_mention_becomes_an_alias_only_when_the_annotator_says_so(page, live_server, log_in):
    """Bug 5: linking "the South Korean minister" made it an alias of Jong Ui Young."""
    ann = make_user("ann")
    project = make_project(slug="desk", members=[(ann, Role.ANNOTATOR)])
    article = make_article(project, "The South Korean minister met Lavrov. Later Jung Ui Young left for Seoul.")
    annotation_set = make_set(article, ann)
    phrase = make_span(annotation_set, "Actor", "The South Korean minister")
    variant = make_span(annotation_set, "Actor", "Jung Ui Young")
    jong = make_entity(project, "Jong Ui Young")
    log_in(page, ann)
    page.goto(f"{live_server.url}/p/desk/a/{article.pk}/")

    for span, pre_checked in ((phrase, False), (variant, True)):
        page.locator(f'#article mark[data-span="{span.pk}"]').click()
        page.locator(f'#panel .panel-inner[data-span="{span.pk}"]').wait_for()
        page.fill("#entity-q", "Young")
        box = page.locator(f"#alias-{jong.pk}")
        box.wait_for()
        assert box.is_checked() is pre_checked
        page.locator("#entity-results .entity-pick", has_text="Jong Ui Young").click()
        page.locator("#linked-entity", has_text="Jong Ui Young").wait_for()
    jong.refresh_from_db()
    assert jong.aliases == ["Jung Ui Young"]
    assert set(Span.objects.filter(entity=jong).values_list("text", flat=True)) == {
        "The South Korean minister", "Jung Ui Young"}

    # A new entity whose name is already a name or alias asks first.
    page.locator(f'#article mark[data-span="{phrase.pk}"]').click()
    page.locator(f'#panel .panel-inner[data-span="{phrase.pk}"]').wait_for()
    page.fill("#panel .new-entity input[name=name]", "jung ui young")
    page.click("#new-entity")
    page.locator("#entity-clash", has_text="is already an alias of").wait_for()
    assert page.evaluate("() => document.activeElement.id") == "link-existing"
    assert Entity.objects.filter(project=project).count() == 1
