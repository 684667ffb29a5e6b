"""Inter-annotator agreement, as pure functions over plain data.

Nothing here touches the database: callers turn annotation sets into
:class:`ArticleSets` (the article text plus each annotator's :class:`SpanRef`
list) and get numbers back. Offsets are code points, half-open ``[start, end)``.

Building blocks
---------------
- :func:`tokenize` splits text into tokens: a run of word characters, or one
  character that is neither a word character nor whitespace (``\\w+|[^\\w\\s]``).
- :func:`span_f1` counts (tp, fp, fn) between two span lists, by exact match or by
  one-to-one greedy overlap matching; :func:`f1` turns the counts into a score.
- :func:`token_labels` gives each token the label of the span covering it.
- :func:`cohen_kappa` (two coders, same units) and :func:`krippendorff_alpha_nominal`
  (any number of coders, missing values allowed) measure agreement on labels.
- :func:`verdict_agreement` compares the verdicts of claims both annotators marked.

Scores that cannot be computed are ``None`` (never ``nan``); averages skip them, and
an average of nothing is ``None``.

The project report (:func:`project_agreement`)
----------------------------------------------
``articles``
    The number of articles with at least two annotators. Articles with a single
    annotator take no part in any figure.
``labels``
    The given labels, in the given order; otherwise every label used in a compared
    article, sorted. When labels are given, spans of other labels are ignored
    everywhere.
Span F1 (``span_f1_exact``, ``span_f1_overlap``)
    For a pair of annotators, micro-averaged over the articles both annotated: tp,
    fp and fn are summed over those articles, then F1 is taken once. ``overall`` and
    each label's figure are the mean over pairs (pairs where F1 is ``None``, i.e.
    neither annotator marked anything of that label, are skipped).
Token kappa (``kappa_token``)
    For a pair, each annotator's per-token labels (see :func:`token_labels`) are
    concatenated over the articles both annotated, and one Cohen's kappa is taken.
    For a label, the per-token value is binary: covered by a span of that label, or
    not. ``overall`` and each label's figure are the mean over pairs.
Token alpha (``alpha_token``)
    Krippendorff's alpha (nominal) with all annotators at once: a unit is one token
    of one article, its values are the token labels of the annotators who annotated
    that article. For a label, the values are binary as for kappa. A pair's alpha
    uses only those two annotators on the articles both annotated.
``verdict_agreement``
    A dict ``{"pairs": n, "agreement": x, "kappa": k}`` as returned by
    :func:`verdict_agreement`. For a pair it is computed over the claim pairs of all
    articles both annotated; in ``overall`` the claim pairs of every annotator pair
    are pooled, so ``agreement`` is the pooled fraction of equal verdicts.
``pairs``
    One entry per pair of annotators who share at least one article, ordered by
    name (``a`` < ``b``).

Floats in the report are rounded to 4 decimals.
"""

from __future__ import annotations

import random
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, combinations

__all__ = [
    "OUTSIDE",
    "ArticleSets",
    "SpanRef",
    "benchmark_corpus",
    "cohen_kappa",
    "f1",
    "krippendorff_alpha_nominal",
    "project_agreement",
    "span_f1",
    "token_labels",
    "tokenize",
    "verdict_agreement",
]

#: The per-token value of a token no span covers.
OUTSIDE = "O"
CLAIM_LABEL = "Claim"
VERDICT_ATTRIBUTE = "verdict"

_TOKEN_SPLIT_RE = re.compile(r"(\w+|[^\w\s])")


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
# Tokens and per-token labels


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


# ---------------------------------------------------------------------------
# Kappa and alpha


def _kappa_from_table(table: Mapping[tuple[Hashable, Hashable], int]) -> float | None:
    """Cohen's kappa from a contingency table ``{(x_value, y_value): count}``."""
    n = agree = 0
    rows: Counter = Counter()
    cols: Counter = Counter()
    for (x, y), count in table.items():
        n += count
        rows[x] += count
        cols[y] += count
        if x == y:
            agree += count
    if n == 0:
        return None
    # kappa = (p_o - p_e) / (1 - p_e), with both terms multiplied by n * n.
    expected = sum(count * cols[value] for value, count in rows.items() if value in cols)
    if expected == n * n:
        return 1.0 if agree == n else 0.0
    return (agree * n - expected) / (n * n - expected)


