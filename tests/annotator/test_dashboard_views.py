"""The progress dashboard, the agreement page and an article's history: what each role
sees, the numbers shown, htmx fragments, and query counts that do not grow."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator.models import Event, SetStatus
from annotator.sets import set_reopen, set_submit
from annotator.spans import relation_create, relation_delete, span_create, span_delete, span_update
from annotator.views.dashboard import describe
from tests.annotator.conftest import CLAIM
from tests.factories import (
    Role,
    annotate,
    label,
    make_article,
    make_project,
    make_relation,
    make_set,
    make_span,
    make_user,
)
from tests.html import collapsed  # noqa: E402

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def row_cells(body: str, first_cell: str) -> list[str]:
    """The texts of the cells of the table row whose first cell reads ``first_cell``."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [text_of(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row starting {first_cell!r}")


def section(body: str, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]*id="{element_id}"[^>]*>(.*?)</\1>', body, re.S)
    assert match, f"no element #{element_id}"
    return text_of(match.group(2))


def assert_csp_friendly(body: str):
    """No inline style attributes and no inline scripts: the pages survive a strict CSP."""
    assert not re.search(r"\sstyle=", body)
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)


def dashboard_url(project):
    return reverse("dashboard", args=[project.slug])


def agreement_url(project):
    return reverse("agreement", args=[project.slug])


def history_url(article):
    return reverse("article-history", args=[article.project.slug, article.pk])


# ---------------------------------------------------------------- roles


@pytest.mark.parametrize("url_for, what", [(dashboard_url, "its progress dashboard"),
                                           (agreement_url, "its inter-annotator agreement")])
def test_annotator_gets_403_with_a_message(client, project, annotator, url_for, what):
    client.force_login(annotator)
    message = f"Only reviewers and managers of “Newsroom” can see {what}; you are an annotator there."
    response = client.get(url_for(project))
    assert response.status_code == 403
    assert html.escape(message, quote=False) in response.content.decode()
    fragment = client.get(url_for(project), HTTP_HX_TARGET="activity", **HX)
    assert fragment.status_code == 403
    assert message in fragment.content.decode()


@pytest.mark.parametrize("url_for", [dashboard_url, agreement_url])
@pytest.mark.parametrize("who", ["reviewer", "manager"])
def test_reviewers_and_managers_open_dashboard_and_agreement(client, project, who, request, url_for):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url_for(project))
    assert response.status_code == 200
    assert_csp_friendly(response.content.decode())


def test_outsider_gets_404_everywhere(client, project, article, outsider):
    client.force_login(outsider)
    for url in (dashboard_url(project), agreement_url(project), history_url(article)):
        assert client.get(url).status_code == 404
        assert client.get(url, **HX).status_code == 404


def test_history_of_an_article_of_another_project_is_404(client, project, reviewer):
    elsewhere = make_article(make_project(slug="elsewhere"))
    client.force_login(reviewer)
    url = reverse("article-history", args=[project.slug, elsewhere.pk])
    assert client.get(url).status_code == 404


def test_project_page_links_to_dashboard_and_agreement_for_reviewers_only(client, project, annotator, reviewer):
    client.force_login(reviewer)
    body = client.get(project.get_absolute_url()).content.decode()
    assert f'href="{dashboard_url(project)}">Progress</a>' in body
    assert f'href="{agreement_url(project)}">Agreement</a>' in body
    client.force_login(annotator)
    body = client.get(project.get_absolute_url()).content.decode()
    assert dashboard_url(project) not in body and agreement_url(project) not in body


# ---------------------------------------------------------------- progress


