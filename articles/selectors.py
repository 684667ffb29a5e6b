"""Reads scoped to what a user may see.  Permission checks live here, in the
querysets views start from, never in templates."""

from django.db.models import Count, IntegerField, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from .models import ROLE_RANK, Article, Membership, Project, Role


def projects_for(user) -> QuerySet[Project]:
    if user.is_superuser:
        return Project.objects.all()
    return Project.objects.filter(memberships__user=user)


def correlated_count(queryset, group_by: str) -> Coalesce:
    """How many rows of ``queryset`` (filtered on an ``OuterRef``) belong to the outer
    row, 0 when none: a subquery for ``annotate``.  ``group_by`` names the field all of
    one outer row's rows share (``"article"`` for sets counted per article)."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def role_in(user, project) -> str | None:
    """The user's role in ``project``; superusers act as managers everywhere."""
    if user.is_superuser:
        return Role.MANAGER
    return Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()


def has_role(role: str | None, needed: str) -> bool:
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[needed]


def search_articles(queryset: QuerySet[Article], query: str) -> QuerySet[Article]:
    query = query.strip()
    if not query:
        return queryset
    return queryset.filter(Q(title__icontains=query) | Q(text__icontains=query) | Q(external_id=query))
