import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator import review as reviewing
from annotator.models import AnnotationSet, Event, Relation, SetStatus, Span
from tests.factories import label, make_entity, make_relation, make_set, make_span

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "rv-items"}
CLAIM = "Jong Ui Young on Thursday completed his visit to Moscow"
QUOTE = "Russia and the Republic of Korea are strategic partners"


@pytest.fixture
def sets(project, article, annotator, other_annotator):
    project.annotators_per_article = 2
    project.save()
    return (make_set(article, annotator, status=SetStatus.SUBMITTED),
            make_set(article, other_annotator, status=SetStatus.SUBMITTED))


@pytest.fixture
def rv(client, reviewer):
    client.force_login(reviewer)
    return client


def url(article, name="review"):
    return reverse(name, args=[article.project.slug, article.pk])


def gold_spans(article):
    return list(Span.objects.filter(annotation_set__article=article, annotation_set__is_gold=True)
                .select_related("label", "entity").order_by("start"))


def decide(client, article, key, **choice):
    return client.post(url(article, "review-decide"), {"item": key, **choice}, **HX)


def only_place(article):
    places = reviewing.review_for(article).places
    assert len(places) == 1, places
    return places[0]


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


def test_entity_links_are_compared_too(rv, article, sets):
    a, b = sets
    right, wrong = make_entity(article.project, "Sergei Lavrov"), make_entity(article.project, "Sergey Lavrov")
    make_span(a, "Actor", "Sergei Lavrov", entity=right)
    make_span(b, "Actor", "Sergei Lavrov", entity=wrong)
    place = only_place(article)
    assert reviewing.review_for(article).agreed == []
    decide(rv, article, place.key, take=1)
    assert gold_spans(article)[0].entity == right


def test_overlapping_spans_are_one_place(article, sets):
    a, b = sets
    make_span(a, "Claim", "Jong Ui Young on Thursday")
    make_span(b, "Claim", CLAIM)
    make_span(b, "Quote", QUOTE)
    places = reviewing.review_for(article).places
    assert [p.text for p in places] == [CLAIM, QUOTE]
    assert [[s.text for s in v.spans] for v in places[0].versions] == [["Jong Ui Young on Thursday"], [CLAIM]]


def test_relations_are_proposed_when_agreed_and_listed_when_not(rv, article, sets):
    a, b = sets
    ends = {}
    for s in sets:
        quote = make_span(s, "Quote", QUOTE)
        actor = make_span(s, "Actor", "Jong Ui Young")
        cue = make_span(s, "Cue", "said")
        make_relation(s, "said_by", quote, actor)
        ends[s.pk] = (quote, cue)
    quote, cue = ends[a.pk]
    make_relation(a, "cue", quote, cue)  # only annotator 1 links the cue
    review = reviewing.review_for(article)
    assert review.waiting_relations == 2 and review.relations == []  # the ends are not in gold yet
    page = rv.get(url(article)).content.decode()
    assert "2 relations wait until both their ends are in gold." in page
    rv.post(url(article, "review-accept"), **HX)
    gold = AnnotationSet.objects.get(article=article, is_gold=True)
    assert list(gold.relations.values_list("type__name", flat=True)) == ["said_by"]
    [item] = reviewing.review_for(article).relations
    assert item.type.name == "cue" and item.holders == [1]
    page = rv.get(url(article)).content.decode()
    assert "links them" in page and "no link" in page
    decide(rv, article, item.key, take=1)
    assert sorted(gold.relations.values_list("type__name", flat=True)) == ["cue", "said_by"]
    decide(rv, article, item.key, take=2)  # annotator 2 has no such link: gold loses it
    assert list(gold.relations.values_list("type__name", flat=True)) == ["said_by"]


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
])
def test_bad_decisions_change_nothing(rv, article, sets, data, message, status):
    a, b = sets
    make_span(a, "Cue", "said")
    data = {"item": only_place(article).key} | data
    response = rv.post(url(article, "review-decide"), data, **HX)
    assert response.status_code == status and message in response.content.decode()
    assert gold_spans(article) == [] and not Event.objects.filter(object_type="review").exists()


def test_merged_view_marks_every_annotator(rv, article, sets):
    a, b = sets
    sa = make_span(a, "Actor", "Sergei Lavrov")
    make_span(b, "Actor", "Sergei Lavrov")
    make_span(b, "Cue", "said")
    page = rv.get(url(article)).content.decode()
    assert re.search(r'<mark class="rv l\d+ a1 ln1" title="1 ann · Actor">', page)
    assert re.search(r'<mark class="rv l\d+ a2 ln2" title="2 ann2 · Actor">', page)
    assert re.search(r'<mark class="rv l\d+ a2 ln2" title="2 ann2 · Cue" data-place="1">said</mark>', page)
    assert '<span class="who">1</span> ann' in page and '<span class="who">2</span> ann2' in page
    rv.post(url(article, "review-accept"), **HX)
    page = rv.get(url(article)).content.decode()
    assert re.search(r'<mark class="rv l\d+ ag ln0" title="gold · Actor">', page)
    assert sa.pk  # the annotator's span is untouched
    assert Span.objects.filter(annotation_set=a).count() == 1


