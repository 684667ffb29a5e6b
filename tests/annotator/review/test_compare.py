"""Comparing the annotators' sets: agreed spans, places, relations, and the
decisions read back from their own rows (annotator.review.compare)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator import review as reviewing
from annotator.models import AnnotationSet, Event, Relation, ReviewDecision, Span
from tests.factories import label, make_entity, make_relation, make_set, make_span

from .helpers import CLAIM, HX, QUOTE, decide, gold_spans, only_place, url, without_tokens

pytestmark = pytest.mark.django_db


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


def test_an_annotator_changing_their_spans_opens_the_place_again(rv, article, sets):
    a, b = sets
    cue = make_span(a, "Cue", "said")
    decide(rv, article, only_place(article).key, take=1)
    assert not only_place(article).is_open
    cue.attributes = {"kind": "verb"}
    cue.save()
    assert only_place(article).is_open


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


def test_sets_nobody_worked_on_are_left_out(rv, article, annotator, other_annotator):
    make_set(article, annotator)  # opened, empty, not submitted
    make_span(make_set(article, other_annotator), "Cue", "said")
    review = reviewing.review_for(article)
    assert [x.name for x in review.annotators] == ["ann2"]
    assert len(review.proposed) == 1  # one annotator: what they marked is what everyone marked


# ---------------------------------------------------------------- decisions are state, the log is history


def test_decisions_are_read_from_their_rows_not_from_the_log(rv, article, sets):
    a, b = sets
    make_span(a, "Claim", CLAIM, attributes={"verdict": "true"})
    make_span(b, "Claim", CLAIM, attributes={"verdict": "false"})
    make_span(a, "Cue", "said")
    make_span(b, "Actor", "Sergei Lavrov")
    for s in sets:
        make_span(s, "Quote", QUOTE)
    rv.post(url(article, "review-accept"), **HX)
    claim, cue, actor = reviewing.review_for(article).places
    decide(rv, article, claim.key, take=2)
    decide(rv, article, cue.key, drop=1)
    before = without_tokens(rv.get(url(article)).content.decode())
    assert "took 2 · ann2" in before and "dropped" in before and "1 open of 3" in before

    assert Event.objects.filter(object_type="review").count() == 3  # accept, take, drop
    Event.objects.filter(article=article).delete()
    after = without_tokens(rv.get(url(article)).content.decode())
    assert after == before
    review = reviewing.review_for(article)
    assert [p.decision.summary if p.decision else "open" for p in review.places] == [
        "took 2 · ann2", "dropped", "open"]


def test_a_decision_row_alone_decides_its_item(rv, article, sets):
    a, _ = sets
    make_span(a, "Cue", "said")
    key = only_place(article).key
    gold = reviewing.gold_set_for(article)
    ReviewDecision.objects.create(gold_set=gold, item=key, kind="place", choice="drop", version=3)
    assert not Event.objects.exists()
    place = only_place(article)
    assert (place.decision.choice, place.decision.version, place.version) == ("drop", 3, 3)
    page = rv.get(url(article)).content.decode()
    assert "0 open of 1" in page and 'name="version" value="3"' in page


# ---------------------------------------------------------------- cost


def test_review_page_query_count_is_constant(rv, article, sets):
    """docs/design.md, rule 6: a constant number of queries, however many spans."""
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
    for place in review.places[:3]:
        decide(rv, article, place.key, take=1)
    assert measure() == small
