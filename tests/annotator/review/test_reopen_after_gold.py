"""Once an article's gold is done, its annotators' submitted sets stay as they
were settled: only a reviewer reopens one, by sending it back."""

import pytest
from django.urls import reverse

from annotator.errors import ServiceError
from annotator.models import Event, SetStatus
from annotator.sets import set_reopen
from tests.factories import make_set, make_span

from .helpers import HX, send_back_url

pytestmark = pytest.mark.django_db

REFUSAL = "The gold for this article is done, so your submitted annotation can no longer be reopened."


@pytest.fixture
def gold_done(article, sets):
    return make_set(article, None, status=SetStatus.DONE)


def test_annotator_cannot_reopen_once_the_gold_is_done(sets, gold_done, annotator):
    a, _ = sets
    with pytest.raises(ServiceError) as refused:
        set_reopen(annotation_set=a, user=annotator)
    assert REFUSAL in " ".join(refused.value.messages)
    assert "Ask a reviewer to send it back" in " ".join(refused.value.messages)
    a.refresh_from_db()
    assert a.status == SetStatus.SUBMITTED
    assert not Event.objects.filter(annotation_set=a, action=Event.Action.REOPEN).exists()


def test_annotator_still_reopens_while_the_gold_is_in_review(article, sets, annotator):
    make_set(article, None, status=SetStatus.IN_REVIEW)
    a, _ = sets
    set_reopen(annotation_set=a, user=annotator)
    a.refresh_from_db()
    assert a.status == SetStatus.IN_PROGRESS


def test_the_reopen_button_answers_with_the_reason_and_changes_nothing(client, article, sets, gold_done, annotator):
    a, _ = sets
    make_span(a, "Actor", "Sergei Lavrov")
    client.force_login(annotator)
    response = client.post(reverse("set-reopen", args=[a.pk]), follow=True)
    assert REFUSAL in response.content.decode()
    a.refresh_from_db()
    assert a.status == SetStatus.SUBMITTED


def test_a_reviewer_sends_it_back_and_then_the_annotator_edits(rv, client, article, sets, gold_done, annotator):
    a, _ = sets
    assert rv.post(send_back_url(article, a), {"reason": "One more actor."}, **HX).status_code == 200
    a.refresh_from_db()
    assert a.status == SetStatus.IN_PROGRESS and a.is_sent_back