def test_dashboard_shows_the_projects_numbers(client, k2_project, reviewer):
    client.force_login(reviewer)
    body = collapsed(client.get(dashboard_url(k2_project)))

    assert "6 articles · 2 annotators per article" in text_of(body)
    assert section(body, "status-unassigned") == "Unassigned 1 17%"
    assert section(body, "status-in_progress") == "In progress 2 33%"
    assert section(body, "status-submitted") == "Submitted by 2 1 17%"
    assert section(body, "status-in_review") == "In review 1 17%"
    assert section(body, "status-done") == "Gold done 1 17%"
    assert section(body, "partial-counts") == "In progress: 0 of 2 submitted: 1 · 1 of 2 submitted: 1"
    # Annotator, started, submitted, spans, spans this week, active hours (pace left out).
    assert row_cells(body, "ann")[:6] == ["ann", "5", "4", "7", "0", "0"]
    assert row_cells(body, "ann2")[:6] == ["ann2", "4", "3", "4", "0", "0"]
    assert row_cells(body, "Actor")[2:] == ["8", "2"]
    assert row_cells(body, "Quote")[2:] == ["0", "0"]
    # The stacked bar: one rect per non-empty status, widths in percent.
    assert re.search(r'<rect class="st-unassigned" x="0(\.0)?" y="0" width="16.66', body)
    assert_csp_friendly(body)


def test_dashboard_lists_recent_articles_with_history_links(client, project, article, annotator, reviewer):
    annotation_set = make_set(article, annotator)
    needle = "Sergei Lavrov"
    start = article.text.index(needle)
    span_create(annotation_set=annotation_set, label=label(project, "Actor"), start=start,
                         end=start + len(needle), text=needle, user=annotator)
    client.force_login(reviewer)
    body = client.get(dashboard_url(project)).content.decode()
    activity = section(body, "activity")
    assert article.title[:40] in activity and "ann" in activity
    assert f'href="{history_url(article)}">History</a>' in body


def test_dashboard_activity_fragment_pages(client, project, annotator, reviewer):
    for n in range(17):
        article = make_article(project, external_id=f"p{n}", title=f"Paged article {n}")
        annotation_set = make_set(article, annotator)
        set_submit(annotation_set=annotation_set, user=annotator)
    client.force_login(reviewer)

    first = client.get(dashboard_url(project)).content.decode()
    assert "Page 1 of 2" in first and "Paged article 16" in first and "Paged article 1<" not in first

    response = client.get(dashboard_url(project) + "?page=2", HTTP_HX_TARGET="activity", **HX)
    fragment = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in fragment and fragment.strip().startswith('<div id="activity">')
    assert "Paged article 1<" in fragment and "Paged article 0<" in fragment and "Paged article 16" not in fragment
    assert 'hx-get="?page=1"' in fragment and 'href="?page=1"' in fragment


# ---------------------------------------------------------------- agreement


@pytest.fixture
def agreed(two_articles):
    return two_articles[0]


def test_agreement_page_shows_figures_and_the_counting_rule(client, project, agreed, reviewer):
    client.force_login(reviewer)
    body = client.get(agreement_url(project)).content.decode()

    counted = section(body, "counted")
    assert counted.startswith("1 article counted, of 2 in the project.")
    assert "Only articles with at least two submitted sets count." in counted
    assert "2 would count with unsubmitted sets included." in counted
    assert row_cells(body, "Actor") == ["Actor", "1.000", "1.000", "1.000", "1.000"]
    # Nobody marked a quote: no F1; every token agrees on "not a quote".
    assert row_cells(body, "Quote") == ["Quote", "—", "—", "1.000", "1.000"]
    assert row_cells(body, "ann · ann2") == ["ann · ann2", "1.000", "1.000", "1.000", "1.000", "1.000 of 1"]
    assert row_cells(body, "Average")[1] == "1.000"
    assert "Among the 1 claim two annotators marked at the same place" in text_of(body)
    assert 'name="unsubmitted" value="1">' in body  # the toggle, unchecked
    assert_csp_friendly(body)


def test_agreement_toggle_includes_unsubmitted_sets(client, project, agreed, reviewer):
    client.force_login(reviewer)
    body = client.get(agreement_url(project) + "?unsubmitted=1").content.decode()

    assert section(body, "counted").startswith("2 articles counted")
    assert "every annotator’s set that is submitted or has spans" in section(body, "counted")
    assert 'name="unsubmitted" value="1" checked>' in body
    assert row_cells(body, "Actor")[1] == "0.500"  # the open article's actors differ


