"""Reads for the annotation domain, scoped to what a user may see."""

from django.db.models import Q, QuerySet

from articles.models import Role
from articles.selectors import has_role, role_in

from .models import AnnotationSet, Label, Relation, RelationType, Span


def sets_for(user, *, write: bool = False) -> QuerySet[AnnotationSet]:
    """Annotation sets ``user`` may read (or, with ``write``, change).

    Annotators read and write only their own sets; reviewers and managers also
    read every set of their projects and write the gold sets.
    """
    sets = AnnotationSet.objects.select_related("article__project", "user")
    if user.is_superuser:
        return sets if not write else sets.filter(Q(user=user) | Q(is_gold=True))
    reviewer_projects = user.memberships.filter(role__in=[Role.REVIEWER, Role.MANAGER]).values("project_id")
    member_projects = user.memberships.values("project_id")
    own = Q(user=user, article__project_id__in=member_projects)
    if write:
        return sets.filter(own | Q(is_gold=True, article__project_id__in=reviewer_projects))
    return sets.filter(own | Q(article__project_id__in=reviewer_projects))


def spans_for(annotation_set) -> QuerySet[Span]:
    return annotation_set.spans.select_related("label", "entity").order_by("start", "-end", "id")


def relations_for(annotation_set) -> QuerySet[Relation]:
    return annotation_set.relations.select_related("type", "source__label", "target__label").order_by("id")


def labels_for(project) -> list[Label]:
    return list(project.labels.order_by("order", "name"))


def relation_types_for(project) -> list[RelationType]:
    return list(project.relation_types.select_related("source_label", "target_label").order_by("name"))


def can_review(user, project) -> bool:
    return has_role(role_in(user, project), Role.REVIEWER)
