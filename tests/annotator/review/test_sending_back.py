"""Sending a submitted set back to its annotator, and what they find until they
submit again (annotator.review.sending_back)."""

import pytest
from django.urls import reverse

from annotator.models import AnnotationSet, Event, SetStatus
from tests.factories import make_article, make_set, make_span

from .helpers import HX, send_back_url, url

pytestmark = pytest.mark.django_db


def workspace(client, article):
    return client.get(reverse("workspace", args=[article.project.slug, article.pk])).content.decode()


def test_reviewer_sends_a_submitted_set_back_with_a_reason(rv, client, article, sets, annotator, reviewer):
    a, b = sets
    make_span(a, "Actor", "Sergei Lavrov")
    page = rv.get(url(article)).content.decode()
    assert page.count("Send back…") == 2
    response = rv.post(send_back_url(article, a), {"reason": "  The claim   needs its verdict. "}, **HX)
    assert response.status_code == 200
    assert "Sent back to ann: the article is open for them again." in response.content.decode()
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (SetStatus.IN_PROGRESS, SetStatus.SUBMITTED)
    event = Event.objects.get(annotation_set=a, action=Event.Action.REOPEN)
    assert event.user == reviewer and event.data["reason"] == "The claim needs its verdict."
    # The annotator finds the article open again, with the reason, until they submit it.
    client.force_login(annotator)
    page = workspace(client, article)
    assert 'id="sent-back"' in page and "Sent back by rev" in page
    assert "The claim needs its verdict." in page and 'id="submit-set"' in page
    client.post(reverse("set-submit", args=[a.pk]))
    assert 'id="sent-back"' not in workspace(client, article)


def test_a_sent_back_set_keeps_its_reason_in_its_own_fields_until_submitted(rv, client, article, sets, annotator,
                                                                            reviewer):
    a, _ = sets
    rv.post(send_back_url(article, a), {"reason": "Check the verdict."}, **HX)
    a.refresh_from_db()
    assert a.sent_back_at is not None and a.sent_back_by == reviewer
    assert a.sent_back_reason == "Check the verdict." and a.is_sent_back
    # The log is history: without the reopen event the annotator still reads the reason.
    Event.objects.filter(annotation_set=a).delete()
    client.force_login(annotator)
    assert "Check the verdict." in workspace(client, article)
    project_page = client.get(reverse("project-detail", args=[article.project.slug])).content.decode()
    assert 'id="sent-back-list"' in project_page and "Check the verdict." in project_page
    # Submitted again: the fields are cleared, and the reason is gone from both pages.
    client.post(reverse("set-submit", args=[a.pk]))
    a.refresh_from_db()
    assert (a.sent_back_at, a.sent_back_by, a.sent_back_reason, a.is_sent_back) == (None, None, "", False)
    assert "Check the verdict." not in workspace(client, article)
    project_page = client.get(reverse("project-detail", args=[article.project.slug])).content.decode()
    assert 'id="sent-back-list"' not in project_page


def test_own_reopen_shows_no_reviewer_note(client, article, sets, annotator):
    a, _ = sets
    client.force_login(annotator)
    client.post(reverse("set-reopen", args=[a.pk]))
    page = workspace(client, article)
    assert 'id="sent-back"' not in page and 'id="submit-set"' in page
    a.refresh_from_db()
    assert a.sent_back_at is None and not a.is_sent_back


def test_sending_back_refuses_what_cannot_be_sent_back(rv, project, article, sets, annotator):
    a, b = sets
    b.status = SetStatus.IN_PROGRESS
    b.save()
    gold = make_set(article, None, status=SetStatus.IN_REVIEW)
    elsewhere = make_set(make_article(project, "Another article."), annotator, status=SetStatus.SUBMITTED)
    cases = [
        (b, 422, "ann2 has not submitted this article, so there is nothing to send back."),
        (gold, 422, "The gold set is reopened with “Reopen gold”."),
        (elsewhere, 422, "That annotation set is not part of this article."),
    ]
    for annotation_set, status, message in cases:
        response = rv.post(send_back_url(article, annotation_set), **HX)
        assert (response.status_code, message) == (status, message) and message in response.content.decode()
    statuses = dict(AnnotationSet.objects.values_list("pk", "status"))
    assert statuses[b.pk] == SetStatus.IN_PROGRESS and statuses[elsewhere.pk] == SetStatus.SUBMITTED
    assert statuses[gold.pk] == SetStatus.IN_REVIEW
    assert not Event.objects.filter(action=Event.Action.REOPEN).exists()
    assert not AnnotationSet.objects.filter(sent_back_at__isnull=False).exists()


def test_annotators_find_what_was_sent_back_on_the_project_page(rv, client, article, sets, annotator,
                                                                other_annotator):
    a, _ = sets
    rv.post(send_back_url(article, a), {"reason": "Mark the claim's verdict."}, **HX)
    project_url = reverse("project-detail", args=[article.project.slug])
    client.force_login(annotator)
    body = client.get(project_url).content.decode()
    assert 'id="sent-back-list"' in body and "Mark the claim&#x27;s verdict." in body
    assert f'href="/p/{article.project.slug}/a/{article.pk}/"' in body.split('id="sent-back-list"')[1]
    client.force_login(other_annotator)
    assert 'id="sent-back-list"' not in client.get(project_url).content.decode()
    # Submitted again: off the list.
    client.force_login(annotator)
    client.post(reverse("set-submit", args=[a.pk]))
    assert 'id="sent-back-list"' not in client.get(project_url).content.decode()