def cohen_kappa(x: Sequence[Hashable], y: Sequence[Hashable]) -> float | None:
    """Cohen's kappa between two equal-length label sequences.

    Agrees with ``sklearn.metrics.cohen_kappa_score`` (unweighted). ``None`` for
    empty sequences. When the expected agreement is 1 (both coders used one and the
    same label throughout) kappa is undefined; this returns 1.0 if the observed
    agreement is 1 and 0.0 otherwise.
    """
    if len(x) != len(y):
        raise ValueError(f"Sequences differ in length: {len(x)} and {len(y)}.")
    return _kappa_from_table(Counter(zip(x, y, strict=True)))


def _add_unit(coincidences: dict, value_counts: Iterable[tuple[Hashable, int]], m: int, weight: float) -> None:
    """Add ``weight`` units with ``m`` values distributed as ``value_counts``."""
    value_counts = list(value_counts)
    scale = weight / (m - 1)
    for v, nv in value_counts:
        for w, nw in value_counts:
            pairs = nv * (nw - 1) if v == w else nv * nw
            if pairs:
                coincidences[v, w] += pairs * scale


def _alpha_from_coincidences(coincidences: Mapping[tuple[Hashable, Hashable], float]) -> float | None:
    """Nominal alpha = 1 - D_o / D_e from a coincidence matrix ``{(v, w): o_vw}``."""
    n = 0.0
    disagree = 0.0
    marginals: dict = defaultdict(float)
    for (v, w), count in coincidences.items():
        n += count
        marginals[v] += count
        if v != w:
            disagree += count
    if n == 0:
        return None
    if sum(1 for value in marginals.values() if value > 0) <= 1:
        # A single value throughout: no expected disagreement, and no observed one.
        return 1.0
    expected = n * n - sum(value * value for value in marginals.values())
    return 1.0 - (n - 1) * disagree / expected


def krippendorff_alpha_nominal(units: Iterable[Sequence[Hashable]]) -> float | None:
    """Krippendorff's alpha for nominal data.

    ``units`` holds, per unit, the values the coders gave it; a coder who did not
    code a unit is simply absent from its list. Units with fewer than two values
    cannot be paired and are dropped. Agrees with ``krippendorff.alpha(data,
    level_of_measurement="nominal")``.

    ``None`` when no unit has two values. When every paired value is the same the
    expected disagreement is 0 and alpha is undefined; this returns 1.0 (there is
    no disagreement either), consistently with :func:`cohen_kappa`.
    """
    coincidences: dict = defaultdict(float)
    for unit in units:
        m = len(unit)
        if m < 2:
            continue
        if m == 2:
            v, w = unit
            coincidences[v, w] += 1.0
            coincidences[w, v] += 1.0
        else:
            _add_unit(coincidences, Counter(unit).items(), m, 1.0)
    return _alpha_from_coincidences(coincidences)


# ---------------------------------------------------------------------------
# Verdicts


def _claim_verdicts(spans: Iterable[SpanRef]) -> dict[tuple[int, int], list]:
    """The verdicts of an annotator's claims, by offsets (claims without a verdict left out)."""
    out: dict[tuple[int, int], list] = {}
    for span in spans:
        if span.label == CLAIM_LABEL:
            verdict = span.attribute(VERDICT_ATTRIBUTE)
            if verdict is not None:
                out.setdefault((span.start, span.end), []).append(verdict)
    return out


def _verdict_pairs(mine: Mapping[tuple[int, int], list], theirs: Mapping[tuple[int, int], list]) -> list[tuple]:
    """``(verdict_a, verdict_b)`` for claims both marked at the same offsets.

    Takes the output of :func:`_claim_verdicts` for each side. Should an annotator
    have several claims at the same offsets, they are paired one to one, equal
    verdicts first.
    """
    pairs = []
    for offsets in mine.keys() & theirs.keys():
        left, right = mine[offsets], theirs[offsets]
        if len(left) == 1 and len(right) == 1:
            pairs.append((left[0], right[0]))
            continue
        left_count, right_count = Counter(left), Counter(right)
        same = left_count & right_count
        pairs.extend((v, v) for v in same.elements())
        rest_left = sorted((left_count - same).elements(), key=str)
        rest_right = sorted((right_count - same).elements(), key=str)
        pairs.extend(zip(rest_left, rest_right, strict=False))
    return pairs


def _verdict_summary(pairs: Sequence[tuple]) -> dict:
    if not pairs:
        return {"pairs": 0, "agreement": None, "kappa": None}
    same = sum(1 for x, y in pairs if x == y)
    return {
        "pairs": len(pairs),
        "agreement": same / len(pairs),
        "kappa": _kappa_from_table(Counter(pairs)),
    }


