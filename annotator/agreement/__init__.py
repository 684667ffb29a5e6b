"""Inter-annotator agreement: how far the annotators of a project agree, and on what.

Three parts. :mod:`.metrics` computes every figure from plain data and imports no
Django; :mod:`.load` reads from the database what the metrics need (which sets
count, their spans) and gives the report of a project; :mod:`.cache` keeps that
report until the project's annotations change, and gives it the shape
``agreement --json`` prints. This package re-exports the metrics only, so importing
it never loads the ORM; callers take the database side from :mod:`.load` and
:mod:`.cache` by name.
"""

from .metrics import (
    OUTSIDE,
    ArticleSets,
    SpanRef,
    cohen_kappa,
    f1,
    krippendorff_alpha_nominal,
    project_agreement,
    span_f1,
    token_labels,
    tokenize,
    verdict_agreement,
)

__all__ = [
    "OUTSIDE",
    "ArticleSets",
    "SpanRef",
    "cohen_kappa",
    "f1",
    "krippendorff_alpha_nominal",
    "project_agreement",
    "span_f1",
    "token_labels",
    "tokenize",
    "verdict_agreement",
]
