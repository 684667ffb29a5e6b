"""Agreement on claim verdicts: do two annotators give the same verdict to the same claim?

Only ``Claim`` spans both annotators marked at the same offsets, each with a
``verdict`` attribute, are compared; :func:`verdict_agreement` gives the fraction of
equal verdicts and Cohen's kappa over them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from .chance import _kappa_from_table
from .spans import SpanRef

__all__ = ["verdict_agreement"]

CLAIM_LABEL = "Claim"
VERDICT_ATTRIBUTE = "verdict"


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
