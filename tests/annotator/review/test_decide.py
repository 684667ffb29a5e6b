"""Settling items into gold: take, drop, accept the agreed, finish, and the
conflict when two reviewers decide the same item (annotator.review.decide)."""

import pytest

from annotator import review as reviewing
from annotator.errors import Conflict
from annotator.models import AnnotationSet, Event, ReviewDecision, SetStatus
from tests.factories import label, make_entity, make_span

from .helpers import CLAIM, HX, decide, gold_spans, only_place, url

pytestmark = pytest.mark.django_db


def test_agreed_spans_are_proposed_and_accepted_together(rv, article, sets):
    a, b = sets
    lavrov = make_entity(article.project, "Sergei Lavrov")
    for s in sets:
        make_span(s, "Actor", "Sergei Lavrov", attributes={"kind": "person"}, entity=lavrov)
        make_span(s, "Actor", "Jong Ui Young", attributes={"kind": "person"})
    make_span(a, "Cue", "said")
    page = rv.get(url(article)).content.decode()
    assert "Accept all agreed: 2 spans" in page
    assert "1 open of 1" in page  # the cue only one annotator marked
    response = rv.post(url(article, "review-accept"), **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Accepted 2 agreed span(s) and 0 relation(s) into gold." in body
    assert "<html" not in body and 'id="rv-text"' in body and 'hx-swap-oob="true"' in body
    gold = AnnotationSet.objects.get(article=article, is_gold=True)
    assert gold.status == SetStatus.IN_REVIEW
    assert [(s.text, s.attributes, s.entity) for s in gold_spans(article)] == [
        ("Jong Ui Young", {"kind": "person"}, None), ("Sergei Lavrov", {"kind": "person"}, lavrov)]
    # Accepting again changes nothing.
    again = rv.post(url(article, "review-accept"), **HX).content.decode()
    assert "Nothing agreed was waiting" in again
    assert len(gold_spans(article)) == 2
    assert Event.objects.filter(object_type="review").count() == 1
    assert ReviewDecision.objects.get(gold_set=gold, item="agreed").choice == "accept"


def test_take_annotator_bs_version_in_one_click(rv, article, sets, other_annotator):
    a, b = sets
    putin = make_entity(article.project, "Jong Ui Young")
    make_span(a, "Claim", CLAIM, attributes={"verdict": "true"})
    make_span(b, "Claim", CLAIM, attributes={"verdict": "false", "checkworthy": True}, note="Visit ended Friday")
    make_span(b, "Actor", "Jong Ui Young", attributes={"kind": "person"}, entity=putin)
    place = only_place(article)  # the claims disagree on the verdict; the actor sits inside: one place
    assert [len(v.spans) for v in place.versions] == [1, 2]
    page = rv.get(url(article)).content.decode()
    assert 'data-take="2"' in page and "verdict: false" in page and "Visit ended Friday" in page
    response = decide(rv, article, place.key, take=2)
    assert response.status_code == 200
    claim, actor = sorted(gold_spans(article), key=lambda s: s.label.name == "Actor")
    assert claim.attributes == {"verdict": "false", "checkworthy": True} and claim.note == "Visit ended Friday"
    assert actor.entity == putin
    assert "took 2 · ann2" in response.content.decode()
    event = Event.objects.get(object_type="review")
    assert event.data["choice"] == "take" and event.data["annotator"] == "ann2"
    assert sorted(event.data["gold_spans"]) == sorted([claim.pk, actor.pk])
    # Changing one's mind: annotator 1's version replaces what annotator 2's put there.
    decide(rv, article, place.key, take=1)
    [claim] = gold_spans(article)
    assert claim.attributes == {"verdict": "true"} and claim.label == label(article.project, "Claim")


def test_a_decision_is_a_row_whose_version_rises_with_each_change(rv, article, sets, reviewer):
    a, b = sets
    make_span(a, "Claim", CLAIM, attributes={"verdict": "true"})
    make_span(b, "Claim", CLAIM, attributes={"verdict": "false"})
    key = only_place(article).key
    decide(rv, article, key, take=2)
    row = ReviewDecision.objects.get(item=key)
    [claim] = gold_spans(article)
    assert (row.gold_set.is_gold, row.kind, row.choice, row.number, row.annotator, row.gold_spans, row.by,
            row.version) == (True, "place", "take", 2, "ann2", [claim.pk], reviewer, 1)
    decide(rv, article, key, take=2)  # already so: no change, same version
    assert ReviewDecision.objects.get(item=key).version == 1
    decide(rv, article, key, drop=1)
    row.refresh_from_db()
    assert (row.choice, row.number, row.annotator, row.gold_spans, row.version) == ("drop", None, "", [], 2)
    assert ReviewDecision.objects.count() == 1


def test_taking_twice_creates_one_gold_span_and_one_decision(rv, article, sets):
    a, b = sets
    make_span(a, "Actor", "Moscow", occurrence=0)
    key = only_place(article).key
    assert decide(rv, article, key, take=1).status_code == 200
    second = decide(rv, article, key, take=1)
    assert "Already so; nothing changed." in second.content.decode()
    assert len(gold_spans(article)) == 1
    assert Event.objects.filter(object_type="review").count() == 1
    assert Event.objects.filter(object_type="span", action="create", annotation_set__is_gold=True).count() == 1


def test_drop_takes_nothing_and_is_logged(rv, article, sets):
    a, b = sets
    make_span(a, "Cue", "said")
    key = only_place(article).key
    body = decide(rv, article, key, drop=1).content.decode()
    assert "dropped" in body and "0 open of 1" in body
    assert gold_spans(article) == []
    event = Event.objects.get(object_type="review")
    assert event.data["choice"] == "drop" and event.user.username == "rev"
    # Taking after a drop works, and dropping again removes what the take put in gold.
    decide(rv, article, key, take=1)
    assert [s.text for s in gold_spans(article)] == ["said"]
    decide(rv, article, key, drop=1)
    assert gold_spans(article) == []


def test_gold_status_done_and_reopen(rv, article, sets):
    a, b = sets
    make_span(a, "Cue", "said")
    response = rv.post(url(article, "review-gold"), {"action": "done"}, **HX)
    assert response.status_code == 422
    assert "Not done yet: 1 disagreement still waits for a decision." in response.content.decode()
    assert response["HX-Retarget"] == "#rv-message"
    key = only_place(article).key
    decide(rv, article, key, take=1)
    body = rv.post(url(article, "review-gold"), {"action": "done"}, **HX).content.decode()
    assert "Gold marked done." in body and 'id="gold-reopen"' in body
    gold = AnnotationSet.objects.get(article=article, is_gold=True)
    assert gold.status == SetStatus.DONE
    # Done means done: decisions are refused until it is reopened.
    refused = decide(rv, article, key, drop=1)
    assert refused.status_code == 422 and "reopen it" in refused.content.decode()
    assert len(gold_spans(article)) == 1
    rv.post(url(article, "review-gold"), {"action": "reopen"}, **HX)
    gold.refresh_from_db()
    assert gold.status == SetStatus.IN_REVIEW


def test_forms_work_without_javascript(rv, article, sets):
    a, b = sets
    make_span(a, "Cue", "said")
    response = rv.post(url(article, "review-decide"), {"item": only_place(article).key, "take": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == url(article)
    assert len(gold_spans(article)) == 1
    response = rv.post(url(article, "review-gold"), {"action": "bogus"}, follow=True)
    assert "Choose to mark the gold set done or to reopen it." in response.content.decode()


@pytest.mark.parametrize(("data", "message", "status"), [
    ({"item": "nope", "take": "1"}, "This item changed since the page was loaded", 409),
    ({"take": "9"}, "There is no annotator 9 on this article", 422),
    ({"take": "x"}, "Choose whose version to take.", 422),
    ({}, "Choose to take a version or to drop it.", 422),
    ({"take": "1", "version": "1"}, "Someone else decided this item after the page was loaded", 409),
    ({"take": "1", "version": "latest"}, "The form is out of date; reload the page", 422),
])
def test_bad_decisions_change_nothing(rv, article, sets, data, message, status):
    a, b = sets
    make_span(a, "Cue", "said")
    data = {"item": only_place(article).key} | data
    response = rv.post(url(article, "review-decide"), data, **HX)
    assert response.status_code == status and message in response.content.decode()
    assert gold_spans(article) == [] and not Event.objects.filter(object_type="review").exists()
    assert not ReviewDecision.objects.exists()


# ---------------------------------------------------------------- two reviewers, one item (docs/design.md, rule 5)


def test_a_decision_on_a_stale_version_is_a_conflict_and_changes_nothing(article, sets, reviewer, manager):
    a, b = sets
    make_span(a, "Claim", CLAIM, attributes={"verdict": "true"})
    make_span(b, "Claim", CLAIM, attributes={"verdict": "false"})
    place = only_place(article)
    assert place.version == 0  # nobody has decided it: both reviewers' pages say 0
    assert reviewing.decide(article=article, key=place.key, choice=reviewing.TAKE, number=1, user=reviewer,
                            version=0)
    events = Event.objects.count()
    with pytest.raises(Conflict, match="Someone else decided this item"):
        reviewing.decide(article=article, key=place.key, choice=reviewing.TAKE, number=2, user=manager, version=0)
    [claim] = gold_spans(article)
    assert claim.attributes == {"verdict": "true"}
    row = ReviewDecision.objects.get(item=place.key)
    assert (row.number, row.by, row.version) == (1, reviewer, 1)
    assert Event.objects.count() == events
    # Seeing the current version, the second reviewer may overrule the first.
    assert reviewing.decide(article=article, key=place.key, choice=reviewing.TAKE, number=2, user=manager,
                            version=1)
    assert gold_spans(article)[0].attributes == {"verdict": "false"}
    assert ReviewDecision.objects.get(item=place.key).version == 2


def test_a_stale_decide_form_answers_409_with_the_current_state(rv, article, sets, manager):
    a, b = sets
    make_span(a, "Claim", CLAIM, attributes={"verdict": "true"})
    make_span(b, "Claim", CLAIM, attributes={"verdict": "false"})
    key = only_place(article).key
    page = rv.get(url(article)).content.decode()
    assert f'<input type="hidden" name="item" value="{key}">' in page
    assert page.count('<input type="hidden" name="version" value="0">') == 1
    # Meanwhile a manager, on a page of their own, takes annotator 1's claim.
    reviewing.decide(article=article, key=key, choice=reviewing.TAKE, number=1, user=manager, version=0)

    response = decide(rv, article, key, take=2, version=0)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else decided this item after the page was loaded, so your decision was not saved." in body
    assert 'class="message warning"' in body
    # The answer is the refreshed board: the other decision, with its version for the next try.
    assert "took 1 · ann" in body and '<input type="hidden" name="version" value="1">' in body
    assert gold_spans(article)[0].attributes == {"verdict": "true"}
    assert decide(rv, article, key, take=2, version=1).status_code == 200
    assert gold_spans(article)[0].attributes == {"verdict": "false"}


def test_a_form_without_a_version_still_decides(rv, article, sets):
    """A page loaded before decide forms carried a version, or a hand-made post."""
    a, b = sets
    make_span(a, "Cue", "said")
    key = only_place(article).key
    assert decide(rv, article, key, take=1).status_code == 200
    assert decide(rv, article, key, drop=1, version="").status_code == 200
    assert gold_spans(article) == []
    assert ReviewDecision.objects.get(item=key).version == 2


def test_agreed_items_carry_their_version_too(rv, article, sets):
    for s in sets:
        make_span(s, "Actor", "Sergei Lavrov")
    [agreed] = reviewing.review_for(article).agreed
    assert decide(rv, article, agreed.key, drop=1, version=0).status_code == 200
    assert reviewing.review_for(article).agreed[0].state == "dropped"
    stale = decide(rv, article, agreed.key, take=1, version=0)
    assert stale.status_code == 409
    assert reviewing.review_for(article).agreed[0].state == "dropped"
    assert decide(rv, article, agreed.key, take=1, version=1).status_code == 200
    assert [s.text for s in gold_spans(article)] == ["Sergei Lavrov"]
