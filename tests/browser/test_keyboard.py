"""The workspace from the keyboard, and the span panel: what an analyst sees and
what the server keeps when they use keys, the palette, the panel and two tabs."""

import pytest
from django.test import Client

from annotator.models import Span
from articles.models import Role
from tests.factories import label, make_article, make_project, make_set, make_span, make_user

from .helpers import select_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Russian Foreign Minister Sergei Lavrov said Washington annually spends more than $ 700 billion on defence.\n\n"
    "Jong Ui Young met Kim In Chol in Moscow on Thursday."
)

ACTIVE_SPAN = "() => document.activeElement.dataset ? document.activeElement.dataset.span || null : null"
SELECTION = "() => getSelection().toString()"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def annotator():
    return make_user("annotator")


@pytest.fixture
def article(annotator):
    project = make_project(members=[(annotator, Role.ANNOTATOR)])
    return make_article(project, TEXT)


@pytest.fixture
def open_article(live_server):
    """Sign ``user`` in on ``page`` (a session cookie, as the login form sets) and open ``article``."""

    def open_article(page, user, article):
        client = Client()
        client.force_login(user)
        page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/p/{article.project.slug}/a/{article.pk}/")
        assert page.locator("#article").is_visible()
        return page

    return open_article


def panel_span(page, previous=""):
    """Wait until the panel shows a span other than ``previous``; return its id."""
    page.wait_for_function(
        "(previous) => { const p = document.querySelector('#panel .panel-inner');"
        " return p && p.dataset.span !== previous; }",
        arg=str(previous),
    )
    return int(page.get_attribute("#panel .panel-inner", "data-span"))


def shown_span(page):
    inner = page.locator("#panel .panel-inner")
    return int(inner.get_attribute("data-span")) if inner.count() else None


def tag(page, key):
    """Press a label key on the selection; the id of the span the panel then shows."""
    before = shown_span(page) or ""
    page.keyboard.press(key)
    return panel_span(page, before)


def save(page, status=200):
    """Press the panel's Save and wait for the answer to be on the page."""
    with page.expect_response(lambda r: r.url.endswith("/edit/")) as response:
        page.click("#panel button:has-text('Save')")
    assert response.value.status == status
    page.wait_for_load_state()
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def colour(hex_colour):
    """``#e15759`` as the browser reports it: ``rgb(225, 87, 89)``."""
    red, green, blue = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def mark(page, span_id):
    return page.locator(f'#article mark[data-span="{span_id}"]')


# ---------------------------------------------------------------- selecting and tagging


def test_shift_arrow_extends_a_selection_then_the_key_tags_it(page, open_article, annotator, article):
    open_article(page, annotator, article)
    # A click leaves only a caret, which Chromium does not extend in text that is not
    # editable; a selection of one character it does extend, by character and by word.
    assert select_text(page, "S") == "S"
    for _ in range(5):
        page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate(SELECTION) == "Sergei"
    page.keyboard.press("Control+Shift+ArrowRight")
    assert page.evaluate(SELECTION) == "Sergei Lavrov"
    span = Span.objects.get(pk=tag(page, "a"))
    start = TEXT.index("Sergei Lavrov")
    assert (span.start, span.end, span.text, span.label.name) == (start, start + 13, "Sergei Lavrov", "Actor")
    assert mark(page, span.pk).inner_text() == "Sergei Lavrov"
    assert page.evaluate(SELECTION) == ""


def test_palette_button_tags_the_selection(page, open_article, annotator, article):
    open_article(page, annotator, article)
    select_text(page, "Kim In Chol")
    page.click("#palette .label-btn:has-text('Quote')")
    span = Span.objects.get(pk=panel_span(page))
    assert (span.text, span.label.name) == ("Kim In Chol", "Quote")
    assert TEXT[span.start:span.end] == "Kim In Chol"
    assert page.locator("#panel .chip").inner_text() == "Quote"
    assert page.locator(f"#list-label-{span.label_id}").inner_text() == "Kim In Chol"


def test_escape_clears_the_selection_and_closes_the_panel(page, open_article, annotator, article):
    open_article(page, annotator, article)
    select_text(page, "Jong Ui Young")
    tag(page, "a")
    assert page.locator("#panel .panel-inner").is_visible()

    select_text(page, "Moscow")
    page.keyboard.press("Escape")
    assert page.evaluate(SELECTION) == ""
    assert page.locator("#panel .panel-inner").count() == 0
    page.keyboard.press("c")  # nothing is selected any more: nothing is tagged
    page.wait_for_timeout(300)
    assert list(Span.objects.values_list("text", flat=True)) == ["Jong Ui Young"]
    assert page.locator("#article mark").count() == 1


# ---------------------------------------------------------------- spans from the keyboard


@pytest.fixture
def three_spans(annotator, article):
    annotation_set = make_set(article, annotator)
    # Created out of document order: focus must follow the text, not the ids.
    kim = make_span(annotation_set, "Actor", "Kim In Chol")
    lavrov = make_span(annotation_set, "Actor", "Sergei Lavrov")
    claim = make_span(annotation_set, "Claim", "Washington annually spends more than $ 700 billion on defence")
    return lavrov, claim, kim


