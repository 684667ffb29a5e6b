"""ClaimReview JSON-LD (schema.org), for fact-check search engines (write only).

The output is a JSON array with one ``ClaimReview`` object per ``Claim`` span that
carries a ``verdict`` attribute, in every annotation set passed in (pass the gold sets
for a publishable file). It keeps the claim's text, its verdict as a rating, its
claimant (through a ``claimed_by`` relation) and the article it appeared in (url, title,
date); it leaves out claims whose verdict is not on the rating scale and everything else
in the record. There is no reader.

Rules chosen here:

- ``rating_scale`` lists the verdicts from best to worst; verdict ``v`` gets
  ``ratingValue = len(scale) - scale.index(v)``, ``bestRating = len(scale)``,
  ``worstRating = 1``, and ``alternateName`` is the verdict as written. Verdicts match
  case-insensitively; a claim whose verdict is not on the scale (e.g. "unverifiable")
  is left out.
- The claimant is the target of the claim's first ``claimed_by`` relation: its entity's
  name when the span is linked, else the span text. It is an ``Organization`` when the
  entity kind (or the span's ``kind``/``type`` attribute) is organisation or state, else
  a ``Person``. Without a claimant, ``itemReviewed`` has no ``author``.
- ``url``, ``headline`` and ``datePublished`` of the appearance come from the article's
  ``meta["url"]``, title and ``meta["published"]``; keys without a value are left out.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from typing import Any

from ..attributes import RATING_SCALE
from .common import canonical_record, entities_by_id

CONTENT_TYPE = "application/ld+json"
EXTENSION = "jsonld"

ORGANISATION_KINDS = {"organisation", "organization", "org", "state", "country", "government"}


def _claimant(span: dict, annotation_set: dict, entities: dict) -> dict | None:
    spans = {item["id"]: item for item in annotation_set["spans"]}
    for relation in annotation_set["relations"]:
        if relation["source"] != span["id"] or relation["type"] != "claimed_by":
            continue
        target = spans.get(relation["target"])
        if target is None:
            continue
        entity = entities.get(target["entity"]) if target["entity"] is not None else None
        name = entity["name"] if entity and entity.get("name") else target["text"]
        attributes = target["attributes"]
        kind = (entity or {}).get("kind") or attributes.get("kind") or attributes.get("type")
        schema_type = "Organization" if str(kind or "").casefold() in ORGANISATION_KINDS else "Person"
        return {"@type": schema_type, "name": name}
    return None


def reviews(record: dict, *, rating_scale: list[str], organisation: str, date: str,
            claim_label: str = "Claim") -> Iterator[dict]:
    """The ClaimReview objects of one record."""
    scale = [verdict.casefold() for verdict in rating_scale]
    entities = entities_by_id(record)
    meta = record["meta"]
    appearance: dict[str, Any] = {"@type": "CreativeWork"}
    if meta.get("url"):
        appearance["url"] = meta["url"]
    if record["title"]:
        appearance["headline"] = record["title"]
    if meta.get("published"):
        appearance["datePublished"] = str(meta["published"])
    for annotation_set in record["annotations"]:
        for span in annotation_set["spans"]:
            verdict = span["attributes"].get("verdict")
            if span["label"].casefold() != claim_label.casefold() or not isinstance(verdict, str):
                continue
            if verdict.casefold() not in scale:
                continue
            item_reviewed: dict[str, Any] = {"@type": "Claim"}
            claimant = _claimant(span, annotation_set, entities)
            if claimant is not None:
                item_reviewed["author"] = claimant
            item_reviewed["appearance"] = appearance
            review: dict[str, Any] = {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "claimReviewed": span["text"],
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": len(scale) - scale.index(verdict.casefold()),
                    "bestRating": len(scale),
                    "worstRating": 1,
                    "alternateName": verdict,
                },
                "itemReviewed": item_reviewed,
                "author": {"@type": "Organization", "name": organisation},
                "datePublished": date,
            }
            if meta.get("url"):
                review["url"] = meta["url"]
            yield review


def write(records: Iterable[dict], *, rating_scale: list[str] | None = None, organisation: str = "Factmark",
          date: str | None = None, claim_label: str = "Claim") -> Iterator[bytes]:
    """Yield a JSON array of ClaimReview objects, one record's reviews per chunk.

    ``organisation`` is the fact-checking organisation publishing the reviews; ``date``
    (ISO ``YYYY-MM-DD``) is the review date, today by default.
    """
    scale = list(rating_scale) if rating_scale is not None else list(RATING_SCALE)
    if not scale:
        raise ValueError("rating_scale must list at least one verdict")
    date = date or datetime.date.today().isoformat()
    yield b"["
    first = True
    for number, record in enumerate(records, 1):
        record = canonical_record(record, f"record {number}")
        parts = []
        for review in reviews(record, rating_scale=scale, organisation=organisation, date=date,
                              claim_label=claim_label):
            parts.append(("\n" if first else ",\n") + json.dumps(review, ensure_ascii=False))
            first = False
        if parts:
            yield "".join(parts).encode("utf-8")
    yield b"\n]\n"
