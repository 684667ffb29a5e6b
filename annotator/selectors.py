"""Reads for the annotation domain, scoped to what a user may see: sets, spans and
relations, a project's labels, the project list with each project's figures, the
article list with each reader's status, and the members with their work.  Every
function costs a fixed number of queries (the docstring says which when it matters).
"""

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Abs

from articles.models import Article, Membership, Project, Role
from articles.selectors import correlated_count, has_role, role_in

from .models import AnnotationSet, Label, Relation, RelationType, SetStatus, Span
from .rendering import SpanRow


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


def relations_for(annotation_set) -> QuerySet[Relation]:
    return annotation_set.relations.select_related("type", "source__label", "target__label").order_by("id")


def labels_for(project) -> list[Label]:
    return list(project.labels.order_by("order", "name"))


def relation_types_for(project) -> list[RelationType]:
    return list(project.relation_types.select_related("source_label", "target_label").order_by("name"))


def project_summaries(projects: QuerySet[Project], user) -> QuerySet[Project]:
    """``projects`` with, for the project list: ``n_articles``, the user's ``role``,
    and the user's own sets there, ``n_mine`` and ``n_mine_submitted``; one query."""
    mine = AnnotationSet.objects.filter(article__project=OuterRef("pk"), user=user, is_gold=False)
    role = Membership.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1]
    return projects.annotate(
        n_articles=correlated_count(Article.objects.filter(project=OuterRef("pk")), "project"),
        n_mine=correlated_count(mine, "article__project"),
        n_mine_submitted=correlated_count(mine.filter(status="submitted"), "article__project"),
        my_role=Subquery(role),
    )


def articles_for(user, project, *, role: str | None = None) -> QuerySet[Article]:
    """The articles the user may list, each annotated with how many spans they can see.

    Reviewers and managers see every article and every span, and ``set_status`` is
    the status of its gold set (None before review); annotators see the articles
    assigned to them (those where they hold a set), their own spans, and the status
    of their own set.
    """
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


def memberships_with_work(project) -> QuerySet[Membership]:
    """The project's memberships with each member's sets there: ``working`` (started,
    not submitted) and ``submitted``; one query."""
    in_project = Q(user__annotation_sets__article__project=project)
    return (
        Membership.objects.filter(project=project)
        .select_related("user")
        .annotate(
            working=Count(
                "user__annotation_sets",
                filter=in_project & Q(user__annotation_sets__is_gold=False)
                & ~Q(user__annotation_sets__status=SetStatus.SUBMITTED),
            ),
            submitted=Count(
                "user__annotation_sets", filter=in_project & Q(user__annotation_sets__status=SetStatus.SUBMITTED)
            ),
        )
    )


def holds_unsubmitted(user, *, article_id, project) -> bool:
    """Whether ``user`` holds ``article_id`` of ``project`` and has not submitted it."""
    return (
        AnnotationSet.objects.filter(article_id=article_id, article__project=project, user=user, is_gold=False)
        .exclude(status=SetStatus.SUBMITTED)
        .exists()
    )


def submitted_everything(user, project) -> bool:
    """Whether ``user`` has submitted a set of every article of ``project``."""
    mine = AnnotationSet.objects.filter(article__project=project, user=user, status=SetStatus.SUBMITTED)
    return mine.count() == project.articles.count()


# ---------------------------------------------------------------- the workspace


def spans_visible_to(user, *, write: bool = False) -> QuerySet[Span]:
    """Spans of the sets ``user`` may read (or, with ``write``, change), with what the
    span panel shows of them."""
    return Span.objects.select_related(
        "label", "entity", "annotation_set__article__project", "annotation_set__user"
    ).filter(annotation_set__in=sets_for(user, write=write).values("pk"))


def reading_progress(user, article) -> dict:
    """Where ``article`` stands in its project for ``user``: ``position`` of ``total``,
    and how many articles they have ``submitted``; two queries."""
    project = article.project
    counts = project.articles.aggregate(total=Count("id"), position=Count("id", filter=Q(id__lte=article.pk)))
    submitted = AnnotationSet.objects.filter(article__project=project, user=user, status=SetStatus.SUBMITTED)
    return counts | {"submitted": submitted.count()}


def spans_between(annotation_set, low: int, high: int) -> list[SpanRow]:
    """The set's spans that overlap ``[low, high)``, with just their places, labels and
    attributes (light rows, not model instances: a paragraph may hold hundreds)."""
    spans = Span.objects.filter(annotation_set=annotation_set, start__lt=high, end__gt=low)
    return [
        SpanRow(pk, label_id, start, end, "", None, attributes)
        for pk, label_id, start, end, attributes in spans.values_list("id", "label_id", "start", "end", "attributes")
    ]


def nearest_spans(span: Span, *, label_ids, limit: int) -> tuple[list[Span], set[int]]:
    """The ``limit`` spans of ``label_ids`` nearest to ``span`` in its set, in text order,
    and the labels that have more candidates than that.  A speaker or claimant is almost
    always close to its quote or claim.  One query."""
    nearby = (
        Span.objects.filter(annotation_set_id=span.annotation_set_id, label_id__in=list(label_ids))
        .exclude(pk=span.pk)
        .only("id", "label_id", "start", "end", "text")
    )
    ranked = list(nearby.order_by(Abs(F("start") - span.start), "start")[: 2 * limit + 2])
    return sorted(ranked[:limit], key=lambda s: s.start), {s.label_id for s in ranked[limit:]}


def spans_matching(span: Span, *, label_id: int, query: str, limit: int) -> list[Span]:
    """Spans of ``label_id`` in ``span``'s set whose text contains ``query``, the nearest
    ``limit`` of them in text order."""
    candidates = (
        Span.objects.filter(annotation_set_id=span.annotation_set_id, label_id=label_id)
        .exclude(pk=span.pk)
        .only("id", "label_id", "start", "end", "text")
    )
    if query:
        candidates = candidates.filter(text__icontains=query)
    return sorted(candidates.order_by(Abs(F("start") - span.start), "start")[:limit], key=lambda s: s.start)


def relations_touching(span: Span) -> list[Relation]:
    """The relations from or to ``span``, with both ends and the type."""
    relations = Relation.objects.filter(Q(source=span) | Q(target=span))
    return list(relations.select_related("type", "source", "target"))


def other_mentions(span: Span) -> list[Span]:
    """The other spans of ``span``'s set linked to the same entity, in text order."""
    if not span.entity_id:
        return []
    spans = Span.objects.filter(annotation_set_id=span.annotation_set_id, entity_id=span.entity_id)
    return list(spans.exclude(pk=span.pk).order_by("start"))


def label_counts(annotation_set, labels) -> list[dict]:
    """How many spans of each of ``labels`` the set holds (0 included), for the sidebar."""
    counts = dict(annotation_set.spans.values_list("label_id").annotate(n=Count("id")).values_list("label_id", "n"))
    return [{"id": label.pk, "count": counts.get(label.pk, 0)} for label in labels]