def test_tab_enter_delete_and_undo(page, open_article, annotator, article, three_spans):
    lavrov, claim, kim = three_spans
    open_article(page, annotator, article)

    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE_SPAN) == str(lavrov.pk)
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE_SPAN) == str(claim.pk)
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE_SPAN) == str(kim.pk)
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(ACTIVE_SPAN) == str(claim.pk)

    page.keyboard.press("Enter")
    assert panel_span(page) == claim.pk
    assert page.locator("#panel .chip").inner_text() == "Claim"

    page.keyboard.press("Delete")
    page.locator("#panel .undo-line").wait_for()
    assert not Span.objects.filter(pk=claim.pk).exists()
    assert mark(page, claim.pk).count() == 0
    assert "Washington annually" not in page.inner_text("#sidebar")
    assert page.locator(f"#count-label-{claim.label_id}").inner_text() == "0"
    # Focus moves on to the next span, so Delete can be pressed again.
    assert page.evaluate(ACTIVE_SPAN) == str(kim.pk)

    page.click("#undo-delete")
    restored = Span.objects.get(pk=panel_span(page))
    assert (restored.start, restored.end, restored.label_id, restored.text) == (
        claim.start, claim.end, claim.label_id, claim.text)
    assert mark(page, restored.pk).inner_text() == claim.text
    assert "Washington annually" in page.inner_text(f"#list-label-{claim.label_id}")
    assert page.locator(f"#count-label-{claim.label_id}").inner_text() == "1"
    assert Span.objects.count() == 3

    # Deleting a span re-renders its paragraph; focus still lands on the next span there.
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE_SPAN) == str(lavrov.pk)
    page.keyboard.press("Delete")
    page.locator("#panel .undo-line").wait_for()
    assert not Span.objects.filter(pk=lavrov.pk).exists()
    assert page.evaluate(ACTIVE_SPAN) == str(restored.pk)
    assert page.locator("#article mark").count() == 2


def test_question_mark_opens_and_closes_the_shortcuts(page, open_article, annotator, article):
    open_article(page, annotator, article)
    dialog = page.locator("#shortcuts")
    assert not dialog.is_visible()
    page.keyboard.press("?")
    assert dialog.is_visible()
    listed = dialog.inner_text()
    for key, name in [("c", "Claim"), ("a", "Actor"), ("q", "Quote"), ("u", "Cue")]:
        assert f"{key}\tTag the selection as {name}" in listed
    page.keyboard.press("?")
    assert not dialog.is_visible()
    page.keyboard.press("?")
    assert dialog.is_visible()
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert Span.objects.count() == 0


# ---------------------------------------------------------------- the panel


def test_changing_label_and_attributes_recolours_and_regroups(page, open_article, annotator, article):
    project = article.project
    actor, claim = label(project, "Actor"), label(project, "Claim")
    annotation_set = make_set(article, annotator)
    span = make_span(annotation_set, "Actor", "Washington")
    open_article(page, annotator, article)
    assert page.locator(f"#count-label-{actor.pk}").inner_text() == "1"

    mark(page, span.pk).click()
    panel_span(page)
    # Choosing another label saves at once and the panel offers that label's attributes.
    with page.expect_response(lambda r: r.url.endswith("/edit/")) as response:
        page.select_option("#span-label", label="Claim")
    assert response.value.status == 200
    page.locator("#panel .chip", has_text="Claim").wait_for()
    page.locator("#attr-verdict").wait_for()
    page.select_option("#attr-verdict", "false")
    page.select_option("#attr-checkworthy", label="yes")
    save(page)
    assert page.locator("#panel .message.success").inner_text() == "Saved."

    span.refresh_from_db()
    assert span.label == claim
    assert span.attributes == {"verdict": "false", "checkworthy": True}
    classes = mark(page, span.pk).get_attribute("class").split()
    assert f"l{claim.pk}" in classes and f"l{actor.pk}" not in classes
    underline = mark(page, span.pk).evaluate("m => getComputedStyle(m).borderBottomColor")
    assert underline == colour(claim.colour) != colour(actor.colour)
    assert page.locator(f"#list-label-{claim.pk} #item-span-{span.pk}").count() == 1
    assert page.locator(f"#list-label-{actor.pk} li").count() == 0
    assert page.locator(f"#count-label-{claim.pk}").inner_text() == "1"
    assert page.locator(f"#count-label-{actor.pk}").inner_text() == "0"

    page.reload()
    assert f"l{claim.pk}" in mark(page, span.pk).get_attribute("class").split()
    assert page.locator(f"#list-label-{claim.pk} #item-span-{span.pk}").count() == 1


