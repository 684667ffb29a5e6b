"""Chance-corrected agreement on labels: Cohen's kappa and Krippendorff's alpha.

:func:`cohen_kappa` compares two coders who labelled the same units;
:func:`krippendorff_alpha_nominal` takes any number of coders, missing values
allowed. Both agree with the reference packages (scikit-learn and krippendorff), and
both are also computed here from contingency tables and coincidence matrices, the
form in which the project report counts tokens.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence

__all__ = ["cohen_kappa", "krippendorff_alpha_nominal"]


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


def _pair_alpha(table: Mapping[tuple[Hashable, Hashable], int]) -> float | None:
    """Alpha of two coders who both coded every unit, from their contingency table."""
    coincidences: dict = defaultdict(float)
    for (x, y), count in table.items():
        coincidences[x, y] += count
        coincidences[y, x] += count
    return _alpha_from_coincidences(coincidences)
