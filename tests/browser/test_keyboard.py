"""The workspace from the keyboard, and the span panel: what an analyst sees and
what the server keeps when they use keys, the palette, the panel and two tabs."""

import pytest
from django.test import Client

from annotator.models import Relation, Span
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


def saved(page, change, status=200):
    """Make a change in the panel (a callable) and wait until its autosave answer is on the page."""
    with page.expect_response(lambda r: r.url.endswith("/edit/")) as response:
        change()
    assert response.value.status == status
    page.wait_for_load_state()
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def settled(page):
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


def active(page, script="e => e.id || e.tagName"):
    return page.evaluate(f"() => ({script})(document.activeElement)")


def test_tab_goes_through_the_page_and_the_article_is_one_stop(page, open_article, annotator, article, three_spans):
    """Bug 1: Tab reached only the spans; Submit, the palette and the panel were never reached."""
    lavrov, claim, kim = three_spans
    open_article(page, annotator, article)
    for _ in range(20):
        page.keyboard.press("Tab")
        if active(page) == "article":
            break
    assert active(page) == "article"
    page.keyboard.press("Tab")  # one stop: the next Tab leaves the article
    assert active(page) == "submit-set"
    stops = []
    for _ in range(30):
        page.keyboard.press("Tab")
        stops.append(active(page, "e => e.id || e.className || e.tagName"))
    assert "next-article" in stops and any("label-btn" in s for s in stops) and "show-help" in stops
    assert not any(s == "article" for s in stops[:5])
    page.locator("#article").focus()
    page.keyboard.press("Shift+Tab")
    assert not page.evaluate("() => document.getElementById('article').contains(document.activeElement)")

    # From a span, Tab leaves the article too (no cycling through the spans).
    page.locator("#article").focus()
    page.keyboard.press("j")
    assert page.evaluate(ACTIVE_SPAN) == str(lavrov.pk)
    page.keyboard.press("Tab")
    assert active(page) == "submit-set"
    page.keyboard.press("Shift+Tab")
    assert active(page) == "article"

    # Enter opens the span's panel and moves into it; Tab stays in reading order; Esc comes back.
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate(ACTIVE_SPAN) == str(claim.pk)
    page.keyboard.press("Enter")
    assert panel_span(page) == claim.pk
    page.wait_for_function("() => document.getElementById('panel').contains(document.activeElement)")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('panel').contains(document.activeElement)")
    page.keyboard.press("Escape")
    assert page.locator("#panel .panel-inner").count() == 0
    assert page.evaluate(ACTIVE_SPAN) == str(claim.pk)
    # Nothing traps focus: from the panel, Tab goes on to the sidebar.
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('panel').contains(document.activeElement)")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.getElementById('sidebar').contains(document.activeElement)"):
            break
    assert page.evaluate("() => document.getElementById('sidebar').contains(document.activeElement)")


def test_j_k_enter_delete_and_undo(page, open_article, annotator, article, three_spans):
    lavrov, claim, kim = three_spans
    open_article(page, annotator, article)
    page.locator("#article").focus()

    page.keyboard.press("j")
    assert page.evaluate(ACTIVE_SPAN) == str(lavrov.pk)
    page.keyboard.press("j")
    assert page.evaluate(ACTIVE_SPAN) == str(claim.pk)
    page.keyboard.press("ArrowDown")
    assert page.evaluate(ACTIVE_SPAN) == str(kim.pk)
    page.keyboard.press("k")
    assert page.evaluate(ACTIVE_SPAN) == str(claim.pk)
    page.keyboard.press("ArrowUp")
    assert page.evaluate(ACTIVE_SPAN) == str(lavrov.pk)
    page.keyboard.press("j")

    page.keyboard.press("Enter")
    assert panel_span(page) == claim.pk
    assert page.locator("#panel .chip").inner_text() == "Claim"
    page.keyboard.press("Escape")
    assert page.evaluate(ACTIVE_SPAN) == str(claim.pk)

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
    mark(page, lavrov.pk).focus()
    page.keyboard.press("Delete")
    page.locator("#panel .undo-line").wait_for()
    assert not Span.objects.filter(pk=lavrov.pk).exists()
    assert page.evaluate(ACTIVE_SPAN) == str(restored.pk)
    assert page.locator("#article mark").count() == 2