def test_agreement_fragment_for_htmx(client, project, agreed, reviewer):
    client.force_login(reviewer)
    response = client.get(agreement_url(project) + "?unsubmitted=1", HTTP_HX_TARGET="agreement-report", **HX)
    fragment = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in fragment and 'id="agreement-report"' in fragment
    assert section(fragment, "counted").startswith("2 articles counted")


def test_agreement_page_with_nothing_to_compare(client, project, article, annotator, reviewer):
    annotate(article, annotator, ("Actor", "Sergei Lavrov"))
    client.force_login(reviewer)
    body = client.get(agreement_url(project)).content.decode()
    assert section(body, "counted").startswith("0 articles counted, of 1 in the project.")
    assert "Nothing to compare yet" in body
    assert 'id="per-label"' not in body


# ---------------------------------------------------------------- history


@pytest.fixture
def history(project, article, annotator, other_annotator):
    """Real events through the services: spans created, changed, linked, deleted; a set submitted."""
    text = article.text

    def create(annotation_set, label_name, needle, user, **extra):
        start = text.index(needle)
        span, _ = span_create(annotation_set=annotation_set, label=label(project, label_name), start=start,
                                       end=start + len(needle), text=needle, user=user, **extra)
        return span

    mine = make_set(article, annotator)
    lavrov = create(mine, "Actor", "Sergei Lavrov", annotator)
    claim = create(mine, "Claim", CLAIM, annotator, attributes={"verdict": "true"})
    span_update(span=claim, user=annotator, version=claim.version, attributes={"verdict": "false"})
    quote = create(mine, "Quote", CLAIM, annotator)
    relation_create(annotation_set=mine, type=project.relation_types.get(name="said_by"), source=quote,
                             target=lavrov, user=annotator)
    minister = create(mine, "Actor", "Jong Ui Young", annotator)
    span_delete(span=minister, user=annotator)
    set_submit(annotation_set=mine, user=annotator)
    theirs = make_set(article, other_annotator)
    create(theirs, "Actor", "Moscow", other_annotator)
    return article


def test_reviewer_sees_every_event_of_the_article(client, history, reviewer):
    client.force_login(reviewer)
    body = client.get(history_url(history)).content.decode()
    what = [text_of(cell) for cell in re.findall(r'<td class="what">(.*?)</td>', body, re.S)]
    assert what == [
        "created Actor “Moscow”",
        "submitted ann’s set",
        "deleted Actor “Jong Ui Young”",
        "created Actor “Jong Ui Young”",
        f"linked Quote “{CLAIM}” said by Actor “Sergei Lavrov”",
        f"created Quote “{CLAIM}”",
        f"changed Claim “{CLAIM}”: verdict true → false",
        f"created Claim “{CLAIM}” (verdict true)",
        "created Actor “Sergei Lavrov”",
    ]
    first = re.search(r'<tr class="ev-create">(.*?)</tr>', body, re.S).group(1)
    assert [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", first, re.S)][1:4] == [
        "ann2", "Created", "ann2"
    ]
    assert "Every change to this article’s annotation sets" in body
    assert_csp_friendly(body)


def test_annotator_sees_only_the_events_of_their_own_set(client, history, other_annotator):
    client.force_login(other_annotator)
    body = client.get(history_url(history)).content.decode()
    what = [text_of(cell) for cell in re.findall(r'<td class="what">(.*?)</td>', body, re.S)]
    assert what == ["created Actor “Moscow”"]
    assert "Your own changes to this article" in body
    assert "Sergei Lavrov”" not in body


def test_annotator_without_a_set_sees_an_empty_history(client, history, project):
    newcomer = make_user("newcomer")
    project.memberships.create(user=newcomer, role=Role.ANNOTATOR)
    client.force_login(newcomer)
    body = client.get(history_url(history)).content.decode()
    assert "You have not annotated this article yet." in body


