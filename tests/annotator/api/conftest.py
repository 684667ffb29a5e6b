import pytest
from django.test import Client

from articles.tokens import create_token
from tests.factories import make_set, make_span


class ApiClient:
    """A test client that sends a bearer token (or none) and answers JSON."""

    def __init__(self, secret: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def _call(self, method, url, data=None, **extra):
        kwargs = {"headers": self.headers | extra.pop("headers", {}), **extra}
        if data is not None and method in ("post", "patch", "put"):
            kwargs.setdefault("content_type", "application/json")
            return getattr(self.client, method)(url, data, **kwargs)
        if data is not None:
            return getattr(self.client, method)(url, data, **kwargs)
        return getattr(self.client, method)(url, **kwargs)

    def get(self, url, data=None, **extra):
        return self._call("get", url, data, **extra)

    def post(self, url, data=None, **extra):
        return self._call("post", url, data, **extra)

    def patch(self, url, data=None, **extra):
        return self._call("patch", url, data, **extra)

    def delete(self, url, **extra):
        return self._call("delete", url, None, **extra)


def token_for(user, name="script"):
    return create_token(user=user, name=name).secret


@pytest.fixture
def api_as():
    def api_as(user):
        return ApiClient(token_for(user) if user is not None else None)

    return api_as


@pytest.fixture
def annotated(project, article, annotator):
    """The annotator's set on the seed article with a quote and its speaker."""
    annotation_set = make_set(article, annotator)
    quote = make_span(annotation_set, "Quote", "Russia and the Republic of Korea are strategic partners")
    actor = make_span(annotation_set, "Actor", "Jong Ui Young")
    return {"set": annotation_set, "quote": quote, "actor": actor}
