"""Small things on the app's pages, as a person sees them: no request fails while a page
loads (the favicon included), buttons keep their arrow on one line, dates do not wrap, the
export format list shows whole names, and file inputs look like the other controls."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Role
from tests.factories import make_article, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def manager_page(page, live_server):
    manager = make_user("manager", is_staff=True)
    project = make_project(slug="demo", name="Demo", members=[(manager, Role.MANAGER)])
    make_article(project, published="2021-10-28", source="Yonhap")
    client = Client()
    client.force_login(manager)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    return page


def lines(page, selector) -> int:
    """On how many lines the text of the first element matching ``selector`` is laid out."""
    return page.evaluate("""(selector) => {
        const range = document.createRange();
        range.selectNodeContents(document.querySelector(selector));
        return new Set([...range.getClientRects()].map(r => Math.round(r.bottom))).size;
    }""", selector)


@pytest.mark.parametrize("path", ["project-list", "project-detail", "datasets", "admin:index"])
def test_no_request_fails_while_a_page_loads(manager_page, live_server, path):
    failed = []
    manager_page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    url = reverse(path, args=["demo"]) if path in ("project-detail", "datasets") else reverse(path)
    manager_page.goto(live_server.url + url)
    manager_page.wait_for_load_state("networkidle")
    assert not failed
    icon = manager_page.get_attribute("link[rel=icon]", "href")
    assert icon and manager_page.request.get(live_server.url + icon).status == 200


@pytest.mark.parametrize("width", [1280, 390])
def test_next_article_keeps_its_arrow_and_dates_stay_on_one_line(manager_page, live_server, width):
    manager_page.set_viewport_size({"width": width, "height": 900})
    manager_page.goto(live_server.url + reverse("project-detail", args=["demo"]))
    assert lines(manager_page, "#start-next") == 1
    assert lines(manager_page, "table.articles td.date") == 1


def test_export_format_list_shows_whole_names(manager_page, live_server):
    manager_page.goto(live_server.url + reverse("datasets", args=["demo"]))
    fits = manager_page.evaluate("""() => {
        const select = document.querySelector('#id_format');
        const context = document.createElement('canvas').getContext('2d');
        context.font = getComputedStyle(select).font;
        const widest = Math.max(...[...select.options].map(o => context.measureText(o.text).width));
        return widest + 40 <= select.clientWidth;  // the text, its padding and the arrow
    }""")
    assert fits


def test_file_inputs_are_styled_like_buttons(manager_page, live_server):
    manager_page.goto(live_server.url + reverse("datasets", args=["demo"]))
    radius = manager_page.evaluate(
        "() => getComputedStyle(document.querySelector('input[type=file]'), '::file-selector-button').borderRadius")
    assert radius == "6px"