def test_a_span_is_made_without_a_mouse(page, open_article, annotator, article):
    """Arrows move a caret a word at a time, Shift+arrows select words, the label key tags."""
    open_article(page, annotator, article)
    for _ in range(20):
        page.keyboard.press("Tab")
        if active(page) == "article":
            break
    assert page.locator("#caret").is_visible()
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # Foreign, Minister, Sergei
    page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate(SELECTION) == "Sergei"
    page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate(SELECTION) == "Sergei Lavrov"
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowLeft")
    assert page.evaluate(SELECTION) == "Sergei Lavrov"
    page.keyboard.press("Control+Shift+ArrowLeft")  # a character at a time
    assert page.evaluate(SELECTION) == "Sergei Lavro"
    page.keyboard.press("Alt+Shift+ArrowRight")
    assert page.evaluate(SELECTION) == "Sergei Lavrov"
    span = Span.objects.get(pk=tag(page, "a"))
    assert (span.text, span.label.name) == ("Sergei Lavrov", "Actor")
    # The new span has the focus: the keys act on it.
    assert page.evaluate(ACTIVE_SPAN) == str(span.pk)
    assert mark(page, span.pk).get_attribute("aria-label") == "Actor: Sergei Lavrov"
    # ←/→ go on from there ("said", "Washington"); a caret moved with Ctrl+→ goes a character.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate(SELECTION) == "Washington"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Control+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate(SELECTION) == "ashington"


def test_a_selection_across_paragraphs_asks_first(page, open_article, annotator, article):
    open_article(page, annotator, article)
    select_text(page, "defence.Jong Ui")  # the paragraphs' text nodes, one after the other
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.keyboard.press("c")
    page.wait_for_timeout(300)
    assert asked and "paragraph" in asked[0]
    assert Span.objects.count() == 0
    page.once("dialog", lambda d: d.accept())
    span = Span.objects.get(pk=tag(page, "c"))
    assert "\n" in span.text


def test_digits_set_the_verdict_of_the_focused_claim(page, open_article, annotator, article, three_spans):
    from annotator.attributes import RATING_SCALE

    lavrov, claim, kim = three_spans
    open_article(page, annotator, article)
    mark(page, claim.pk).focus()
    with page.expect_response(lambda r: r.url.endswith("/edit/")):
        page.keyboard.press("2")
    settled(page)
    claim.refresh_from_db()
    assert claim.attributes == {"verdict": RATING_SCALE[1]}
    # Listed in the panel in the same order, shown on the claim in the text and the sidebar.
    assert page.locator("#attr-verdict option").nth(2).inner_text().startswith("2 ·")
    assert mark(page, claim.pk).first.get_attribute("data-verdict") == RATING_SCALE[1]
    assert RATING_SCALE[1] in page.inner_text(f"#item-span-{claim.pk}")
    assert page.evaluate(ACTIVE_SPAN) == str(claim.pk)
    with page.expect_response(lambda r: r.url.endswith("/edit/")):
        page.keyboard.press("5")
    settled(page)
    claim.refresh_from_db()
    assert claim.attributes == {"verdict": RATING_SCALE[4]}
    # On an actor the digits do nothing.
    mark(page, kim.pk).focus()
    page.keyboard.press("1")
    page.wait_for_timeout(200)
    kim.refresh_from_db()
    assert kim.attributes == {}


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
    # Every field saves on change: no Save button.
    saved(page, lambda: page.select_option("#attr-verdict", "false"))
    saved(page, lambda: page.select_option("#attr-checkworthy", label="yes"))
    assert page.locator("#panel .save-state").inner_text() == "Saved"
    assert page.locator("#panel button:has-text('Save')").count() == 0

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

        saved(first, lambda: first.select_option("#attr-verdict", "mostly-true"))
        assert first.locator("#panel .save-state").inner_text() == "Saved"

        saved(second, lambda: second.select_option("#attr-verdict", "pants-on-fire"), status=409)
        assert "Someone changed this span" in second.locator("#panel .message.error").inner_text()
        # The second tab now shows what was saved in the first.
        assert second.input_value("#attr-verdict") == "mostly-true"
    finally:
        second_context.close()
    assert not errors, f"JavaScript errors in the second tab: {errors}"

    span.refresh_from_db()
    assert span.attributes == {"verdict": "mostly-true"}
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


# ---------------------------------------------------------------- the panel saves as you go