def test_history_pages_and_its_htmx_fragment(client, project, article, annotator, reviewer):
    annotation_set = make_set(article, annotator)
    span = make_span(annotation_set, "Claim", CLAIM)
    for verdict in ["true", "false"] * 30:
        span = span_update(span=span, user=annotator, version=span.version, attributes={"verdict": verdict})
    client.force_login(reviewer)

    body = client.get(history_url(article)).content.decode()
    assert body.count('<td class="what">') == 50
    assert "Page 1 of 2 · 60 events" in body

    response = client.get(history_url(article) + "?page=2", HTTP_HX_TARGET="history", **HX)
    fragment = response.content.decode()
    assert "<html" not in fragment and fragment.strip().startswith('<section id="history">')
    assert fragment.count('<td class="what">') == 10
    # The oldest events: the first change set a verdict where there was none.
    assert "verdict — → true" in fragment and "verdict — → true" not in body


def test_history_is_escaped(client, project, annotator, reviewer):
    article = make_article(project, 'He wrote <b>bold</b> & "quoted" things.')
    annotation_set = make_set(article, annotator)
    needle = "<b>bold</b>"
    start = article.text.index(needle)
    span_create(annotation_set=annotation_set, label=label(project, "Cue"), start=start,
                         end=start + len(needle), text=needle, user=annotator)
    client.force_login(reviewer)
    body = client.get(history_url(article)).content.decode()
    assert "created Cue “&lt;b&gt;bold&lt;/b&gt;”" in body


# ---------------------------------------------------------------- query counts


