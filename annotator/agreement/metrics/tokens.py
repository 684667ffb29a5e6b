"""Tokens and per-token labels: the units token kappa and token alpha compare.

:func:`tokenize` splits text into tokens: a run of word characters, or one
character that is neither a word character nor whitespace (``\\w+|[^\\w\\s]``).
:func:`token_labels` gives each token the label of the span covering it, or
:data:`OUTSIDE` where none does; the project report uses the same rule through the
sparse :func:`_token_maps`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Sequence
from itertools import accumulate

from .spans import SpanRef

__all__ = ["OUTSIDE", "token_labels", "tokenize"]

#: The per-token value of a token no span covers.
OUTSIDE = "O"

_TOKEN_SPLIT_RE = re.compile(r"(\w+|[^\w\s])")


def tokenize(text: str) -> list[tuple[int, int]]:
    """Token offsets ``(start, end)`` of ``text``, in order.

    A token is a run of word characters or a single character that is neither a
    word character nor whitespace, so ``"U.S. $700bn"`` gives
    ``U . S . $ 700bn``.
    """
    return list(zip(*_token_bounds(text), strict=True))


def _token_bounds(text: str) -> tuple[list[int], list[int]]:
    """Token starts and token ends of ``text``, as two sorted lists."""
    # Splitting on the token pattern alternates gap, token, gap, ..., gap; the
    # running sum of their lengths gives every boundary.
    bounds = list(accumulate(map(len, _TOKEN_SPLIT_RE.split(text)), initial=0))
    return bounds[1:-1:2], bounds[2::2]


def _bounds(tokens: Sequence[tuple[int, int]]) -> tuple[list[int], list[int]]:
    return [t[0] for t in tokens], [t[1] for t in tokens]


def _token_maps(
    starts: list[int], ends: list[int], spans: Iterable[SpanRef]
) -> tuple[dict[int, str], dict[str, set[int]]]:
    """Sparse per-token labels of one annotator's spans.

    Returns ``(winner, covered)``: ``winner`` maps each covered token index to the
    label chosen by the :func:`token_labels` rule (tokens absent are outside);
    ``covered[label]`` is the set of token indices covered by a span of ``label``.
    """
    winner: dict[int, str] = {}
    covered: dict[str, set[int]] = {}
    # (-length, start, label) is smaller for a stronger span; going from the weakest
    # to the strongest, stronger spans overwrite weaker ones.
    for negative_length, start, label in sorted(
        [(s.start - s.end, s.start, s.label) for s in spans if s.end > s.start], reverse=True
    ):
        # The tokens sharing a character with [start, end): ends[i] > start, starts[j - 1] < end.
        i = bisect_right(ends, start)
        j = bisect_left(starts, start - negative_length)
        if i < j:
            run = range(i, j)
            winner.update(dict.fromkeys(run, label))
            if label in covered:
                covered[label].update(run)
            else:
                covered[label] = set(run)
    return winner, covered


def token_labels(
    tokens: Sequence[tuple[int, int]],
    spans: Iterable[SpanRef],
    labels: Collection[str] | None = None,
    *,
    label: str | None = None,
) -> list[str]:
    """The label of each token, :data:`OUTSIDE` (``"O"``) where no span covers it.

    ``tokens`` are sorted, non-overlapping offsets as given by :func:`tokenize`. A
    span covers a token when they share at least one character. When spans of
    different labels cover a token, the token takes the label of the longest span;
    among equally long spans the one starting first wins, then the label name that
    sorts first. ``labels`` restricts the spans considered to those labels.

    With ``label=X`` the result is binary: ``X`` for each token covered by any span
    of label ``X`` (whatever else covers it), ``"O"`` for the others.
    """
    if labels is not None:
        allowed = set(labels)
        spans = [s for s in spans if s.label in allowed]
    starts, ends = _bounds(tokens)
    winner, covered = _token_maps(starts, ends, spans)
    out = [OUTSIDE] * len(tokens)
    if label is None:
        for index, value in winner.items():
            out[index] = value
    else:
        for index in covered.get(label, ()):
            out[index] = label
    return out
