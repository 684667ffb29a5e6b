import datetime
import itertools
import json

import pytest

from annotator.attributes import RATING_SCALE
from annotator.formats import claimreview
from annotator.formats.common import make_entity, make_record, make_relation, make_set, make_span

from .samples import seed_record

TEXT = "The ministry said Seoul spends $5 billion. Lavrov said sanctions work. Moon said talks resume."


def claim_record(*verdicts, claimant_entity=None, claimant_kind=None):
    spans, relations = [], []
    for number, verdict in enumerate(verdicts, 1):
        spans.append(make_span(id=number, label="Claim", start=18, end=41, text=TEXT[18:41],
                               attributes={"verdict": verdict} if verdict is not None else {}))
    actor = make_span(id=99, label="Actor", start=0, end=12, text="The ministry",
                      attributes={"kind": claimant_kind} if claimant_kind else {}, entity=claimant_entity)
    spans.append(actor)
    relations = [make_relation("claimed_by", span["id"], 99) for span in spans[:-1]]
    entities = [make_entity(id=5, name="Ministry of Foreign Affairs", kind="organisation")]
    return make_record(id="a1", title="Seoul and Moscow", text=TEXT,
                       meta={"url": "https://example.org/a1", "published": "2021-10-28"},
                       annotations=[make_set(annotator=None, gold=True, spans=spans, relations=relations)],
                       entities=entities)


def reviews(*records, **options):
    return json.loads(b"".join(claimreview.write(records, date="2024-05-01", **options)))


@pytest.mark.parametrize("verdict, rating", [
    ("true", 6), ("mostly-true", 5), ("half-true", 4), ("mostly-false", 3), ("false", 2), ("pants-on-fire", 1),
    ("False", 2),
])
def test_rating_value_counts_down_the_default_scale(verdict, rating):
    (review,) = reviews(claim_record(verdict))
    assert review["reviewRating"] == {"@type": "Rating", "ratingValue": rating, "bestRating": 6, "worstRating": 1,
                                      "alternateName": verdict}
    assert len(RATING_SCALE) == 6


def test_custom_scale():
    scale = ["correct", "misleading", "wrong"]
    ratings = [r["reviewRating"] for r in reviews(claim_record("wrong", "correct", "misleading"),
                                                  rating_scale=scale)]
    assert [(r["ratingValue"], r["bestRating"], r["worstRating"]) for r in ratings] == [
        (1, 3, 1), (3, 3, 1), (2, 3, 1)]
    with pytest.raises(ValueError):
        list(claimreview.write([], rating_scale=[]))


def test_unknown_or_missing_verdicts_and_other_labels_are_skipped():
    assert [r["reviewRating"]["alternateName"] for r in reviews(claim_record("unverifiable", None, True, "false"))] \
        == ["false"]


def test_full_review_shape_with_claimant_span_text():
    (review,) = reviews(claim_record("false"), organisation="Newsroom Fact Desk")
    assert review == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": "Seoul spends $5 billion",
        "reviewRating": {"@type": "Rating", "ratingValue": 2, "bestRating": 6, "worstRating": 1,
                         "alternateName": "false"},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "The ministry"},
            "appearance": {"@type": "CreativeWork", "url": "https://example.org/a1", "headline": "Seoul and Moscow",
                           "datePublished": "2021-10-28"},
        },
        "author": {"@type": "Organization", "name": "Newsroom Fact Desk"},
        "datePublished": "2024-05-01",
        "url": "https://example.org/a1",
    }


def test_claimant_through_entity_is_an_organisation():
    (review,) = reviews(claim_record("true", claimant_entity=5))
    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "Ministry of Foreign Affairs"}
    (review,) = reviews(claim_record("true", claimant_kind="state"))
    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "The ministry"}


def test_claim_without_claimant_has_no_author_and_missing_meta_is_left_out():
    record = make_record(id="x", text="Seoul spends.", annotations=[make_set(spans=[
        make_span(id=1, label="Claim", start=0, end=12, text="Seoul spends", attributes={"verdict": "true"})])])
    (review,) = reviews(record)
    assert review["itemReviewed"] == {"@type": "Claim", "appearance": {"@type": "CreativeWork"}}
    assert "url" not in review


def test_seed_article_claim_has_kim_in_chol_as_claimant():
    (review,) = reviews(seed_record())
    assert review["claimReviewed"].startswith("Washington annually spends more than $ 700 billion")
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Kim In Chol"}
    assert review["reviewRating"]["ratingValue"] == 5


def test_date_defaults_to_today_and_empty_output_is_an_empty_array():
    (review,) = json.loads(b"".join(claimreview.write([claim_record("true")])))
    assert review["datePublished"] == datetime.date.today().isoformat()
    assert json.loads(b"".join(claimreview.write([]))) == []


def test_write_streams_per_article():
    chunks = claimreview.write(claim_record("true") for _ in itertools.count())
    assert next(chunks) == b"["
    assert next(chunks).startswith(b'\n{"@context"')
    assert next(chunks).startswith(b',\n{"@context"')


def test_module_constants():
    assert (claimreview.CONTENT_TYPE, claimreview.EXTENSION) == ("application/ld+json", "jsonld")
