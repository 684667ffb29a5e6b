"""Records and strategies shared by the format tests."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from hypothesis import strategies as st

from annotator import formats
from annotator.formats.common import make_entity, make_record, make_relation, make_set, make_span

ROOT = Path(__file__).resolve().parents[3]
SEED_PATH = next(iter(sorted((ROOT / "seeds").glob("*.txt"))), None)
SEED_TEXT = SEED_PATH.read_text(encoding="utf-8") if SEED_PATH else ""

LABELS = ["Claim", "Actor", "Quote", "Cue"]
RELATION_TYPES = ["said_by", "claimed_by", "cue", "about"]


def span_at(text: str, needle: str, *, id: int, label: str, occurrence: int = 0, **fields) -> dict:
    """A span over the ``occurrence``-th appearance of ``needle`` in ``text``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return make_span(id=id, label=label, start=start, end=start + len(needle), text=needle, **fields)


def seed_record() -> dict:
    """The sample article with an actor, a quote with its speaker and a claim with its claimant."""
    text = SEED_TEXT
    quote = ("“To resolve the nuclear issue of the Korean Peninsula, the United States must definitely abandon "
             "its hostile policy and double standards towards the DPRK, forever abandon offensive military "
             "exercises and the introduction of strategic nuclear assets on and around the Korean Peninsula,”")
    claim = "Washington annually spends more than $ 700 billion on the development of supersonic weapons"
    spans = [
        span_at(text, "Sergei Lavrov", id=1, label="Actor", entity=1, attributes={"kind": "person"}),
        span_at(text, "Kim In Chol", id=2, label="Actor", entity=2, attributes={"kind": "person"}),
        span_at(text, "Kim In Chul", id=3, label="Actor", entity=2, note="Same person as Kim In Chol."),
        span_at(text, claim, id=4, label="Claim", attributes={"verdict": "mostly-true", "checkworthy": True}),
        span_at(text, quote, id=5, label="Quote", attributes={"type": "direct"}),
        span_at(text, "said", id=6, label="Cue", occurrence=text[: text.index("said Kim In Chul")].count("said")),
    ]
    relations = [make_relation("claimed_by", 4, 2), make_relation("said_by", 5, 3), make_relation("cue", 5, 6)]
    entities = [
        make_entity(id=1, name="Sergei Lavrov", kind="person", aliases=["Lavrov"], wikidata="Q1234"),
        make_entity(id=2, name="Kim In Chol", kind="person", aliases=["Kim In Chul"]),
    ]
    return make_record(
        id="seed-000", title="Seoul counts on Moscow", text=text,
        meta={"source": "Kommersant", "published": "2021-10-28", "url": "https://example.org/korea",
              "author": "", "language": "en"},
        annotations=[make_set(annotator="annotator1", spans=spans, relations=relations)],
        entities=entities,
    )


def span_view(record: dict, set_index: int = 0) -> list[tuple]:
    """(label, start, end, text) of every span of one set, sorted."""
    return sorted((s["label"], s["start"], s["end"], s["text"]) for s in record["annotations"][set_index]["spans"])


def relation_view(record: dict, set_index: int = 0) -> list[tuple]:
    """Relations with their ends written as (label, start, end), so span ids do not matter."""
    annotation_set = record["annotations"][set_index]
    spans = {s["id"]: (s["label"], s["start"], s["end"]) for s in annotation_set["spans"]}
    return sorted((r["type"], spans[r["source"]], spans[r["target"]]) for r in annotation_set["relations"])


# Pieces that break naive offset handling: astral emoji, ZWJ sequences, flags, combining
# marks, CRLF, markup characters, tabs, Unicode line separators.
TRICKY = ["🚀", "👨🏻‍🚒", "🇺🇦", "e\u0301", "\r\n", "\n", "<", "&", "\t", "  ", "\u2028", "Sergei Lavrov", " ",
          "“", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629"]
fragments = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufeff"), max_size=8),
)
texts = st.lists(fragments, min_size=1, max_size=12).map("".join).filter(bool)


@st.composite
def records(draw, labels=LABELS) -> dict:
    """A record with random text, 0–6 valid spans and a few relations between them."""
    text = draw(texts)
    spans = []
    for span_id in range(1, draw(st.integers(0, 6)) + 1):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append(make_span(id=span_id, label=draw(st.sampled_from(labels)), start=start, end=end,
                               text=text[start:end]))
    relations = []
    if spans:
        for _ in range(draw(st.integers(0, 3))):
            relations.append(make_relation(draw(st.sampled_from(RELATION_TYPES)),
                                           draw(st.sampled_from(spans))["id"], draw(st.sampled_from(spans))["id"]))
    return make_record(id=draw(st.text(min_size=1, max_size=10)), text=text,
                       annotations=[make_set(annotator="annotator1", spans=spans, relations=relations)])


def read_all(name: str, stream: BinaryIO, **options) -> tuple[list[dict], list[formats.FormatError]]:
    """Read a whole file in format ``name`` and check every record.

    Returns the records and every error found (format errors and :func:`check_record`
    findings); an all-or-nothing import proceeds only when the error list is empty.
    """
    records: list[dict] = []
    errors: list[formats.FormatError] = []
    for location, item in formats.READABLE[name].read(stream, **options):
        if isinstance(item, formats.FormatError):
            errors.append(item)
            continue
        problems = formats.check_record(item, location)
        errors.extend(problems)
        if not problems:
            records.append(item)
    return records, errors