def count_queries(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200, response.status_code
    return len(captured)


def grow(project, annotator, other_annotator, start, stop):
    """Articles ``start``…``stop - 1``, each with two annotators' sets, spans and events."""
    for n in range(start, stop):
        article = make_article(project, external_id=f"grow{n}", title=f"Grown {n}")
        for user, status in ((annotator, SetStatus.SUBMITTED), (other_annotator, SetStatus.IN_PROGRESS)):
            annotation_set = make_set(article, user)
            needle = "Sergei Lavrov"
            begin = article.text.index(needle)
            span_create(annotation_set=annotation_set, label=label(project, "Actor"), start=begin,
                                 end=begin + len(needle), text=needle, user=user)
            if status == SetStatus.SUBMITTED:
                set_submit(annotation_set=annotation_set, user=user)
        if n % 3 == 0:
            annotate(article, None, ("Actor", "Sergei Lavrov"), status=SetStatus.IN_REVIEW)


def test_query_counts_do_not_grow_with_articles(client, project, annotator, other_annotator, reviewer):
    client.force_login(reviewer)
    requests = [
        (dashboard_url(project), {}),
        (dashboard_url(project) + "?page=2", {"HTTP_HX_TARGET": "activity", **HX}),
        (agreement_url(project), {}),
        (agreement_url(project) + "?unsubmitted=1", {}),
        (agreement_url(project) + "?unsubmitted=1", {"HTTP_HX_TARGET": "agreement-report", **HX}),
    ]
    grow(project, annotator, other_annotator, 0, 1)
    few = [count_queries(client, url, **headers) for url, headers in requests]
    grow(project, annotator, other_annotator, 1, 30)
    many = [count_queries(client, url, **headers) for url, headers in requests]
    assert many == few


def test_history_query_count_does_not_grow_with_events(client, project, article, annotator, other_annotator,
                                                        reviewer):
    mine = make_set(article, annotator)
    theirs = make_set(article, other_annotator)
    quote = make_span(mine, "Quote", CLAIM)
    actor = make_span(mine, "Actor", "Sergei Lavrov")

    def add_events(n):
        for i in range(n):
            span = make_span(theirs, "Cue", "said") if i % 2 else actor
            span_update(span=span, user=span.annotation_set.user, version=span.version,
                                 note=f"note {i}")
            relation = make_relation(mine, "said_by", quote, actor)
            relation_delete(relation=relation, user=annotator)
            if i % 2:
                span_delete(span=span, user=other_annotator)

    requests = [
        (reviewer, history_url(article), {}),
        (reviewer, history_url(article) + "?page=2", {"HTTP_HX_TARGET": "history", **HX}),
        (annotator, history_url(article), {}),
        (annotator, history_url(article), {"HTTP_HX_TARGET": "history", **HX}),
    ]

    def counts():
        out = []
        for user, url, headers in requests:
            client.force_login(user)
            out.append(count_queries(client, url, **headers))
        return out

    add_events(1)
    few = counts()
    add_events(40)
    assert counts() == few


# ---------------------------------------------------------------- descriptions of other events


@pytest.mark.parametrize(
    "object_type, action, data, expected",
    [
        ("annotationset", "create", {"annotator": "ann", "via": "assigned"}, "assigned the article to ann"),
        ("annotationset", "create", {"annotator": "ann", "via": "next"},
         "took the article from the queue (ann’s set started)"),
        ("annotationset", "delete", {"annotator": "ann", "reason": "untouched for 48 h", "spans": [{}, {}]},
         "removed ann’s set (2 spans, untouched for 48 h)"),
        ("review", "update", {"item": "agreed", "choice": "accept"},
         "accepted into gold every span the annotators agree on"),
        ("review", "update", {"item": "k1", "choice": "take", "annotator": "ann2", "kind": "place"},
         "took ann2’s version of a disputed span into gold"),
        ("review", "update", {"item": "k2", "choice": "drop", "kind": "relationitem"},
         "dropped a relation from gold"),
        ("entity", "create", {"name": "Sergei Lavrov", "kind": "person"},
         "added the entity “Sergei Lavrov” (person) to the knowledge base"),
        ("span", "update", {"before": {"label": "Actor", "text": "Lavrov", "note": ""},
                            "after": {"label": "Quote", "text": "Lavrov", "note": "x", "entity": 3}},
         "changed Quote “Lavrov”: label Actor → Quote; entity linked; note edited"),
        ("widget", "import", {}, "imported widget #7"),
    ],
)
def test_descriptions_of_events(object_type, action, data, expected):
    event = Event(action=action, object_type=object_type, object_id=7, data=data)
    assert describe(event, {}) == expected


def test_agreement_page_is_computed_once_per_state_of_the_annotations(client, project, agreed, reviewer,
                                                                        other_annotator, monkeypatch):
    from annotator.agreement import cache as agreement_cache

    computed = []
    real = agreement_cache.agreement_report
    monkeypatch.setattr(agreement_cache, "agreement_report", lambda *a, **k: computed.append(1) or real(*a, **k))
    client.force_login(reviewer)
    first = client.get(agreement_url(project)).content.decode()
    again = client.get(agreement_url(project)).content.decode()
    assert len(computed) == 1
    assert section(again, "counted") == section(first, "counted")
    # A reopened set changes what counts: the next visit recomputes and shows it.
    theirs = agreed.annotation_sets.get(user=other_annotator)
    set_reopen(annotation_set=theirs, user=other_annotator)
    body = client.get(agreement_url(project)).content.decode()
    assert len(computed) == 2
    assert section(body, "counted").startswith("0 articles counted, of 2 in the project.")
    # So does a new span in a counted set (unsubmitted sets included).
    client.get(agreement_url(project) + "?unsubmitted=1")
    assert len(computed) == 3
    span_create(annotation_set=theirs, label=label(project, "Quote"), user=other_annotator,
                         start=agreed.text.index(CLAIM), end=agreed.text.index(CLAIM) + len(CLAIM), text=CLAIM)
    body = client.get(agreement_url(project) + "?unsubmitted=1").content.decode()
    assert len(computed) == 4
    assert row_cells(body, "Quote")[1] == "0.000"


def test_agreement_page_sees_span_edits_that_bypass_the_event_log(client, project, agreed, reviewer, annotator):
    client.force_login(reviewer)
    assert row_cells(client.get(agreement_url(project)).content.decode(), "Actor")[1] == "1.000"
    # As Django admin would: a plain save, no event.
    span = agreed.annotation_sets.get(user=annotator).spans.get(label__name="Actor")
    span.label = label(project, "Quote")
    span.save()
    body = client.get(agreement_url(project)).content.decode()
    assert row_cells(body, "Actor")[1] == "0.000"
