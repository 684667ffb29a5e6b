"""axe-core on every Factmark page (docs/design.md, rule 8): 0 violations at any impact, the
review page (with decisions taken) and the workspace with a span panel open included, at a
desktop and a phone width; and the admin pages managers work in with no critical or serious
violation.

Pages are found by walking the URL resolver (as tests/test_roles.py does): every route whose
GET answers a whole HTML page to a manager is checked, so a new page is covered without
touching this test. Annotators' own view of the project page and the workspace are checked too.
"""

import pytest
from django.test import Client
from django.urls import reverse

from annotator import review as reviewing
from annotator.models import SetStatus
from articles.models import Role
from tests.factories import make_article, make_entity, make_project, make_relation, make_set, make_span, make_user
from tests.test_urls import all_patterns, fill

from .axe import counts, describe, violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 390)
# Routes whose GET is no page of their own: downloads, stylesheets, or what a page's form posts to.
NOT_PAGES = {"dataset-export", "label-css", "logout"}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo():
    """A project as the demo has it, with two annotators' submitted sets that disagree, a decision
    taken into gold (with an entity link), a relation and an entity."""
    ann1, ann2, reviewer = make_user("annotator1"), make_user("annotator2"), make_user("reviewer")
    manager = make_user("manager", is_staff=True)
    project = make_project(slug="demo", name="Demo", annotators_per_article=2, members=[
        (ann1, Role.ANNOTATOR), (ann2, Role.ANNOTATOR), (reviewer, Role.REVIEWER), (manager, Role.MANAGER)])
    article = make_article(project, published="2021-10-28", source="Yonhap")
    kim = make_entity(project, "Jong Ui Young", aliases=["Jung Ui Young"])
    sets = [make_set(article, user, status=SetStatus.SUBMITTED) for user in (ann1, ann2)]
    for number, annotation_set in enumerate(sets):
        actor = make_span(annotation_set, "Actor", "Jong Ui Young", entity=kim if number == 0 else None)
        quote = make_span(annotation_set, "Quote", "Russia and the Republic of Korea are strategic partners")
        make_relation(annotation_set, "said_by", quote, actor)
        make_span(annotation_set, "Actor", "Sergei Lavrov")
        make_span(annotation_set, "Claim", "Jong Ui Young on Thursday completed his visit to Moscow",
                  attributes={"verdict": "true" if number else "false"})
    reviewing.accept_agreed(article=article, user=reviewer)
    place = reviewing.review_for(article).places[0]  # the actor (linked by one) and the claim (verdicts differ)
    reviewing.decide(article=article, key=place.key, choice=reviewing.TAKE, number=1, user=reviewer)
    make_span(sets[0], "Cue", "said")  # one more disagreement, left open
    return {"project": project, "article": article, "entity": kim, "sets": sets, "manager": manager,
            "annotator": ann1, "reviewer": reviewer}


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])


def route_values(demo):
    annotation_set = demo["sets"][0]
    span = annotation_set.spans.order_by("id").first()
    return {
        "slug": demo["project"].slug, "article_id": demo["article"].pk, "set_id": annotation_set.pk,
        "span_id": span.pk, "relation_id": annotation_set.relations.first().pk, "event_id": 1,
        "membership_id": demo["project"].memberships.get(user=demo["annotator"]).pk,
        "label_id": span.label_id, "type_id": annotation_set.relations.first().type_id,
        "entity_id": demo["entity"].pk,
    }


def whole_pages(page, live_server, values):
    """(name, url) of every route whose GET answers the signed-in user with a whole HTML page."""
    found = []
    for route, name in all_patterns():
        if name in NOT_PAGES:
            continue
        url = live_server.url + fill(route, values)
        answer = page.request.get(url, max_redirects=0)
        html = answer.headers.get("content-type", "").startswith("text/html")
        if answer.status == 200 and html and answer.text().lstrip().lower().startswith("<!doctype html"):
            found.append((name, url))
    return found


def check(page, where, failures, *, at_least="minor"):
    found = violations(page, at_least=at_least)
    if found:
        failures.append(f"{where}: {counts(found)}\n{describe(found)}")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_a_manager_opens_is_axe_clean(page, live_server, demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, demo["manager"])
    pages = whole_pages(page, live_server, route_values(demo))
    names = {name for name, _ in pages}
    expected = {"project-list", "project-detail", "review", "datasets", "dashboard", "agreement", "entities",
                "entity-edit", "project-labels", "label-edit", "project-members", "assignments", "article-history",
                "project-guidelines", "project-settings"}
    assert expected <= names, f"not reached as whole pages: {sorted(expected - names)}"
    failures = []
    for name, url in pages:
        if name == "workspace":
            continue  # tested below, as an annotator, with a panel open
        page.goto(url)
        check(page, f"{name} {url}", failures)
    assert not failures, f"at {width} px:\n" + "\n\n".join(failures)