def test_panel_fields_save_on_change_and_survive_switching_spans_and_link(page, open_article, annotator, article):
    """Bug 2: a quote's type was lost on switching spans, a claim's check-worthiness on pressing Link."""
    annotation_set = make_set(article, annotator)
    quote = make_span(annotation_set, "Quote", "Washington annually spends more than $ 700 billion on defence")
    actor = make_span(annotation_set, "Actor", "Sergei Lavrov")
    claim = make_span(annotation_set, "Claim", "Jong Ui Young met Kim In Chol in Moscow")
    kim = make_span(annotation_set, "Actor", "Kim In Chol")
    open_article(page, annotator, article)

    mark(page, quote.pk).click()
    panel_span(page)
    saved(page, lambda: page.select_option("#attr-type", "indirect"))
    saved(page, lambda: page.fill("#span-note", "reported speech") or page.locator("#span-note").blur())
    mark(page, actor.pk).click()
    panel_span(page, quote.pk)
    mark(page, quote.pk).click()
    panel_span(page, actor.pk)
    assert page.input_value("#attr-type") == "indirect"
    assert page.input_value("#span-note") == "reported speech"

    mark(page, claim.pk).first.click()
    panel_span(page, quote.pk)
    page.locator("#panel .relations select").first.wait_for()
    saved(page, lambda: page.select_option("#attr-checkworthy", label="yes"))
    claimed_by = page.locator("#panel .relation-form", has_text="Claimed by")
    claimed_by.locator("select").select_option(label="Kim In Chol")
    claimed_by.get_by_role("button", name="Link").click()
    page.locator("#panel .relation-list", has_text="claimed by").wait_for()
    assert page.input_value("#attr-checkworthy") == "true"
    claim.refresh_from_db()
    quote.refresh_from_db()
    assert claim.attributes == {"checkworthy": True}
    assert (quote.attributes, quote.note) == ({"type": "indirect"}, "reported speech")
    assert claim.outgoing.get().target == kim


# ---------------------------------------------------------------- linking from the text


def test_l_numbers_the_candidates_nearest_first_and_a_digit_links(page, open_article, annotator, article):
    annotation_set = make_set(article, annotator)
    quote = make_span(annotation_set, "Quote", "Washington annually spends more than $ 700 billion on defence")
    lavrov = make_span(annotation_set, "Actor", "Sergei Lavrov")
    kim = make_span(annotation_set, "Actor", "Kim In Chol")
    said = make_span(annotation_set, "Cue", "said")
    open_article(page, annotator, article)
    mark(page, quote.pk).focus()
    page.keyboard.press("l")
    hint = page.locator("#link-hint")
    assert "said by" in hint.inner_text() and "1–2" in hint.inner_text()
    badges = page.locator("#reader .link-badge")
    assert badges.count() == 2
    # Nearest first: Lavrov (just before the quote) is 1, Kim (the next paragraph) is 2.
    first_badge, lavrov_box = badges.nth(0).bounding_box(), mark(page, lavrov.pk).bounding_box()
    assert abs(first_badge["y"] - lavrov_box["y"]) < 30
    with page.expect_response(lambda r: r.url.endswith("/relations/")):
        page.keyboard.press("1")
    page.locator("#relation-items li", has_text="said by").wait_for()
    assert badges.count() == 0 and hint.is_hidden()
    assert page.evaluate(ACTIVE_SPAN) == str(quote.pk)

    # Again: said by is there, so l goes to the cue; a click on a numbered span picks it.
    page.keyboard.press("l")
    assert "cue" in hint.inner_text()
    assert badges.count() == 1
    with page.expect_response(lambda r: r.url.endswith("/relations/")):
        mark(page, said.pk).click()
    page.locator("#relation-items li", has_text="cue").wait_for()
    links = {(r.type.name, r.source_id, r.target_id) for r in Relation.objects.all()}
    assert links == {("said_by", quote.pk, lavrov.pk), ("cue", quote.pk, said.pk)}

    # From an actor, l offers what links to it; Esc cancels.
    mark(page, kim.pk).focus()
    page.keyboard.press("l")
    assert "Quote" in hint.inner_text() or "Claim" in hint.inner_text()
    page.keyboard.press("Escape")
    assert hint.is_hidden() and badges.count() == 0

    # Hovering or focusing a span draws its links to the other ends.
    mark(page, quote.pk).hover()
    assert page.locator("#links-overlay path").count() == 2
    assert "linked-end" in mark(page, lavrov.pk).get_attribute("class")
    page.mouse.move(5, 5)
    mark(page, kim.pk).focus()
    assert page.locator("#links-overlay path").count() == 0


