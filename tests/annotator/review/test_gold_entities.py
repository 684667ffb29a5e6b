"""The gold line of a disagreement shows what gold holds, its entity links included."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator import review as reviewing
from tests.factories import make_entity, make_span

from .helpers import decide, only_place, url

pytestmark = pytest.mark.django_db


def gold_line(page: str) -> str:
    start = page.index('class="gold-now"')
    return page[start:page.index("</p>", start)]


def test_gold_line_shows_the_linked_entity(rv, project, article, sets):
    a, b = sets
    kim = make_entity(project, "Kim In Chol")
    make_span(a, "Actor", "Sergei Lavrov", entity=kim)
    make_span(b, "Actor", "Sergei Lavrov")
    place = only_place(article)
    assert decide(rv, article, place.key, take=1).status_code == 200
    page = rv.get(url(article)).content.decode()
    assert "→ Kim In Chol" in gold_line(page)


def test_gold_entities_cost_no_extra_query(rv, project, article, sets):
    a, b = sets
    make_span(a, "Actor", "Sergei Lavrov", entity=make_entity(project, "Kim In Chol"))
    make_span(b, "Actor", "Sergei Lavrov")
    decide(rv, article, only_place(article).key, take=1)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert rv.get(url(article)).status_code == 200
        return len(ctx)

    before = queries()
    make_span(a, "Actor", "Jong Ui Young", entity=make_entity(project, "Jong Ui Young"))
    make_span(b, "Actor", "Jong Ui Young")
    still_open = next(p for p in reviewing.review_for(article).places if p.is_open)
    decide(rv, article, still_open.key, take=1)
    assert queries() == before
