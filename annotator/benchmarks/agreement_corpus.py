"""A synthetic corpus for timing the agreement metrics: what do annotators' sets look like at scale?

:func:`benchmark_corpus` gives articles of made-up text, each annotated by a few
annotators who agree on most spans and differ on some (moved boundaries, other
labels, other verdicts, missed spans), as the plain :class:`ArticleSets` the metrics
take. Deterministic for a given seed; the ``agreement`` benchmark times the metrics
and the database on it, and the metrics tests cross-check against it.
"""

from __future__ import annotations

import random
from bisect import bisect_left

from annotator.agreement.metrics import ArticleSets, SpanRef
from annotator.attributes import RATING_SCALE

__all__ = ["benchmark_corpus"]

_SYLLABLES = "ka lo mi ran te su vor en di pa shi no gu bel ti ro".split()


def _synthetic_text(rng: random.Random, length: int) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    """Text of about ``length`` characters, its word offsets and its sentences (as word index ranges)."""
    parts: list[str] = []
    words: list[tuple[int, int]] = []
    sentences: list[tuple[int, int]] = []
    pos = 0
    while pos < length:
        first = len(words)
        for k in range(rng.randint(8, 24)):
            word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3)))
            if k == 0 or rng.random() < 0.12:
                word = word.capitalize()
            if rng.random() < 0.05:
                word = f"{rng.randint(2, 999)}"
            if k:
                parts.append(" ")
                pos += 1
            words.append((pos, pos + len(word)))
            parts.append(word)
            pos += len(word)
            if rng.random() < 0.08:
                parts.append(",")
                pos += 1
        parts.append(". ")
        pos += 2
        sentences.append((first, len(words)))
    return "".join(parts), words, sentences


def _synthetic_reference(
    rng: random.Random, words: list[tuple[int, int]], sentences: list[tuple[int, int]], n_spans: int
) -> list[SpanRef]:
    """About ``n_spans`` spans: a few claims and quotes, more actors, some cues."""
    spans = []
    for k in range(n_spans):
        kind = k % 10
        if kind in (0, 5):  # a claim: a whole sentence
            first, last = rng.choice(sentences)
            verdict = rng.choice(RATING_SCALE)
            spans.append(SpanRef("Claim", words[first][0], words[last - 1][1], (("verdict", verdict),)))
        elif kind == 1:  # a quote: part of a sentence
            first, last = rng.choice(sentences)
            a = rng.randrange(first, last)
            b = min(last, a + rng.randint(4, 12))
            quote_type = rng.choice(("direct", "indirect"))
            spans.append(SpanRef("Quote", words[a][0], words[b - 1][1], (("type", quote_type),)))
        elif kind == 2:  # a cue: one word
            i = rng.randrange(len(words))
            spans.append(SpanRef("Cue", *words[i]))
        else:  # an actor: one to three words
            i = rng.randrange(len(words))
            j = min(len(words), i + rng.randint(1, 3))
            kind_value = rng.choice(("person", "organisation", "state", "other"))
            spans.append(SpanRef("Actor", words[i][0], words[j - 1][1], (("kind", kind_value),)))
    return spans


def _synthetic_copy(rng: random.Random, reference: list[SpanRef], words: list[tuple[int, int]]) -> list[SpanRef]:
    """One annotator's version of the reference: mostly the same, some spans moved, relabelled or missed."""
    starts = [w[0] for w in words]
    ends = [w[1] for w in words]
    out = []
    for span in reference:
        roll = rng.random()
        if roll < 0.85:  # the same span
            attributes = span.attributes
            if span.label == "Claim" and rng.random() < 0.15:
                attributes = (("verdict", rng.choice(RATING_SCALE)),)
            out.append(SpanRef(span.label, span.start, span.end, attributes))
        elif roll < 0.93:  # a boundary moved by a word or two
            i = bisect_left(starts, span.start)
            j = bisect_left(ends, span.end)
            if rng.random() < 0.5:
                i = max(0, min(j, i + rng.choice((-2, -1, 1, 2))))
            else:
                j = min(len(words) - 1, max(i, j + rng.choice((-2, -1, 1, 2))))
            out.append(SpanRef(span.label, starts[i], ends[j], span.attributes))
        elif roll < 0.96:  # another label
            label = rng.choice([name for name in ("Claim", "Actor", "Quote", "Cue") if name != span.label])
            out.append(SpanRef(label, span.start, span.end))
        elif roll < 0.98:  # missed, and something else marked instead
            i = rng.randrange(len(words))
            out.append(SpanRef("Actor", *words[i]))
        # else: missed
    return out


def benchmark_corpus(n_articles: int = 1000, annotators: int = 3, spans: int = 20, seed: int = 0) -> list[ArticleSets]:
    """A synthetic corpus for timing :func:`project_agreement`.

    ``n_articles`` articles of about 2,500 characters, each annotated by
    ``annotators`` people with about ``spans`` spans each (claims with verdicts,
    quotes, actors, cues). Annotators agree on most spans and differ on some: moved
    boundaries, other labels, other verdicts, missed spans. Deterministic for a
    given ``seed``.
    """
    rng = random.Random(seed)
    names = [f"annotator{k + 1}" for k in range(annotators)]
    corpus = []
    for _ in range(n_articles):
        text, words, sentences = _synthetic_text(rng, 2500)
        reference = _synthetic_reference(rng, words, sentences, spans)
        corpus.append(ArticleSets(text, {name: _synthetic_copy(rng, reference, words) for name in names}))
    return corpus