def test_sets_nobody_worked_on_are_left_out(rv, article, annotator, other_annotator):
    make_set(article, annotator)  # opened, empty, not submitted
    make_span(make_set(article, other_annotator), "Cue", "said")
    review = reviewing.review_for(article)
    assert [x.name for x in review.annotators] == ["ann2"]
    assert len(review.proposed) == 1  # one annotator: what they marked is what everyone marked


def test_board_fragment_for_htmx(rv, article, sets):
    response = rv.get(url(article), **HX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and body.lstrip().startswith('<div id="rv-items"')


def test_review_page_query_count_is_constant(rv, article, sets):
    a, b = sets
    text = article.text
    labels = [label(article.project, name) for name in ("Actor", "Claim", "Quote", "Cue")]

    def fill(n):
        Relation.objects.filter(annotation_set__article=article).delete()
        Span.objects.filter(annotation_set__article=article).delete()
        for s_index, s in enumerate(sets):
            rows = []
            for i in range(n):
                start = (i * 7 + s_index * (i % 3)) % (len(text) - 30)
                end = start + 4 + i % 11
                rows.append(Span(annotation_set=s, label=labels[i % 4], start=start, end=end, text=text[start:end],
                                 attributes={"kind": "person"} if i % 4 == 0 else {}))
            Span.objects.bulk_create(rows)
            quotes = Span.objects.filter(annotation_set=s, label=labels[2]).order_by("id")
            actors = Span.objects.filter(annotation_set=s, label=labels[0]).order_by("id")
            for quote, actor in zip(quotes, actors, strict=False):
                make_relation(s, "said_by", quote, actor)

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            assert rv.get(url(article)).status_code == 200
        return len(ctx)

    fill(2)
    rv.post(url(article, "review-accept"), **HX)
    small = measure()
    fill(30)
    rv.post(url(article, "review-accept"), **HX)
    review = reviewing.review_for(article)
    assert len(review.places) > 5 and len(review.gold_spans) > 5
    assert measure() == small


def test_only_reviewers_and_managers_review(client, article, sets, annotator, manager):
    client.force_login(annotator)
    response = client.get(url(article))
    assert response.status_code == 403
    assert "Only reviewers and managers of “Newsroom” can do this; you are an annotator there." in \
        response.content.decode()
    assert client.post(url(article, "review-accept"), **HX).content.decode().startswith("Only reviewers")
    client.force_login(manager)
    assert client.get(url(article)).status_code == 200


def test_article_list_links_to_review_for_reviewers_only(client, project, article, annotator, reviewer):
    client.force_login(reviewer)
    assert url(article) in client.get(project.get_absolute_url()).content.decode()
    client.force_login(annotator)
    assert url(article) not in client.get(project.get_absolute_url()).content.decode()


# ---------------------------------------------------------------- sending a set back


def send_back_url(article, annotation_set):
    return reverse("review-send-back", args=[article.project.slug, article.pk, annotation_set.pk])


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
    workspace = client.get(reverse("workspace", args=[article.project.slug, article.pk])).content.decode()
    assert 'id="sent-back"' in workspace and "Sent back by rev" in workspace
    assert "The claim needs its verdict." in workspace and 'id="submit-set"' in workspace
    client.post(reverse("set-submit", args=[a.pk]))
    workspace = client.get(reverse("workspace", args=[article.project.slug, article.pk])).content.decode()
    assert 'id="sent-back"' not in workspace


def test_own_reopen_shows_no_reviewer_note(client, article, sets, annotator):
    a, _ = sets
    client.force_login(annotator)
    client.post(reverse("set-reopen", args=[a.pk]))
    workspace = client.get(reverse("workspace", args=[article.project.slug, article.pk])).content.decode()
    assert 'id="sent-back"' not in workspace and 'id="submit-set"' in workspace


def test_sending_back_refuses_what_cannot_be_sent_back(rv, project, article, sets, annotator):
    from tests.factories import make_article

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


# ---------------------------------------------------------------- the review queue


def test_next_to_review_goes_through_articles_whose_work_is_all_submitted(rv, project, annotator, other_annotator):
    from tests.factories import make_article

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