# Elements reaching past the right edge of the screen that no scrolling box of their own holds,
# and whether the page as a whole scrolls sideways.
WIDER_THAN_THE_SCREEN = """() => {
    const out = [];
    for (const e of document.querySelectorAll('body *')) {
        const box = e.getBoundingClientRect();
        if (box.width === 0 || box.right <= innerWidth + 1) continue;
        let up = e.parentElement, held = false;
        for (; up && up !== document.body; up = up.parentElement) {
            if (getComputedStyle(up).overflowX !== 'visible') { held = true; break; }
        }
        if (!held) out.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')}`);
    }
    if (document.documentElement.scrollWidth > innerWidth + 1) {
        out.push(`the page itself scrolls sideways (${document.documentElement.scrollWidth} px)`);
    }
    return out.slice(0, 6);
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_is_wider_than_the_screen(page, live_server, demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, demo["manager"])
    wide = []
    for name, url in whole_pages(page, live_server, route_values(demo)):
        if name == "workspace":
            continue
        page.goto(url)
        over = page.evaluate(WIDER_THAN_THE_SCREEN)
        if over:
            wide.append(f"{name}: {', '.join(over)}")
    assert not wide, f"at {width} px:\n" + "\n".join(wide)


def test_login_page_is_axe_clean(page, live_server):
    page.goto(live_server.url + reverse("login"))
    failures = []
    check(page, "login", failures)
    assert not failures, "\n".join(failures)


def test_annotators_project_page_is_axe_clean(page, live_server, demo):
    sign_in(page, live_server, demo["annotator"])
    page.goto(live_server.url + reverse("project-detail", args=["demo"]))
    failures = []
    check(page, "project page, as an annotator", failures)
    assert not failures, "\n".join(failures)


def test_workspace_with_a_panel_open_is_axe_clean(page, live_server, demo):
    demo["sets"][0].status = SetStatus.IN_PROGRESS
    demo["sets"][0].save()
    sign_in(page, live_server, demo["annotator"])
    page.goto(live_server.url + reverse("workspace", args=["demo", demo["article"].pk]))
    failures = []
    check(page, "workspace", failures)
    page.locator("#article mark", has_text="Russia and the Republic of Korea").first.click()
    page.locator("#panel .panel-inner").wait_for()
    check(page, "workspace, quote panel open", failures)
    assert not failures, "\n".join(failures)


ADMIN_PAGES = [
    ("articles_project", lambda d: d["project"].pk),
    ("annotator_label", lambda d: d["project"].labels.get(name="Claim").pk),
    ("articles_article", lambda d: d["article"].pk),
]


@pytest.mark.parametrize("user", ["manager", "superuser"])
def test_admin_pages_managers_use_have_no_critical_or_serious_violations(page, live_server, demo, user):
    who = demo["manager"] if user == "manager" else make_user("root", is_staff=True, is_superuser=True)
    sign_in(page, live_server, who)
    failures = []
    urls = [reverse("admin:index")] + [reverse(f"admin:{name}_change", args=[pk(demo)]) for name, pk in ADMIN_PAGES]
    urls += [reverse(f"admin:{name}_changelist") for name, _ in ADMIN_PAGES]
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        check(page, url, failures, at_least="serious")
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("width", WIDTHS)
def test_review_page_is_axe_clean_as_a_reviewer_works_through_it(page, live_server, demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, demo["reviewer"])
    page.goto(live_server.url + reverse("review", args=["demo", demo["article"].pk]))
    failures = []
    check(page, "review page", failures)
    page.keyboard.press("2")  # take annotator 2's version of the focused item (the fixture decided the first)
    page.wait_for_selector(".rv-item .state:text('took 2 · annotator2')")
    check(page, "review page, after a decision", failures)
    page.click("#rv-show-help")
    check(page, "review page, shortcuts open", failures)
    page.keyboard.press("Escape")
    page.click("#gold-done")  # refused while items are open: the message says so
    page.wait_for_selector("#rv-message .message")
    check(page, "review page, with a message", failures)
    assert not failures, "\n\n".join(failures)
