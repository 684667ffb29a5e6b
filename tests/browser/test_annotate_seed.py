"""An analyst annotates the seed article with mouse and keyboard, reloads, and finds it all."""

from pathlib import Path

import pytest
from django.conf import settings

from annotator.models import AnnotationSet, Entity, Relation, Span
from articles.importing import import_texts, sources_from_paths
from articles.models import Role
from tests.factories import make_project, make_user

from .helpers import select_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = (
    "Russia and the Republic of Korea are strategic partners. With President Moon coming to power, the "
    "government, as its main foreign policy strategy, began to pursue the New Northern Policy to expand "
    "cooperation with Russia and other countries of Eurasia. Russia is a key partner in the implementation "
    "of the New Northern Policy,"
)


@pytest.fixture
def seed_project():
    annotator1, annotator2 = make_user("annotator1"), make_user("annotator2")
    project = make_project(slug="demo", annotators_per_article=2,
                           members=[(annotator1, Role.ANNOTATOR), (annotator2, Role.ANNOTATOR)])
    report = import_texts(project, sources_from_paths([Path(settings.BASE_DIR) / "seeds"]))
    return project, report.created[0], annotator1, annotator2


def test_tag_actor_entity_quote_and_speaker_then_reload(page, live_server, log_in, seed_project):
    project, article, annotator1, annotator2 = seed_project
    log_in(page, annotator1)
    page.goto(f"{live_server.url}/p/demo/a/{article.pk}/")

    # Select "Sergei Lavrov" with the mouse and press the Actor key.
    assert select_text(page, "Sergei Lavrov") == "Sergei Lavrov"
    page.keyboard.press("a")
    page.locator("#panel .chip", has_text="Actor").wait_for()
    assert page.locator("#article mark", has_text="Sergei Lavrov").count() == 1
    assert page.locator(f"#count-label-{project.labels.get(name='Actor').pk}").inner_text() == "1"

    # Link it to a new entity made from the mention.
    page.click("#new-entity")
    page.locator("#linked-entity", has_text="Sergei Lavrov").wait_for()

    # The speaker of the quote: "the South Korean minister" is Jong Ui Young, tagged as Actor first.
    select_text(page, "Jong Ui Young", occurrence=0)
    page.keyboard.press("a")
    page.locator("#panel .span-text", has_text="Jong Ui Young").wait_for()

    # Tag the quote beginning “Russia and the Republic of Korea are strategic partners” as Quote.
    select_text(page, QUOTE)
    page.keyboard.press("q")
    page.locator("#panel .chip", has_text="Quote").wait_for()
    # Link it to its speaker.
    said_by = page.locator("#panel .relation-form", has_text="Said by")
    said_by.locator("select").select_option(label="Jong Ui Young")
    said_by.get_by_role("button", name="Link").click()
    page.locator("#panel .relation-list", has_text="said by").wait_for()
    assert "said by" in page.inner_text("#relation-items")

    # Reload: everything is still there.
    page.reload()
    assert page.locator("#article mark", has_text="Sergei Lavrov").count() == 1
    sidebar = page.inner_text("#sidebar")
    assert "Sergei Lavrov" in sidebar and "Jong Ui Young" in sidebar
    assert "Russia and the Republic of Korea are strategic partners" in sidebar
    assert "said by" in page.inner_text("#relation-items")

    spans = {s.text: s for s in Span.objects.filter(annotation_set__user=annotator1)}
    lavrov = spans["Sergei Lavrov"]
    assert article.text[lavrov.start:lavrov.end] == "Sergei Lavrov"
    assert lavrov.entity == Entity.objects.get(project=project, name="Sergei Lavrov")
    quote = spans[QUOTE]
    assert article.text[quote.start:quote.end] == QUOTE
    relation = Relation.objects.get(annotation_set__user=annotator1)
    assert (relation.type.name, relation.source, relation.target) == ("said_by", quote, spans["Jong Ui Young"])


def test_second_annotator_sees_none_of_it(page, live_server, log_in, seed_project):
    project, article, annotator1, annotator2 = seed_project
    log_in(page, annotator1)
    page.goto(f"{live_server.url}/p/demo/a/{article.pk}/")
    select_text(page, "Sergei Lavrov")
    page.keyboard.press("a")
    page.locator("#panel .chip", has_text="Actor").wait_for()
    assert Span.objects.count() == 1
    # The panel's relation candidates load just after the mark: let that answer land
    # before the cookies go, or it would come back without a session.
    page.wait_for_load_state("networkidle")

    page.context.clear_cookies()
    log_in(page, annotator2)
    page.goto(f"{live_server.url}/p/demo/a/{article.pk}/")
    assert page.locator("#article mark").count() == 0
    assert "Sergei Lavrov" not in page.inner_text("#sidebar")
    assert AnnotationSet.objects.get(user=annotator2).spans.count() == 0
