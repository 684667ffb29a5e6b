"""Small helpers shared by the review tests."""

import re

from django.urls import reverse

from annotator import review as reviewing
from annotator.models import Span

HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "rv-items"}
CLAIM = "Jong Ui Young on Thursday completed his visit to Moscow"
QUOTE = "Russia and the Republic of Korea are strategic partners"


def url(article, name="review"):
    return reverse(name, args=[article.project.slug, article.pk])


def send_back_url(article, annotation_set):
    return reverse("review-send-back", args=[article.project.slug, article.pk, annotation_set.pk])


def gold_spans(article):
    return list(Span.objects.filter(annotation_set__article=article, annotation_set__is_gold=True)
                .select_related("label", "entity").order_by("start"))


def decide(client, article, key, **choice):
    return client.post(url(article, "review-decide"), {"item": key, **choice}, **HX)


def only_place(article):
    places = reviewing.review_for(article).places
    assert len(places) == 1, places
    return places[0]


def without_tokens(html: str) -> str:
    """The page with its per-request CSRF tokens blanked, to compare two renderings."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', html)
    return re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', html)
