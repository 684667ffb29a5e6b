"""Every page, admin included, under the enforced Content-Security-Policy in a real
browser: no violation, no console error, no script run from hostile content.

Pages come from the URL resolver and the admin registry (tests.test_security), filled
with real objects whose text is hostile, so new pages are covered without a change here.
"""

import pytest

from tests.factories import make_user
from tests.test_security import admin_pages, build_hostile, get_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
    const where = e.sourceFile + ":" + e.lineNumber;
    window.reportViolation([e.violatedDirective, e.blockedURI, where, e.sample].join(" | "));
});
"""


@pytest.fixture
def watched(page):
    """The page, with every CSP violation, console error and dialog recorded."""
    problems = []
    page.expose_function("reportViolation", lambda text: problems.append(f"{page.url}: CSP {text}"))
    page.add_init_script(REPORT_VIOLATIONS)

    def console(msg):
        # A page answering 403 or 422 is logged as a failed load of that page itself:
        # its status is what the visit expects, not a problem.  So is the browser's own
        # guess at /favicon.ico for a fragment opened on its own (pages name their icon).
        failed_load = msg.text.startswith("Failed to load resource")
        url = msg.location.get("url", "")
        if msg.type == "error" and not (failed_load and (url == page.url or url.endswith("/favicon.ico"))):
            problems.append(f"{page.url}: console {msg.text} ({msg.location.get('url')})")

    page.on("console", console)
    page.on("dialog", lambda dialog: (problems.append(f"{page.url}: dialog {dialog.message}"), dialog.dismiss()))
    page.problems = problems
    return page


def visit(page, base, urls):
    """Open each URL that answers GET with a page (routes that only take POST say 405;
    the label stylesheet is not a page)."""
    statuses = {}
    for url in urls:
        probe = page.request.get(base + url, max_redirects=0)
        if probe.status == 405 or not probe.headers.get("content-type", "text/html").startswith("text/html"):
            continue
        response = page.goto(base + url, wait_until="networkidle")
        statuses[url] = response.status
    return statuses


@pytest.fixture
def hostile(project, annotator, manager):
    return build_hostile(project, annotator, manager)


def test_every_page_as_an_annotator(watched, live_server, log_in, hostile, annotator):
    log_in(watched, annotator)
    statuses = visit(watched, live_server.url, get_pages(hostile.values()))
    assert not watched.problems, "\n".join(watched.problems)
    assert 200 in statuses.values()
    # Still logged in: nothing in the hostile text made a request of its own.
    assert watched.goto(live_server.url + "/").url == live_server.url + "/"


def test_every_page_and_admin_page_as_a_superuser(watched, live_server, log_in, hostile):
    root = make_user("root", is_superuser=True, is_staff=True)
    log_in(watched, root)
    urls = get_pages(hostile.values()) + admin_pages()
    statuses = visit(watched, live_server.url, urls)
    assert not watched.problems, "\n".join(watched.problems)
    assert sum(status == 200 for status in statuses.values()) > len(urls) // 2, statuses


def test_htmx_runs_with_the_safe_configuration(watched, live_server, log_in, hostile, annotator):
    log_in(watched, annotator)
    watched.goto(f"{live_server.url}/p/{hostile.project.slug}/a/{hostile.article.pk}/")
    config = watched.evaluate(
        "() => ({allowEval: htmx.config.allowEval, allowScriptTags: htmx.config.allowScriptTags,"
        " includeIndicatorStyles: htmx.config.includeIndicatorStyles,"
        " selfRequestsOnly: htmx.config.selfRequestsOnly, historyCacheSize: htmx.config.historyCacheSize})"
    )
    assert config == {"allowEval": False, "allowScriptTags": False, "includeIndicatorStyles": False,
                      "selfRequestsOnly": True, "historyCacheSize": 0}
    assert watched.evaluate("() => document.querySelectorAll('svg[onload], script:not([src]):not([type])').length") == 0


def test_the_policy_is_enforced_in_the_browser(watched, live_server, log_in, annotator, project):
    """A control: an inline script and an inline style put into the page are refused
    and reported, so the silence of the tests above means something."""
    log_in(watched, annotator)
    watched.goto(f"{live_server.url}/p/{project.slug}/")
    ran = watched.evaluate("""() => {
        window.ranInline = false;
        const s = document.createElement('script');
        s.textContent = 'window.ranInline = true';
        document.body.appendChild(s);
        const d = document.createElement('div');
        d.innerHTML = '<p style="color: red">x</p>';
        document.body.appendChild(d);
        return window.ranInline;
    }""")
    watched.wait_for_timeout(200)
    assert ran is False
    assert any("script-src" in p for p in watched.problems), watched.problems
    assert any("style-src" in p for p in watched.problems), watched.problems
    watched.problems.clear()
