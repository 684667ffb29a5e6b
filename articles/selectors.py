"""Reads scoped to what a user may see.  Permission checks live here, in the
querysets views start from, never in templates."""

from django.db.models import Count, Q, QuerySet

from .models import ROLE_RANK, Article, Membership, Project, Role


def projects_for(user) -> QuerySet[Project]:
    if user.is_superuser:
        return Project.objects.all()
    return Project.objects.filter(memberships__user=user)


def role_in(user, project) -> str | None:
    """The user's role in ``project``; superusers act as managers everywhere."""
    if user.is_superuser:
        return Role.MANAGER
    return Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()


def has_role(role: str | None, needed: str) -> bool:
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[needed]


def articles_for(user, project, *, role: str | None = None) -> QuerySet[Article]:
    """The project's articles, each annotated with how many spans the user can see."""
    role = role or role_in(user, project)
    spans = Count(
        "annotation_sets__spans",
        filter=Q(annotation_sets__user=user) if not has_role(role, Role.REVIEWER) else None,
    )
    return (
        project.articles.annotate(span_count=spans)
        .defer("text", "meta")
        .order_by("id")
    )


def search_articles(queryset: QuerySet[Article], query: str) -> QuerySet[Article]:
    query = query.strip()
    if not query:
        return queryset
    return queryset.filter(Q(title__icontains=query) | Q(text__icontains=query) | Q(external_id=query))
