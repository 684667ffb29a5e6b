"""A reviewer settles disagreements into gold from the keyboard."""

import pytest

from annotator.models import AnnotationSet, SetStatus, Span
from articles.models import Role
from tests.factories import make_article, make_project, make_set, make_span, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def disputed():
    ann1, ann2, reviewer = make_user("annotator1"), make_user("annotator2"), make_user("reviewer")
    project = make_project(slug="demo", annotators_per_article=2, members=[
        (ann1, Role.ANNOTATOR), (ann2, Role.ANNOTATOR), (reviewer, Role.REVIEWER)])
    article = make_article(project)
    a = make_set(article, ann1, status=SetStatus.SUBMITTED)
    b = make_set(article, ann2, status=SetStatus.SUBMITTED)
    for s in (a, b):
        make_span(s, "Actor", "Sergei Lavrov", attributes={"kind": "person"})
    make_span(a, "Claim", "Jong Ui Young on Thursday completed his visit to Moscow", attributes={"verdict": "true"})
    make_span(b, "Claim", "Jong Ui Young on Thursday completed his visit to Moscow", attributes={"verdict": "false"})
    make_span(a, "Cue", "said")
    return project, article, reviewer


def gold(article):
    return list(Span.objects.filter(annotation_set__article=article, annotation_set__is_gold=True).order_by("start"))


def test_reviewer_settles_the_article_with_keys(page, live_server, log_in, disputed):
    project, article, reviewer = disputed
    log_in(page, reviewer)
    page.goto(f"{live_server.url}/p/demo/review/{article.pk}/")
    # The first open disagreement has the focus: the claim, where the verdicts differ.
    first = page.locator(".rv-item.focused")
    assert "Jong Ui Young on Thursday" in first.inner_text()
    page.keyboard.press("2")
    page.wait_for_selector("#item-1 .state:text('took 2 · annotator2')")
    assert [(s.text, s.attributes) for s in gold(article)] == [
        ("Jong Ui Young on Thursday completed his visit to Moscow", {"verdict": "false"})]
    # The focus moved on by itself to the next open one, the cue: drop it.
    assert "said" in page.locator(".rv-item.focused").inner_text()
    page.keyboard.press("x")
    page.wait_for_selector("#item-2 .state:text('dropped')")
    # Accept what both agree on, then finish.
    page.keyboard.press("a")
    page.wait_for_selector("#rv-message:has-text('Accepted 1 agreed span')")
    page.click("#gold-done")
    page.wait_for_selector("#gold-status:text('Done')")
    assert AnnotationSet.objects.get(article=article, is_gold=True).status == SetStatus.DONE
    assert [s.text for s in gold(article)] == ["Jong Ui Young on Thursday completed his visit to Moscow",
                                               "Sergei Lavrov"]


def test_edit_key_opens_the_gold_span_in_the_panel(page, live_server, log_in, disputed):
    project, article, reviewer = disputed
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    log_in(page, reviewer)
    page.goto(f"{live_server.url}/p/demo/review/{article.pk}/")
    page.keyboard.press("e")
    page.wait_for_selector("#rv-message:has-text('Take a version first')")
    page.keyboard.press("1")
    page.wait_for_selector("#item-1 .state:text('took 1 · annotator1')")
    page.keyboard.press("k")  # the focus moved on; back to the claim
    page.keyboard.press("e")
    page.wait_for_selector("#panel #span-note")
    page.fill("#span-note", "Checked against the ministry's statement")
    page.click("#panel button[type=submit].primary")
    page.wait_for_selector("#panel .message.success")
    [claim] = [s for s in gold(article) if s.label.name == "Claim"]
    assert claim.note == "Checked against the ministry's statement"
    # The saved note shows in the refreshed list, and the workspace-only parts of
    # the answer were left out instead of missing their targets.
    page.wait_for_selector("#item-1 .gold-now")
    assert errors == []


def test_reviewer_sends_a_set_back_and_the_annotator_reads_why(page, live_server, log_in, disputed, browser):
    project, article, reviewer = disputed
    log_in(page, reviewer)
    page.goto(f"{live_server.url}/p/demo/review/{article.pk}/")
    page.click("#annotator-2 summary:text('Send back…')")
    # Typing the reason presses no review keys: "x" would drop, "2" would take a version.
    page.fill("#reason-2", "")
    page.type("#reason-2", "Check the verdict: x2")
    page.click("#annotator-2 button:text('Send back')")
    page.wait_for_selector("#rv-message:has-text('Sent back to annotator2')")
    assert "in progress" in page.inner_text("#annotator-2")
    assert page.locator("#annotator-2 summary").count() == 0
    assert not gold(article)
    theirs = AnnotationSet.objects.get(article=article, user__username="annotator2")
    assert theirs.status == SetStatus.IN_PROGRESS

    annotator = browser.new_context().new_page()
    log_in(annotator, theirs.user)
    annotator.goto(f"{live_server.url}/p/demo/a/{article.pk}/")
    assert "Check the verdict: x2" in annotator.inner_text("#sent-back")
    annotator.click("#submit-set")
    annotator.wait_for_selector(".message:text('Submitted. Thank you!')")
    assert annotator.locator("#sent-back").count() == 0
    annotator.context.close()


def test_n_opens_the_next_article_to_review(page, live_server, log_in, disputed):
    project, article, reviewer = disputed
    waiting = make_article(project, "Another article, both annotators done.", title="Second")
    for user in project.members.filter(memberships__role=Role.ANNOTATOR):
        make_set(waiting, user, status=SetStatus.SUBMITTED)
    log_in(page, reviewer)
    page.goto(f"{live_server.url}/p/demo/review/{article.pk}/")
    page.keyboard.press("n")
    page.wait_for_url(f"**/review/{waiting.pk}/")
    page.keyboard.press("n")
    page.wait_for_url(f"**/review/{article.pk}/")


def test_a_decision_made_meanwhile_is_not_overwritten(page, live_server, log_in, disputed, browser):
    project, article, reviewer = disputed
    log_in(page, reviewer)
    page.goto(f"{live_server.url}/p/demo/review/{article.pk}/")
    # A second reviewer, on a page of their own, settles the claim first.
    other = browser.new_context().new_page()
    log_in(other, reviewer)
    other.goto(f"{live_server.url}/p/demo/review/{article.pk}/")
    other.keyboard.press("1")
    other.wait_for_selector("#item-1 .state:text('took 1 · annotator1')")
    other.context.close()
    # The first page still shows the claim open; taking 2 there is refused, and the list catches up.
    assert "open" in page.inner_text("#item-1 .state").lower()
    page.keyboard.press("2")
    page.wait_for_selector("#rv-message:has-text('Someone else decided this item')")
    page.wait_for_selector("#item-1 .state:text('took 1 · annotator1')")
    assert [(s.text, s.attributes) for s in gold(article)] == [
        ("Jong Ui Young on Thursday completed his visit to Moscow", {"verdict": "true"})]