def verdict_agreement(a: Iterable[SpanRef], b: Iterable[SpanRef]) -> dict:
    """How far two annotators agree on verdicts.

    Among ``Claim`` spans both annotators marked with the same offsets (and each
    gave a ``verdict``), ``agreement`` is the fraction with the same verdict and
    ``kappa`` Cohen's kappa over those verdict pairs. Returns
    ``{"pairs": n, "agreement": x, "kappa": k}``; both are ``None`` when ``n == 0``.
    """
    return _verdict_summary(_verdict_pairs(_claim_verdicts(a), _claim_verdicts(b)))


# ---------------------------------------------------------------------------
# The project report


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _round_verdicts(summary: dict) -> dict:
    return {**summary, "agreement": _round(summary["agreement"]), "kappa": _round(summary["kappa"])}


def _pair_alpha(table: Mapping[tuple[Hashable, Hashable], int]) -> float | None:
    """Alpha of two coders who both coded every unit, from their contingency table."""
    coincidences: dict = defaultdict(float)
    for (x, y), count in table.items():
        coincidences[x, y] += count
        coincidences[y, x] += count
    return _alpha_from_coincidences(coincidences)


class _Views:
    """Per-token value profiles, grouped by the set of annotators of an article.

    A view is ``None`` (every label, one value per token) or a label name (binary).
    ``tokens`` counts the tokens of the articles of each annotator group; for each
    view and group, ``profiles`` counts the tuples of values (one per annotator, in
    name order, ``None`` for outside) of the tokens someone labelled. Every other
    token is outside for everyone. Kappa and alpha are derived from these counts,
    so each labelled token is looked at once per view.
    """

    def __init__(self) -> None:
        self.tokens: Counter = Counter()
        self.profiles: dict[tuple, Counter] = defaultdict(Counter)

    def add_article(self, coders: tuple[str, ...], n_tokens: int) -> None:
        self.tokens[coders] += n_tokens

    def add(self, view: str | None, coders: tuple[str, ...], maps: Sequence[dict[int, str] | set[int]]) -> None:
        """Add one article's labelled tokens: per annotator, a map token -> label or a set of tokens."""
        union: set[int] = set()
        for token_map in maps:
            union.update(token_map)
        if union:
            indices = list(union)
            columns = [
                [token_map.get(i) for i in indices]
                if isinstance(token_map, dict)
                else [view if i in token_map else None for i in indices]
                for token_map in maps
            ]
            self.profiles[view, coders].update(zip(*columns, strict=True))

    def _groups(self, view: str | None):
        """``(coders, profiles, blank)`` per annotator group, ``blank`` = tokens nobody labelled."""
        for coders, n_tokens in self.tokens.items():
            profiles = self.profiles.get((view, coders), {})
            yield coders, profiles, n_tokens - sum(profiles.values())

    def pair_tables(self, view: str | None) -> dict[tuple[str, str], Counter]:
        """Contingency tables ``{(a, b): {(value_a, value_b): n}}`` for every pair."""
        tables: dict[tuple[str, str], Counter] = defaultdict(Counter)
        for coders, profiles, blank in self._groups(view):
            for i, j in combinations(range(len(coders)), 2):
                table = tables[coders[i], coders[j]]
                if blank:
                    table[None, None] += blank
                for profile, count in profiles.items():
                    table[profile[i], profile[j]] += count
        return tables

    def alpha(self, view: str | None) -> float | None:
        """Alpha with all annotators at once."""
        coincidences: dict = defaultdict(float)
        for coders, profiles, blank in self._groups(view):
            m = len(coders)
            if blank:
                coincidences[None, None] += blank * m
            for profile, count in profiles.items():
                if m == 2:
                    v, w = profile
                    coincidences[v, w] += count
                    coincidences[w, v] += count
                else:
                    _add_unit(coincidences, Counter(profile).items(), m, count)
        return _alpha_from_coincidences(coincidences)


