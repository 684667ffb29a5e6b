"""An annotator's decisions on suggestions: accepting one into their own set, rejecting one.

Accepting creates the span through the same checked service as a hand-made span
(:func:`annotator.spans.span_create`: offsets, label, attribute values, entity, overlap rules), with the
suggestion's entity and attribute values, and the suggested relations whose other end this annotator has
already accepted into the same set (the others follow when that end is accepted). A suggestion's own
outgoing links come along: accepting a quote accepts its suggested speaker and cue too, unless the
annotator rejected them. The span's ``create`` event records the suggestion's source and score.
Rejecting hides a suggestion from that annotator for good (:class:`~annotator.models.SuggestionDecision`).
Both refuse bad input with :class:`~annotator.errors.ServiceError` and then change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from articles.models import Membership

from ..errors import ServiceError
from ..models import AnnotationSet, Event, Relation, Span, SuggestedRelation, Suggestion, SuggestionDecision
from ..spans import relation_create, span_create

Choice = SuggestionDecision.Choice


@dataclass
class Accepted:
    span: Span  # the span of the suggestion asked for
    spans: list[Span] = field(default_factory=list)  # every span the call created or found, that one first
    relations: list[Relation] = field(default_factory=list)  # the relations it created


def _check(suggestion: Suggestion, annotation_set: AnnotationSet, user) -> None:
    if annotation_set.article_id != suggestion.article_id:
        raise ServiceError("This suggestion belongs to another article.")
    if annotation_set.is_gold or annotation_set.user_id != getattr(user, "pk", None):
        raise ServiceError("Suggestions are accepted into your own annotation set only.")


@transaction.atomic
def suggestion_accept(*, suggestion: Suggestion, annotation_set: AnnotationSet, user) -> Accepted:
    """Accept ``suggestion`` into ``user``'s own ``annotation_set`` (see the module's description)."""
    _check(suggestion, annotation_set, user)
    decided = {d.suggestion_id: d for d in SuggestionDecision.objects.filter(
        user=user, suggestion__article_id=suggestion.article_id).select_related("span")}
    result = Accepted(span=None)  # type: ignore[arg-type]
    result.span = _accept_one(suggestion, annotation_set, user, decided, result)
    links = list(SuggestedRelation.objects.filter(source=suggestion).select_related("target__label",
                                                                                    "target__entity"))
    for link in links:
        previous = decided.get(link.target_id)
        if previous is not None and previous.choice == Choice.REJECTED:
            continue
        _accept_one(link.target, annotation_set, user, decided, result)
    _link(suggestion, annotation_set, user, decided, result)
    return result


def _accept_one(suggestion: Suggestion, annotation_set: AnnotationSet, user, decided: dict,
                result: Accepted) -> Span:
    previous = decided.get(suggestion.pk)
    if previous is not None and previous.choice == Choice.ACCEPTED and previous.span is not None \
            and previous.span.annotation_set_id == annotation_set.pk:
        span = previous.span
    else:
        label = suggestion.label
        span, created = span_create(
            annotation_set=annotation_set, label=label, start=suggestion.start, end=suggestion.end,
            text=suggestion.text, user=user, attributes=suggestion.attributes or {},
            entity=suggestion.entity if label.links_entity else None)
        if created:
            event = Event.objects.filter(object_type="span", object_id=span.pk,
                                         action=Event.Action.CREATE).order_by("-id").first()
            if event is not None:
                event.data = {**event.data, "suggestion": {"id": suggestion.pk, "source": suggestion.source,
                                                           "score": suggestion.score}}
                event.save(update_fields=["data"])
        decided[suggestion.pk], _ = SuggestionDecision.objects.update_or_create(
            suggestion=suggestion, user=user, defaults={"choice": Choice.ACCEPTED, "span": span})
    result.spans.append(span)
    return span


def _link(suggestion: Suggestion, annotation_set: AnnotationSet, user, decided: dict, result: Accepted) -> None:
    """Every suggested relation of the suggestions just accepted whose two ends are now accepted spans."""
    accepted_ids = {pk for pk, d in decided.items() if d.choice == Choice.ACCEPTED and d.span is not None
                    and d.span.annotation_set_id == annotation_set.pk}
    touched = {span.pk for span in result.spans}
    links = SuggestedRelation.objects.filter(source_id__in=accepted_ids, target_id__in=accepted_ids) \
        .select_related("type__source_label", "type__target_label")
    for link in links:
        source, target = decided[link.source_id].span, decided[link.target_id].span
        if source.pk not in touched and target.pk not in touched:
            continue
        relation, created = relation_create(annotation_set=annotation_set, type=link.type, source=source,
                                            target=target, user=user)
        if created:
            result.relations.append(relation)


@transaction.atomic
def suggestion_reject(*, suggestion: Suggestion, user) -> SuggestionDecision:
    """Hide ``suggestion`` from ``user`` for good; a suggestion they accepted is refused (delete its span)."""
    if not user.is_superuser and not Membership.objects.filter(project_id=suggestion.article.project_id,
                                                               user=user).exists():
        raise ServiceError("You are not a member of this project.")
    previous = SuggestionDecision.objects.filter(suggestion=suggestion, user=user).first()
    if previous is not None and previous.choice == Choice.ACCEPTED and previous.span_id is not None:
        raise ServiceError("You accepted this suggestion; delete its span to undo that.")
    decision, _ = SuggestionDecision.objects.update_or_create(
        suggestion=suggestion, user=user, defaults={"choice": Choice.REJECTED, "span": None})
    return decision
