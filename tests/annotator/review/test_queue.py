"""The review queue: articles whose annotators have all submitted, until their gold
set is done (annotator.review.queue)."""

import pytest
from django.urls import reverse

from annotator import review as reviewing
from annotator.models import SetStatus
from tests.factories import make_article, make_set

from .helpers import url

pytestmark = pytest.mark.django_db


def test_next_to_review_goes_through_articles_whose_work_is_all_submitted(rv, project, annotator, other_annotator):
    project.annotators_per_article = 2
    project.save()
    ready = [make_article(project, f"Ready text {i}.") for i in range(2)]
    half = make_article(project, "Only one submitted.")
    finished = make_article(project, "Gold is done.")
    for article in [*ready, finished]:
        make_set(article, annotator, status=SetStatus.SUBMITTED)
        make_set(article, other_annotator, status=SetStatus.SUBMITTED)
    make_set(half, annotator, status=SetStatus.SUBMITTED)
    make_set(half, other_annotator, status=SetStatus.IN_PROGRESS)
    make_set(finished, None, status=SetStatus.DONE)
    next_url = reverse("review-next", args=[project.slug])
    assert list(reviewing.waiting_for_review(project)) == ready

    assert rv.get(next_url)["Location"] == url(ready[0])
    assert rv.get(next_url, {"after": ready[0].pk})["Location"] == url(ready[1])
    assert rv.get(next_url, {"after": ready[1].pk})["Location"] == url(ready[0])  # wraps around
    # Gold in review still waits; once done, it leaves the queue.
    make_set(ready[0], None, status=SetStatus.DONE)
    make_set(ready[1], None, status=SetStatus.DONE)
    response = rv.get(next_url, follow=True)
    assert response.redirect_chain[-1][0] == f"/p/{project.slug}/"
    assert "Nothing waits for review" in response.content.decode()
    assert 'id="review-next"' in response.content.decode()


def test_next_to_review_does_not_offer_the_article_just_reviewed(project, annotator):
    project.annotators_per_article = 1
    project.save()
    article = make_article(project, "Alone in the queue.")
    make_set(article, annotator, status=SetStatus.SUBMITTED)
    assert reviewing.next_to_review(project) == article
    assert reviewing.next_to_review(project, after=article.pk) is None