def project_agreement(articles: Iterable[ArticleSets], *, labels: Sequence[str] | None = None) -> dict:
    """The agreement report of a set of articles; see the module docstring for definitions.

    Shape (floats rounded to 4 decimals, ``None`` where not computable)::

        {"articles": N,
         "overall": {"span_f1_exact", "span_f1_overlap", "kappa_token", "alpha_token",
                     "verdict_agreement"},
         "labels": {LABEL: {"span_f1_exact", "span_f1_overlap", "kappa_token", "alpha_token"}},
         "pairs": [{"a", "b", "span_f1_exact", "span_f1_overlap", "kappa_token", "alpha_token",
                    "verdict_agreement"}]}
    """
    allowed = None if labels is None else set(labels)
    seen: set[str] = set()
    n_articles = 0
    views = _Views()
    # (a, b) -> label -> [tp, fp, fn] exact, then [tp, fp, fn] overlap
    span_counts: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(dict)
    verdicts: dict[tuple[str, str], list[tuple]] = {}
    no_tokens: set[int] = set()

    for article in articles:
        if len(article.sets) < 2:
            continue
        n_articles += 1
        coders = tuple(sorted(article.sets))
        if allowed is None:
            spans = article.sets
        else:
            spans = {name: [s for s in article.sets[name] if s.label in allowed] for name in coders}
        starts, ends = _token_bounds(article.text)

        winners = []
        covers = []
        grouped = []
        claims = []
        for name in coders:
            winner, covered = _token_maps(starts, ends, spans[name])
            winners.append(winner)
            covers.append(covered)
            grouped.append(_by_label(spans[name]))
            claims.append(_claim_verdicts(spans[name]))
        article_labels = set().union(*grouped)
        seen.update(article_labels)

        views.add_article(coders, len(starts))
        views.add(None, coders, winners)
        for label in article_labels:
            views.add(label, coders, [covered.get(label, no_tokens) for covered in covers])

        for i, j in combinations(range(len(coders)), 2):
            pair = (coders[i], coders[j])
            counts = span_counts[pair]
            ga, gb = grouped[i], grouped[j]
            for label in ga.keys() | gb.keys():
                a, b = ga.get(label, ()), gb.get(label, ())
                exact, overlap = _matches(a, b)
                row = counts.get(label)
                if row is None:
                    row = counts[label] = [0, 0, 0, 0, 0, 0]
                row[0] += exact
                row[1] += len(a) - exact
                row[2] += len(b) - exact
                row[3] += overlap
                row[4] += len(a) - overlap
                row[5] += len(b) - overlap
            verdicts.setdefault(pair, []).extend(_verdict_pairs(claims[i], claims[j]))

    report_labels = list(labels) if labels is not None else sorted(seen)
    pair_keys = sorted(span_counts)

    def pair_f1(pair, label=None):
        rows = span_counts[pair]
        if label is not None:
            row = rows.get(label, [0] * 6)
        else:
            row = [sum(column) for column in zip(*rows.values(), strict=True)] or [0] * 6
        return f1(*row[:3]), f1(*row[3:])

    overall_tables = views.pair_tables(None)
    pairs_out = []
    pair_scores = []
    for pair in pair_keys:
        exact, overlap = pair_f1(pair)
        table = overall_tables.get(pair, {})
        scores = (exact, overlap, _kappa_from_table(table), _pair_alpha(table))
        pair_scores.append(scores)
        pairs_out.append(
            {
                "a": pair[0],
                "b": pair[1],
                "span_f1_exact": _round(scores[0]),
                "span_f1_overlap": _round(scores[1]),
                "kappa_token": _round(scores[2]),
                "alpha_token": _round(scores[3]),
                "verdict_agreement": _round_verdicts(_verdict_summary(verdicts[pair])),
            }
        )

    labels_out = {}
    for label in report_labels:
        tables = views.pair_tables(label)
        f1s = [pair_f1(pair, label) for pair in pair_keys]
        labels_out[label] = {
            "span_f1_exact": _round(_mean(e for e, _ in f1s)),
            "span_f1_overlap": _round(_mean(o for _, o in f1s)),
            "kappa_token": _round(_mean(_kappa_from_table(tables.get(pair, {})) for pair in pair_keys)),
            "alpha_token": _round(views.alpha(label)),
        }

    pooled = [p for pair in pair_keys for p in verdicts[pair]]
    return {
        "articles": n_articles,
        "overall": {
            "span_f1_exact": _round(_mean(s[0] for s in pair_scores)),
            "span_f1_overlap": _round(_mean(s[1] for s in pair_scores)),
            "kappa_token": _round(_mean(s[2] for s in pair_scores)),
            "alpha_token": _round(views.alpha(None)),
            "verdict_agreement": _round_verdicts(_verdict_summary(pooled)),
        },
        "labels": labels_out,
        "pairs": pairs_out,
    }


# ---------------------------------------------------------------------------
# Synthetic corpus for timing

_RATING_SCALE = ("true", "mostly-true", "half-true", "mostly-false", "false", "pants-on-fire")
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
            verdict = rng.choice(_RATING_SCALE)
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
                attributes = (("verdict", rng.choice(_RATING_SCALE)),)
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
