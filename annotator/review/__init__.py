"""Review into gold: compare the annotators' sets of one article and settle them.

- ``compare``: what the annotators agree and disagree on (``review_for``);
- ``decide``: what a reviewer's decision writes into gold, and finishing gold;
- ``queue``: which articles wait for a reviewer;
- ``sending_back``: sending a submitted set back to its annotator;
- ``text``: the merged text of every layer, as the review page shows it.

The names callers use are re-exported here.
"""

from .compare import (
    DROP,
    TAKE,
    AgreedSpan,
    Annotator,
    Decision,
    Place,
    RelationItem,
    Review,
    Version,
    review_for,
    span_place,
    span_value,
)
from .decide import REVIEW, accept_agreed, decide, gold_finish, gold_reopen, gold_set_for
from .queue import next_to_review, waiting_for_review
from .sending_back import SENT_BACK, send_back, sent_back_to

__all__ = [
    "DROP",
    "REVIEW",
    "SENT_BACK",
    "TAKE",
    "AgreedSpan",
    "Annotator",
    "Decision",
    "Place",
    "RelationItem",
    "Review",
    "Version",
    "accept_agreed",
    "decide",
    "gold_finish",
    "gold_reopen",
    "gold_set_for",
    "next_to_review",
    "review_for",
    "send_back",
    "sent_back_to",
    "span_place",
    "span_value",
    "waiting_for_review",
]
