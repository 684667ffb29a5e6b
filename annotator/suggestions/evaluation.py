"""The recommenders measured against the project's gold sets (or its submitted sets, taken together per
article): the table of :mod:`.scoring`, read at a constant number of queries."""

from __future__ import annotations

from collections import defaultdict

from ..errors import ServiceError
from ..models import AnnotationSet, Relation, SetStatus, Span, SuggestedRelation, Suggestion
from .scoring import Scorer

AGAINST = ("gold", "submitted")


def evaluate(project, *, against: str = "gold") -> dict:
    """``{"against", "articles", "rows": [...], "speakers": {...}}`` (see :class:`.scoring.Scorer`)."""
    if against not in AGAINST:
        raise ServiceError(f"Evaluate against gold or submitted, not “{against}”.")
    sets = AnnotationSet.objects.filter(article__project=project)
    sets = sets.filter(is_gold=True) if against == "gold" else sets.filter(is_gold=False,
                                                                           status=SetStatus.SUBMITTED)
    set_article = dict(sets.values_list("pk", "article_id"))
    reference: dict[int, dict] = defaultdict(dict)  # article -> place -> span
    same: dict[int, int] = {}  # span id -> the id kept for its place
    for pk, set_id, label, start, end, entity in Span.objects.filter(annotation_set__in=sets).values_list(
            "pk", "annotation_set_id", "label__name", "start", "end", "entity_id").order_by("pk"):
        places = reference[set_article[set_id]]
        kept = places.setdefault((label, start, end), {"id": pk, "label": label, "start": start, "end": end,
                                                        "entity": entity})
        same[pk] = kept["id"]
    reference_relations: dict[int, list[dict]] = defaultdict(list)
    for set_id, kind, source, target in Relation.objects.filter(annotation_set__in=sets).values_list(
            "annotation_set_id", "type__name", "source_id", "target_id"):
        reference_relations[set_article[set_id]].append({"type": kind, "source": same.get(source),
                                                          "target": same.get(target)})
    articles = sorted(set(set_article.values()))
    suggestions: dict[int, list[dict]] = defaultdict(list)
    for pk, article, label, start, end, source, entity in Suggestion.objects.filter(
            article_id__in=articles).values_list("pk", "article_id", "label__name", "start", "end", "source",
                                                 "entity_id"):
        suggestions[article].append({"id": pk, "label": label, "start": start, "end": end, "source": source,
                                     "entity": entity})
    relations: dict[int, list[dict]] = defaultdict(list)
    for article, kind, source, target in SuggestedRelation.objects.filter(article_id__in=articles).values_list(
            "article_id", "type__name", "source_id", "target_id"):
        relations[article].append({"type": kind, "source": source, "target": target})
    scorer = Scorer()
    for article in articles:
        scorer.add(suggestions[article], relations[article], list(reference[article].values()),
                   reference_relations[article])
    return {"against": against, "articles": len(articles), **scorer.table()}
