"""Who annotates which article.

An article needs ``project.annotators_per_article`` (k) annotators.  **A non-gold
set takes one of the k slots from the moment it exists**, whatever its status and
even while it is empty: the queue ("Next"), a manager's assignment and an
annotator opening the article all create the set, and from then on the article is
that person's to finish.  Counting only sets with spans would let k+1 people start
the same article and one of them lose their time.  Slots come back when a manager
unassigns a set or releases an assignment left untouched for
``FACTMARK_RELEASE_AFTER_HOURS``.

Reviewers and managers may always open an article: when its slots are taken they
still get their own set (an extra pair of eyes, never handed out by the queue).

Every path that creates a non-gold set locks the article row first and counts the
slots after the lock, in a new statement: on PostgreSQL ``select_for_update`` (with
``skip_locked`` in the queue, so that annotators pressing "Next" together take
different articles instead of waiting for each other); on SQLite the IMMEDIATE
transaction mode (see settings) already lets one writer at a time in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Membership, Project, Role
from articles.selectors import correlated_count, has_role, role_in

from .errors import NeedsConfirmation, ServiceError
from .events import log_event, span_data
from .models import AnnotationSet, Event, Relation, SetStatus, Span

# How many locked-but-full candidates the queue looks past before it gives up.
MAX_CANDIDATES = 50


class NotAssigned(PermissionDenied):
    """An annotator opened an article whose slots others hold."""

    def __init__(self, message, *, next_url=None):
        super().__init__(message)
        self.next_url = next_url


# ---------------------------------------------------------------- counting


def taken_slots() -> Subquery:
    """Per article (as ``OuterRef("pk")``): how many non-gold sets exist."""
    return correlated_count(AnnotationSet.objects.filter(article=OuterRef("pk"), is_gold=False), "article")


def _count_sets(article_id) -> int:
    return AnnotationSet.objects.filter(article_id=article_id, is_gold=False).count()


def _lock_article(article_id):
    """Lock one article row (waits for another writer); a no-op lock on SQLite."""
    return Article.objects.select_for_update(of=("self",)).filter(pk=article_id).values_list("pk", flat=True).first()


def _create_set(*, article, user, by, via) -> AnnotationSet:
    annotation_set = AnnotationSet.objects.create(article=article, user=user, is_gold=False)
    log_event(
        user=by,
        action=Event.Action.CREATE,
        obj=annotation_set,
        annotation_set=annotation_set,
        article=article,
        project=article.project,
        data={"annotator": user.get_username(), "via": via},
    )
    return annotation_set


# ---------------------------------------------------------------- the queue


def next_for(*, user, project: Project, after: int | None = None) -> AnnotationSet | None:
    """The set the user should work on next, created when needed, or None.

    First the user's own unsubmitted sets other than the article they come from
    (``after``), the next one after it, wrapping around; then the first article that
    still has a free slot, that the user has no set on and whose gold is not done:
    the user's set is created there under the article's lock.  Never more than k
    non-gold sets per article, however many people press "Next" at once.
    """
    own = AnnotationSet.objects.filter(article__project=project, user=user, is_gold=False).exclude(
        status=SetStatus.SUBMITTED
    )
    if after:
        own = own.exclude(article_id=after)
    mine = own.filter(article_id__gt=after or 0).order_by("article_id").first() or own.order_by("article_id").first()
    if mine is not None:
        return mine
    return _claim(user=user, project=project)


def claimable(project: Project, user) -> QuerySet[Article]:
    """Articles with a free slot that ``user`` has not started, gold not done, oldest first."""
    return (
        project.articles.annotate(taken=taken_slots())
        .filter(taken__lt=project.annotators_per_article)
        .exclude(Exists(AnnotationSet.objects.filter(article=OuterRef("pk"), user=user)))
        .exclude(Exists(AnnotationSet.objects.filter(article=OuterRef("pk"), is_gold=True, status=SetStatus.DONE)))
        .order_by("id")
    )


def _claim(*, user, project) -> AnnotationSet | None:
    """Lock a candidate, count its sets again, take a slot or move on.

    One short transaction per candidate, so nobody holds the lock of an article
    they could not take.  The first pass skips articles others hold locked; when
    it finds nothing, a second pass waits for those locks, so that an annotator
    pressing "Next" at the same moment as others is not told "nothing left" while a
    slot is still free.
    """
    k = project.annotators_per_article
    tried: set[int] = set()
    for skip_locked in (True, False):
        for _ in range(MAX_CANDIDATES):
            with transaction.atomic():
                candidate = (
                    claimable(project, user)
                    .exclude(pk__in=tried)
                    .select_for_update(skip_locked=skip_locked, of=("self",))
                    .only("id", "project_id", "title")
                    .first()
                )
                if candidate is None:
                    break
                # The filter above ran on a snapshot taken before the lock was ours; count again.
                if _count_sets(candidate.pk) < k:
                    candidate.project = project
                    return _create_set(article=candidate, user=user, by=user, via="next")
            tried.add(candidate.pk)
    return None


def open_set(*, article: Article, user) -> AnnotationSet:
    """The user's own set for ``article``, created on first visit while a slot is free.

    Annotators who find the k slots taken by others get NotAssigned (a 403 with a
    message); reviewers and managers always get their own set.
    """
    existing = AnnotationSet.objects.filter(article=article, user=user, is_gold=False).first()
    if existing is not None:
        return existing
    project = article.project
    privileged = has_role(role_in(user, project), Role.REVIEWER)
    try:
        with transaction.atomic():
            _lock_article(article.pk)
            existing = AnnotationSet.objects.filter(article=article, user=user, is_gold=False).first()
            if existing is not None:
                return existing
            k = project.annotators_per_article
            if not privileged and _count_sets(article.pk) >= k:
                raise NotAssigned(
                    f"“{article.short_title}” already has its {k} annotator{'s' if k != 1 else ''} and is not "
                    "assigned to you. Press “Next” for an article that needs you, or ask a manager to assign "
                    "this one.",
                    next_url=reverse("next-article", args=[project.slug]),
                )
            return _create_set(article=article, user=user, by=user, via="open")
    except IntegrityError:
        # The same person opened the article twice at once: the other request made the set.
        return AnnotationSet.objects.get(article=article, user=user, is_gold=False)


# ---------------------------------------------------------------- managers


@dataclass
class AssignReport:
    assigned: list[Article] = field(default_factory=list)
    already: list[Article] = field(default_factory=list)
    full: list[Article] = field(default_factory=list)

    def messages(self, username: str) -> list[tuple[str, str]]:
        """(level, text) pairs for the page."""
        result = []
        if self.assigned:
            result.append(("success", f"Assigned {len(self.assigned)} article(s) to {username}."))
        if self.already:
            result.append(("warning", f"{username} already has {_titles(self.already)}."))
        if self.full:
            result.append(
                ("warning", f"Not assigned, all slots taken: {_titles(self.full)}. Unassign someone first or raise "
                            "the project's annotators per article.")
            )
        return result


def _titles(articles, limit=5) -> str:
    names = [f"“{a.short_title}”" for a in articles[:limit]]
    more = len(articles) - limit
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def assignable_users(project: Project):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(memberships__project=project).order_by("username")


def assign(*, project: Project, article_ids, user, by) -> AssignReport:
    """Give ``user`` a set on each article; articles with no free slot are reported, not forced.

    Bad input (a user outside the project, an article of another project) is
    refused before anything is written.
    """
    ids = sorted({int(pk) for pk in article_ids})
    if not ids:
        raise ServiceError("Tick at least one article to assign.")
    if user is None or not Membership.objects.filter(project=project, user=user).exists():
        raise ServiceError("Choose a member of this project to assign the articles to.")
    articles = list(project.articles.filter(pk__in=ids).only("id", "title", "project_id").order_by("id"))
    if len(articles) != len(ids):
        raise ServiceError("Some of the chosen articles are not in this project; nothing was assigned.")
    report = AssignReport()
    k = project.annotators_per_article
    with transaction.atomic():
        for article in articles:
            article.project = project
            _lock_article(article.pk)
            if AnnotationSet.objects.filter(article=article, user=user).exists():
                report.already.append(article)
            elif _count_sets(article.pk) >= k:
                report.full.append(article)
            else:
                _create_set(article=article, user=user, by=by, via="assigned")
                report.assigned.append(article)
    return report


def _delete_set(*, annotation_set: AnnotationSet, by, reason: str):
    """Delete a non-gold set with its spans and relations; the event keeps a copy of them."""
    spans = list(Span.objects.filter(annotation_set=annotation_set).select_related("label"))
    relations = list(
        Relation.objects.filter(annotation_set=annotation_set).select_related("type").values_list(
            "type__name", "source_id", "target_id"
        )
    )
    log_event(
        user=by,
        action=Event.Action.DELETE,
        obj=annotation_set,
        annotation_set=annotation_set,
        article=annotation_set.article,
        project=annotation_set.article.project,
        data={
            "annotator": annotation_set.user.get_username(),
            "status": annotation_set.status,
            "reason": reason,
            "spans": [span_data(s) | {"id": s.pk} for s in spans],
            "relations": [{"type": t, "source": s, "target": g} for t, s, g in relations],
        },
    )
    Relation.objects.filter(annotation_set=annotation_set).delete()
    Span.objects.filter(annotation_set=annotation_set).delete()
    annotation_set.delete()


def unassign(*, annotation_set: AnnotationSet, by, confirm_spans: int | None = None) -> int:
    """Take an article back from its annotator; returns how many spans went with it.

    A set without spans goes at once.  A set with spans goes only when
    ``confirm_spans`` equals its current span count (the number the manager was
    shown); otherwise ServiceError says how many would be deleted.
    """
    if annotation_set.is_gold:
        raise ServiceError("The gold set is not an assignment; reopen or edit it from the review page.")
    with transaction.atomic():
        _lock_article(annotation_set.article_id)
        locked = AnnotationSet.objects.select_related("article__project", "user").filter(pk=annotation_set.pk).first()
        if locked is None:
            raise ServiceError("That assignment no longer exists.")
        n = locked.spans.count()
        if n and confirm_spans != n:
            raise NeedsConfirmation(
                f"Unassigning {locked.user.get_username()} from “{locked.article.short_title}” deletes their "
                f"{n} span(s) and the relations between them.",
                spans=n,
            )
        _delete_set(annotation_set=locked, by=by, reason="unassigned")
    return n


def release_member(*, project: Project, user, by) -> tuple[int, int]:
    """When ``user`` leaves ``project``: their empty, unsubmitted sets go back to the
    queue.  Returns (released, kept): sets with spans or submitted stay as they are."""
    sets = with_activity(AnnotationSet.objects.filter(article__project=project, user=user, is_gold=False))
    chosen, kept = [], 0
    for annotation_set in sets.select_related("article__project", "user").order_by("article_id", "pk"):
        if annotation_set.n_spans or annotation_set.status == SetStatus.SUBMITTED:
            kept += 1
        else:
            chosen.append(annotation_set)
    for annotation_set in chosen:
        _lock_article(annotation_set.article_id)
        _delete_set(annotation_set=annotation_set, by=by, reason="member removed")
    return len(chosen), kept


# ---------------------------------------------------------------- stale assignments


def release_after_hours() -> int:
    return settings.FACTMARK_RELEASE_AFTER_HOURS


def with_activity(queryset: QuerySet[AnnotationSet]) -> QuerySet[AnnotationSet]:
    """Annotate sets with ``n_spans`` and ``last_activity`` (the set's or its latest event's time)."""
    n_spans = (
        Span.objects.filter(annotation_set=OuterRef("pk")).order_by().values("annotation_set")
        .annotate(n=Count("pk")).values("n")
    )
    last_event = (
        Event.objects.filter(annotation_set=OuterRef("pk")).order_by().values("annotation_set")
        .annotate(t=Max("created_at")).values("t")
    )
    return queryset.annotate(
        n_spans=Coalesce(Subquery(n_spans, output_field=IntegerField()), Value(0)),
        last_activity=Greatest(F("updated_at"), Coalesce(Subquery(last_event), F("updated_at"))),
    )


def stale_cutoff(hours: int):
    return timezone.now() - dt.timedelta(hours=hours)


def stale_sets(project: Project, *, hours: int | None = None) -> QuerySet[AnnotationSet]:
    """Non-gold sets started and not touched (no set change, no span event) for ``hours``."""
    cutoff = stale_cutoff(release_after_hours() if hours is None else hours)
    sets = AnnotationSet.objects.filter(
        article__project=project, is_gold=False, status__in=[SetStatus.NEW, SetStatus.IN_PROGRESS]
    )
    return with_activity(sets).filter(last_activity__lt=cutoff).select_related("article", "user").order_by("id")


@dataclass
class StaleSummary:
    hours: int
    empty: int
    with_spans: int
    spans: int


def stale_summary(project: Project, *, hours: int | None = None) -> StaleSummary:
    hours = release_after_hours() if hours is None else hours
    counts = stale_sets(project, hours=hours).order_by().aggregate(
        empty=Count("pk", filter=Q(n_spans=0)),
        with_spans=Count("pk", filter=Q(n_spans__gt=0)),
        spans=Sum("n_spans"),
    )
    return StaleSummary(
        hours=hours, empty=counts["empty"] or 0, with_spans=counts["with_spans"] or 0, spans=counts["spans"] or 0
    )


def release_stale(
    *, project: Project, by, hours: int | None = None, confirm_spans: int | None = None
) -> tuple[int, int]:
    """Release assignments left untouched for ``hours``; returns (sets, spans) released.

    Empty sets always go.  Sets with spans go too only when ``confirm_spans`` equals
    the number of spans they hold now (what the manager was shown); when it does
    not, nothing at all is released.
    """
    hours = release_after_hours() if hours is None else hours
    if hours < 1:
        raise ServiceError("Release assignments untouched for at least one hour.")
    with transaction.atomic():
        stale = list(stale_sets(project, hours=hours))
        holding = [s for s in stale if s.n_spans]
        spans = sum(s.n_spans for s in holding)
        if confirm_spans is not None and confirm_spans != spans:
            raise ServiceError(
                f"The stale assignments now hold {spans} span(s), not {confirm_spans}: someone worked on them "
                "meanwhile. Nothing was released; look again."
            )
        chosen = stale if confirm_spans is not None else [s for s in stale if not s.n_spans]
        chosen.sort(key=lambda s: (s.article_id, s.pk))  # lock articles in one order, as assign does
        for annotation_set in chosen:
            _lock_article(annotation_set.article_id)
            _delete_set(annotation_set=annotation_set, by=by, reason=f"untouched for {hours} h")
    return len(chosen), sum(s.n_spans for s in chosen)