# ---------------------------------------------------------------- undo and redo


def test_ctrl_z_undoes_and_ctrl_shift_z_redoes_the_last_changes(page, open_article, annotator, article):

    open_article(page, annotator, article)
    select_text(page, "Sergei Lavrov")
    actor = Span.objects.get(pk=tag(page, "a"))
    select_text(page, "Washington annually spends more than $ 700 billion on defence")
    claim = Span.objects.get(pk=tag(page, "c"))
    saved(page, lambda: page.select_option("#attr-verdict", "false"))
    claimed_by = page.locator("#panel .relation-form", has_text="Claimed by")
    claimed_by.locator("select").select_option(label="Sergei Lavrov")
    claimed_by.get_by_role("button", name="Link").click()
    page.locator("#relation-items li", has_text="claimed by").wait_for()
    page.locator("#panel .close-panel").click()

    def undo(keys="Control+z"):
        with page.expect_response(lambda r: "/undo/" in r.url or "/redo/" in r.url):
            page.keyboard.press(keys)
        settled(page)
        return page.inner_text("#ws-message")

    assert "Undone" in undo() and Relation.objects.count() == 0
    assert page.locator("#relation-items li").count() == 0
    assert "Undone" in undo()
    claim.refresh_from_db()
    assert claim.attributes == {}
    assert mark(page, claim.pk).first.get_attribute("data-verdict") is None
    assert "Undone" in undo()
    assert not Span.objects.filter(pk=claim.pk).exists() and mark(page, claim.pk).count() == 0
    assert page.locator(f"#count-label-{claim.label_id}").inner_text() == "0"

    assert "Redone" in undo("Control+Shift+z")
    back = Span.objects.get(label=claim.label)
    assert mark(page, back.pk).count() >= 1
    assert "Redone" in undo("Control+Shift+z")
    back.refresh_from_db()
    assert back.attributes == {"verdict": "false"}
    assert "Redone" in undo("Control+Shift+z")
    assert Relation.objects.get().source == back
    assert "Nothing to redo" in undo("Control+Shift+z")
    # A delete is undone the same way.
    mark(page, actor.pk).focus()
    page.keyboard.press("Delete")
    page.locator("#panel .undo-line").wait_for()
    assert "Undone" in undo()
    assert Span.objects.filter(text="Sergei Lavrov").exists() and Relation.objects.count() == 1


# ---------------------------------------------------------------- submitting


def test_submit_warns_with_a_checklist_first(page, open_article, annotator, article):
    from annotator.models import AnnotationSet, SetStatus

    annotation_set = make_set(article, annotator)
    claim = make_span(annotation_set, "Claim", "Washington annually spends more than $ 700 billion on defence")
    make_span(annotation_set, "Quote", "Jong Ui Young met Kim In Chol")
    open_article(page, annotator, article)
    page.click("#submit-set")
    checklist = page.locator("#checklist")
    checklist.wait_for()
    text = checklist.inner_text()
    assert "2 spans still lack something" in text
    assert "no verdict" in text and "no said by" in text
    assert AnnotationSet.objects.get(pk=annotation_set.pk).status != SetStatus.SUBMITTED
    checklist.locator(f'[data-goto="{claim.pk}"]').click()
    assert panel_span(page) == claim.pk
    page.click("#submit-anyway")
    page.locator(".status-badge", has_text="Submitted").wait_for()
    assert AnnotationSet.objects.get(pk=annotation_set.pk).status == SetStatus.SUBMITTED


def test_slash_finds_text_and_enter_selects_it(page, open_article, annotator, article):
    open_article(page, annotator, article)
    page.locator("#article").focus()
    page.keyboard.press("/")
    assert page.evaluate("() => document.activeElement.id") == "find-q"
    page.keyboard.type("kim in")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "article"
    assert page.evaluate(SELECTION) == "Kim In"
    page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate(SELECTION) == "Kim In Chol"
    span = Span.objects.get(pk=tag(page, "a"))
    assert span.text == "Kim In Chol"
    # Esc leaves the search without selecting anything.
    page.keyboard.press("/")
    page.keyboard.type("Moscow")
    page.keyboard.press("Escape")
    assert page.evaluate("() => document.activeElement.id") == "article"
    assert page.evaluate(SELECTION) == ""
