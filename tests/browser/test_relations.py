"""Linking a quote to a speaker named far away: the panel's list holds the nearest
actors only, and typing finds the others."""

import pytest

from annotator.models import Relation
from articles.models import Role
from tests.factories import make_article, make_project, make_set, make_span, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "\n\n".join(
    ["Kim In Chol spoke first."]
    + [f"Paragraph {i}: Sergei Lavrov met officials on day {i}." for i in range(1, 30)]
    + ["“We will not be moved,” the diplomat said."]
)


def test_quote_is_linked_to_a_speaker_found_by_typing(page, live_server, log_in):
    ann = make_user("ann")
    project = make_project(slug="desk", members=[(ann, Role.ANNOTATOR)])
    article = make_article(project, TEXT)
    annotation_set = make_set(article, ann)
    speaker = make_span(annotation_set, "Actor", "Kim In Chol")
    for i in range(29):
        make_span(annotation_set, "Actor", "Sergei Lavrov", occurrence=i)
    quote = make_span(annotation_set, "Quote", "We will not be moved")

    log_in(page, ann)
    page.goto(f"{live_server.url}/p/desk/a/{article.pk}/")
    page.locator("#article mark", has_text="We will not be moved").first.click()
    said_by = page.locator("#panel .relation-form", has_text="Said by")
    said_by.wait_for()
    assert "Kim In Chol" not in said_by.locator("select").inner_text()

    page.locator("#panel .relation-find").first.fill("kim")
    said_by.locator("select option", has_text="Kim In Chol").wait_for(state="attached")
    said_by.get_by_role("button", name="Link").click()
    page.locator("#panel .relation-list", has_text="said by").wait_for()
    assert "Kim In Chol" in page.inner_text("#relation-items")
    relation = Relation.objects.get(annotation_set=annotation_set)
    assert (relation.source, relation.target) == (quote, speaker)
