"""Reads of the suggestion layer, at a constant number of queries however many suggestions there are."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from ..models import SuggestedRelation, Suggestion, SuggestionDecision


def suggestions_for(article, user) -> list[Suggestion]:
    """The article's suggestions that ``user`` has neither accepted nor rejected, by place (one query)."""
    decided = SuggestionDecision.objects.filter(suggestion=OuterRef("pk"), user=user)
    return list(Suggestion.objects.filter(article=article).exclude(Exists(decided))
                .select_related("label", "entity").order_by("start", "-end", "-score", "pk"))


def suggested_relations_for(article) -> list[SuggestedRelation]:
    """Every suggested relation of the article, with its type (one query)."""
    return list(SuggestedRelation.objects.filter(article=article).select_related("type").order_by("pk"))
