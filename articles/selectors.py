"""Reads scoped to what a user may see.  Permission checks live here, in the
querysets views start from, never in templates."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
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


def project_summaries(projects: QuerySet[Project], user) -> QuerySet[Project]:
    """``projects`` with, for the project list: ``n_articles``, the user's ``role``,
    and the user's own sets there, ``n_mine`` and ``n_mine_submitted``; one query."""
    from annotator.models import AnnotationSet

    mine = AnnotationSet.objects.filter(article__project=OuterRef("pk"), user=user, is_gold=False)
    role = Membership.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1]
    return projects.annotate(
        n_articles=correlated_count(Article.objects.filter(project=OuterRef("pk")), "project"),
        n_mine=correlated_count(mine, "article__project"),
        n_mine_submitted=correlated_count(mine.filter(status="submitted"), "article__project"),
        my_role=Subquery(role),
    )


def role_in(user, project) -> str | None:
    """The user's role in ``project``; superusers act as managers everywhere."""
    if user.is_superuser:
        return Role.MANAGER
    return Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()


def has_role(role: str | None, needed: str) -> bool:
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[needed]


def articles_for(user, project, *, role: str | None = None) -> QuerySet[Article]:
    """The articles the user may list, each annotated with how many spans they can see.

    Reviewers and managers see every article and every span, and ``set_status`` is
    the status of its gold set (None before review); annotators see the articles
    assigned to them (those where they hold a set), their own spans, and the status
    of their own set.
    """
    from annotator.models import AnnotationSet

    role = role or role_in(user, project)
    articles = project.articles.all()
    if has_role(role, Role.REVIEWER):
        spans = Count("annotation_sets__spans")
        # The column reviewers watch: where the article's gold set stands.
        status = AnnotationSet.objects.filter(article=OuterRef("pk"), is_gold=True).values("status")[:1]
    else:
        mine = AnnotationSet.objects.filter(article=OuterRef("pk"), user=user, is_gold=False)
        articles = articles.filter(Exists(mine))
        spans = Count("annotation_sets__spans", filter=Q(annotation_sets__user=user))
        status = mine.values("status")[:1]
    return (
        articles.annotate(span_count=spans, set_status=Subquery(status))
        .defer("text", "meta")
        .order_by("id")
    )


def search_articles(queryset: QuerySet[Article], query: str) -> QuerySet[Article]:
    query = query.strip()
    if not query:
        return queryset
    return queryset.filter(Q(title__icontains=query) | Q(text__icontains=query) | Q(external_id=query))
