"""Inter-annotator agreement, as pure functions over plain data.

How far do annotators agree, given each one's spans on the same articles? Nothing
here touches the database (nor imports Django): callers turn annotation sets into
:class:`ArticleSets` (the article text plus each annotator's :class:`SpanRef` list)
and get numbers back. Offsets are code points, half-open ``[start, end)``
(docs/design.md, rule 1). One module per family of metrics:

- :mod:`.spans` — the plain data, and span F1: :func:`span_f1` counts (tp, fp, fn)
  between two span lists, by exact match or by one-to-one greedy overlap matching;
  :func:`f1` turns the counts into a score.
- :mod:`.tokens` — :func:`tokenize` splits text into tokens: a run of word
  characters, or one character that is neither a word character nor whitespace
  (``\\w+|[^\\w\\s]``); :func:`token_labels` gives each token the label of the span
  covering it.
- :mod:`.chance` — :func:`cohen_kappa` (two coders, same units) and
  :func:`krippendorff_alpha_nominal` (any number of coders, missing values allowed)
  measure agreement on labels.
- :mod:`.verdicts` — :func:`verdict_agreement` compares the verdicts of claims both
  annotators marked.
- :mod:`.report` — :func:`project_agreement`, every figure of a set of articles at
  once; its docstring defines each figure.

Scores that cannot be computed are ``None`` (never ``nan``); averages skip them, and
an average of nothing is ``None``.
"""

from .chance import cohen_kappa, krippendorff_alpha_nominal
from .report import project_agreement
from .spans import ArticleSets, SpanRef, f1, span_f1
from .tokens import OUTSIDE, token_labels, tokenize
from .verdicts import verdict_agreement

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
