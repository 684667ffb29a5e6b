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
