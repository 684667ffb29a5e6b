"""The review page as a whole: who may open it, and its htmx fragment."""

import pytest

from tests.factories import make_article, make_project

from .helpers import HX, url

pytestmark = pytest.mark.django_db


def test_board_fragment_for_htmx(rv, article, sets):
    response = rv.get(url(article), **HX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and body.lstrip().startswith('<div id="rv-items"')


def test_only_reviewers_and_managers_review(client, article, sets, annotator, manager):
    client.force_login(annotator)
    response = client.get(url(article))
    assert response.status_code == 403
    assert "Only reviewers and managers of “Newsroom” can do this; you are an annotator there." in \
        response.content.decode()
    assert client.post(url(article, "review-accept"), **HX).content.decode().startswith("Only reviewers")
    client.force_login(manager)
    assert client.get(url(article)).status_code == 200


def test_outsiders_and_other_projects_articles_are_not_found(rv, client, article, sets, outsider):
    elsewhere = make_article(make_project(slug="elsewhere", members=[]), "Not yours.")
    assert rv.get(url(article).replace(f"/{article.pk}/", f"/{elsewhere.pk}/")).status_code == 404
    client.force_login(outsider)
    assert client.get(url(article)).status_code == 404
    assert client.post(url(article, "review-decide"), {"item": "x", "drop": "1"}).status_code == 404


def test_review_views_take_get_or_post_only(rv, article, sets):
    assert rv.post(url(article)).status_code == 405
    assert rv.get(url(article, "review-decide")).status_code == 405


def test_article_list_links_to_review_for_reviewers_only(client, project, article, annotator, reviewer):
    client.force_login(reviewer)
    assert url(article) in client.get(project.get_absolute_url()).content.decode()
    client.force_login(annotator)
    assert url(article) not in client.get(project.get_absolute_url()).content.decode()
