"""Walk the URL resolver so that every new route is covered by default."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import make_entity, make_relation, make_set, make_span

pytestmark = pytest.mark.django_db

PUBLIC = {"login", "healthz", "readyz"}


def all_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue  # admin has its own login; covered in test_admin
            if str(pattern.pattern).startswith("api/"):
                continue  # the JSON API answers 401/404 itself; its own matrix is tests/annotator/api/test_roles.py
            yield from all_patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def fill(route, values):
    def replace(match):
        name = match.group(2)
        return str(values[name])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", replace, route)


@pytest.fixture
def objects(project, article, annotator):
    annotation_set = make_set(article, annotator)
    quote = make_span(annotation_set, "Quote", "Russia and the Republic of Korea are strategic partners")
    actor = make_span(annotation_set, "Actor", "Jong Ui Young")
    relation = make_relation(annotation_set, "said_by", quote, actor)
    return {
        "slug": project.slug,
        "article_id": article.pk,
        "set_id": annotation_set.pk,
        "span_id": quote.pk,
        "relation_id": relation.pk,
        "event_id": 1,
        "membership_id": project.memberships.get(user=annotator).pk,
        "label_id": quote.label_id,
        "type_id": relation.type_id,
        "entity_id": make_entity(project, "Sergei Lavrov").pk,
    }


def test_every_route_is_known_to_this_test():
    names = {name for _, name in all_patterns()}
    assert names, "the resolver returned no routes"


def test_login_required_everywhere(client, objects):
    for route, name in all_patterns():
        if name in PUBLIC:
            continue
        url = fill(route, objects)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302 and response["Location"].startswith("/login/"), (url, response)


def test_outsider_gets_404_everywhere(client, objects, outsider):
    client.force_login(outsider)
    allowed = PUBLIC | {"project-list", "project-create", "logout", "account-tokens"}  # no project in them
    for route, name in all_patterns():
        if name in allowed:
            continue
        url = fill(route, objects)
        statuses = {client.get(url).status_code, client.post(url).status_code}
        # The method the view serves answers 404; the other one may only say 405.
        assert 404 in statuses and statuses <= {404, 405}, (name, url, statuses)


def test_expired_session_in_an_htmx_request_sends_the_page_to_login(client, objects):
    response = client.get(f"/spans/{objects['span_id']}/", HTTP_HX_REQUEST="true",
                          HTTP_HX_CURRENT_URL="http://testserver/p/news/a/1/")
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/?next=/p/news/a/1/"
