"""The API's documentation page in a real browser, under the site's enforced
Content-Security-Policy: Swagger UI loads from this site alone, renders every operation
from the schema, and nothing it does is refused by the policy or logged as an error."""

import pytest

from .test_csp import REPORT_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_runs_under_the_csp(page, live_server, log_in, annotator, project):
    problems = []
    page.expose_function("reportViolation", lambda text: problems.append(f"CSP {text}"))
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda msg: problems.append(f"console {msg.text}") if msg.type == "error" else None)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, annotator)
    response = page.goto(live_server.url + "/api/v1/docs", wait_until="networkidle")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock", timeout=10_000)
    assert page.locator(".opblock").count() >= 20
    assert "/api/v1/projects/{slug}/export" in page.content()
    assert not problems, "\n".join(problems)
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requested), requested
