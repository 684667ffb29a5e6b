"""Spans and span F1: how many of two annotators' spans match.

:class:`SpanRef` (one span) and :class:`ArticleSets` (one article's text and each
annotator's spans) are the plain data every metric of this package takes.
:func:`span_f1` counts (tp, fp, fn) between two span lists, by exact match or by
one-to-one greedy overlap matching, and :func:`f1` turns the counts into a score.
Offsets are code points, half-open ``[start, end)`` (docs/design.md, rule 1).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["ArticleSets", "SpanRef", "f1", "span_f1"]


@dataclass(frozen=True)
class SpanRef:
    """One annotated span: a label on the code points ``[start, end)``.

    ``attributes`` is a sorted tuple of ``(name, value)`` pairs, e.g.
    ``(("verdict", "false"),)``.
    """

    label: str
    start: int
    end: int
    attributes: tuple = ()

    def attribute(self, name: str, default=None):
        """The value of attribute ``name``, or ``default`` when the span has none."""
        for key, value in self.attributes:
            if key == name:
                return value
        return default


@dataclass(frozen=True)
class ArticleSets:
    """One article's text and every annotator's spans on it (annotator name -> spans)."""

    text: str
    sets: dict[str, list[SpanRef]]


# ---------------------------------------------------------------------------
# Span F1


def _greedy_overlaps(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> int:
    """Greedy one-to-one matches between two lists of ``(start, end)``.

    Candidate pairs are those whose ranges intersect; they are taken by decreasing
    overlap (ties broken by position, the same whichever list comes first), each
    span being matched at most once.
    """
    if not a or not b:
        return 0
    if len(a) == 1 and len(b) == 1:
        (sa, ea), (sb, eb) = a[0], b[0]
        return 1 if min(ea, eb) > max(sa, sb) else 0
    if len(a) * len(b) <= 16:
        bs = b
        pairs = [(ia, ib) for ia in range(len(a)) for ib in range(len(b))]
    else:
        # Only spans of b starting after sa - longest can reach a span (sa, ea) of a.
        bs = sorted(b)
        b_starts = [start for start, _ in bs]
        longest = max(end - start for start, end in bs)
        pairs = [
            (ia, ib)
            for ia, (sa, ea) in enumerate(a)
            for ib in range(bisect_right(b_starts, sa - longest), bisect_left(b_starts, ea))
        ]
    candidates = []
    for ia, ib in pairs:
        (sa, ea), (sb, eb) = a[ia], bs[ib]
        overlap = min(ea, eb) - max(sa, sb)
        if overlap > 0:
            first, second = sorted((a[ia], bs[ib]))
            candidates.append((-overlap, first, second, ia, ib))
    if len(candidates) <= 1:
        return len(candidates)
    candidates.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    for *_, ia, ib in candidates:
        if ia not in used_a and ib not in used_b:
            used_a.add(ia)
            used_b.add(ib)
    return len(used_a)


def _matches(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """``(exact, overlap)`` true positives between two lists of ``(start, end)`` of one label.

    Identical spans are paired first (this is what greedy largest-overlap matching
    does when ties go to the closest pair); the rest are paired by
    :func:`_greedy_overlaps`.
    """
    if not a or not b:
        return 0, 0
    set_a, set_b = set(a), set(b)
    if len(set_a) == len(a) and len(set_b) == len(b):
        exact = len(set_a & set_b)
        if exact == len(a) or exact == len(b):
            return exact, exact
        rest_a = [span for span in a if span not in set_b]
        rest_b = [span for span in b if span not in set_a]
    else:  # an annotator marked the same span twice
        count_a, count_b = Counter(a), Counter(b)
        common = count_a & count_b
        exact = sum(common.values())
        rest_a = list((count_a - common).elements())
        rest_b = list((count_b - common).elements())
    return exact, exact + _greedy_overlaps(rest_a, rest_b)


def _by_label(spans: Iterable[SpanRef]) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for span in spans:
        out[span.label].append((span.start, span.end))
    return out


def span_f1(
    a: Iterable[SpanRef], b: Iterable[SpanRef], *, mode: str = "exact", label: str | None = None
) -> tuple[int, int, int]:
    """``(tp, fp, fn)`` comparing annotator ``a``'s spans with ``b``'s (the reference).

    ``mode="exact"``: a match has the same label, start and end. ``mode="overlap"``:
    a match has the same label and intersecting ranges; spans are matched one to
    one: identical spans first, then greedily by largest overlap (ties by position).
    With ``label``, only spans of that label count.
    Swapping ``a`` and ``b`` swaps fp and fn, so F1 is symmetric.
    """
    if mode not in ("exact", "overlap"):
        raise ValueError(f"Unknown mode {mode!r}: use 'exact' or 'overlap'.")
    a_groups, b_groups = _by_label(a), _by_label(b)
    if label is not None:
        a_groups = {label: a_groups.get(label, [])}
        b_groups = {label: b_groups.get(label, [])}
    which = 0 if mode == "exact" else 1
    tp = sum(_matches(spans, b_groups[name])[which] for name, spans in a_groups.items() if name in b_groups)
    return tp, sum(map(len, a_groups.values())) - tp, sum(map(len, b_groups.values())) - tp


def f1(tp: int, fp: int, fn: int) -> float | None:
    """F1 = 2tp / (2tp + fp + fn).

    ``None`` when there is nothing to compare (tp = fp = fn = 0, i.e. neither
    annotator has a span); callers leave ``None`` out of averages.
    """
    total = 2 * tp + fp + fn
    if total == 0:
        return None
    return 2 * tp / total