def test_nested_spans_each_keep_a_place_to_click(page, open_article, annotator, article):
    open_article(page, annotator, article)
    select_text(page, "Sergei Lavrov said Washington annually spends")
    claim = Span.objects.get(pk=tag(page, "c"))
    # The actor inside starts on the claim's first letter: the drag starts on the claim's mark.
    assert select_text(page, "Sergei Lavrov") == "Sergei Lavrov"
    actor = Span.objects.get(pk=tag(page, "a"))
    assert (actor.label.name, actor.text) == ("Actor", "Sergei Lavrov")
    assert (claim.label.name, claim.text) == ("Claim", "Sergei Lavrov said Washington annually spends")
    assert mark(page, actor.pk).is_visible()
    assert mark(page, claim.pk).first.is_visible()

    page.locator("#panel .close-panel").click()
    mark(page, actor.pk).click()
    assert panel_span(page) == actor.pk
    assert page.evaluate(ACTIVE_SPAN) == str(actor.pk)  # so Enter and Delete act on it

    outer = page.locator(f'#article mark[data-span="{claim.pk}"]:has(mark[data-span="{actor.pk}"])')
    outer_box, inner_box = outer.bounding_box(), mark(page, actor.pk).bounding_box()
    assert outer_box["y"] + outer_box["height"] > inner_box["y"] + inner_box["height"]  # a strip below
    page.mouse.click(inner_box["x"] + inner_box["width"] / 2, outer_box["y"] + outer_box["height"] - 1)
    assert panel_span(page, actor.pk) == claim.pk
    assert page.locator("#panel .chip").inner_text() == "Claim"
    assert page.evaluate(ACTIVE_SPAN) == str(claim.pk)


def test_second_tab_saving_a_stale_panel_gets_a_conflict(page, browser, open_article, annotator, article):
    annotation_set = make_set(article, annotator)
    span = make_span(annotation_set, "Claim", "Washington annually spends more than $ 700 billion on defence")
    first = open_article(page, annotator, article)
    second_context = browser.new_context(viewport={"width": 1400, "height": 900})
    errors = []
    try:
        second = second_context.new_page()
        second.on("pageerror", lambda exc: errors.append(str(exc)))
        open_article(second, annotator, article)
        for tab in (first, second):
            mark(tab, span.pk).click()
            panel_span(tab)

        first.select_option("#attr-verdict", "mostly-true")
        save(first)
        assert first.locator("#panel .message.success").inner_text() == "Saved."

        second.select_option("#attr-verdict", "pants-on-fire")
        second.fill("#span-note", "Seen on TV")
        save(second, status=409)
        assert "Someone changed this span" in second.locator("#panel .message.error").inner_text()
        # The second tab now shows what was saved in the first.
        assert second.input_value("#attr-verdict") == "mostly-true"
    finally:
        second_context.close()
    assert not errors, f"JavaScript errors in the second tab: {errors}"

    span.refresh_from_db()
    assert span.attributes == {"verdict": "mostly-true"}
    assert span.note == ""
    assert span.version == 2


def test_a_submitted_article_refuses_new_spans(page, open_article, annotator, article):
    open_article(page, annotator, article)
    page.click("#submit-set")
    page.locator(".status-badge", has_text="Submitted").wait_for()
    select_text(page, "Sergei Lavrov")
    page.keyboard.press("c")
    message = page.locator("#ws-message .message")
    message.wait_for()
    assert "submitted" in message.inner_text()
    assert page.locator("#panel .panel-inner").count() == 0
    assert page.locator("#article mark").count() == 0
    assert page.locator("#palette .label-btn").first.is_disabled()
    assert Span.objects.count() == 0


# ---------------------------------------------------------------- failures are shown


def test_a_lost_connection_is_reported_and_the_selection_kept(page, open_article, annotator, article):
    open_article(page, annotator, article)
    page.route("**/spans/", lambda route: route.abort())
    select_text(page, "Jong Ui Young")
    page.keyboard.press("a")
    message = page.locator("#ws-message .message")
    message.wait_for()
    assert "could not be reached" in message.inner_text()
    assert Span.objects.count() == 0
    # The selection is still there: once the connection is back, the same key works.
    assert page.evaluate(SELECTION) == "Jong Ui Young"
    page.unroute("**/spans/")
    span = Span.objects.get(pk=tag(page, "a"))
    assert span.text == "Jong Ui Young"
    assert message.count() == 0


def test_a_span_deleted_in_another_tab_says_so_when_clicked(page, open_article, annotator, article):
    span = make_span(make_set(article, annotator), "Actor", "Kim In Chol")
    open_article(page, annotator, article)
    Span.objects.filter(pk=span.pk).delete()
    mark(page, span.pk).click()
    message = page.locator("#ws-message .message")
    message.wait_for()
    assert "404" in message.inner_text() and "Reload the page" in message.inner_text()
    assert page.locator("#panel .panel-inner").count() == 0



def test_ctrl_enter_submits_and_opens_the_next_article(page, open_article, annotator, article):
    from annotator.models import AnnotationSet, SetStatus

    following = make_article(article.project, "A second article about talks in Seoul.", title="Seoul talks")
    open_article(page, annotator, article)
    select_text(page, "Sergei Lavrov")
    page.keyboard.press("a")
    page.locator("#panel .chip", has_text="Actor").wait_for()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"**/a/{following.pk}/")
    assert "Submitted. Thank you!" in page.inner_text("#messages")
    assert AnnotationSet.objects.get(article=article, user=annotator).status == SetStatus.SUBMITTED
