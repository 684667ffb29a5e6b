"""The project report: every agreement figure of a set of articles in one pass.

:func:`project_agreement` takes :class:`~.spans.ArticleSets` and returns span F1,
token kappa, token alpha and verdict agreement, overall, per label and per pair of
annotators. Each labelled token is looked at once per view (all labels, or one
label), and kappa and alpha are derived from the counts (see :class:`_Views`). What
each figure means:

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

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import combinations

from .chance import _add_unit, _alpha_from_coincidences, _kappa_from_table, _pair_alpha
from .spans import ArticleSets, _by_label, _matches, f1
from .tokens import _token_bounds, _token_maps
from .verdicts import _claim_verdicts, _verdict_pairs, _verdict_summary

__all__ = ["project_agreement"]


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _round_verdicts(summary: dict) -> dict:
    return {**summary, "agreement": _round(summary["agreement"]), "kappa": _round(summary["kappa"])}


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
