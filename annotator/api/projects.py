"""Projects: the caller's projects with their role, one project's settings, its label
schema, its knowledge base, and (reviewers and managers) progress and agreement."""

from __future__ import annotations

from typing import Annotated

from ninja import Query, Router

from articles.models import Role
from articles.selectors import has_role, projects_for

from ..agreement.cache import agreement_counts, cached_agreement_report, public_report
from ..entities import entity_rows
from ..progress import project_progress
from ..selectors import labels_for, project_summaries, relation_types_for
from . import common
from .schemas import (
    AgreementOut,
    EntityPage,
    LabelOut,
    ProgressOut,
    ProjectDetailOut,
    ProjectOut,
    RelationTypeOut,
)

router = Router(tags=["projects"])


def _project_out(project, role, articles: int) -> dict:
    return {"slug": project.slug, "name": project.name, "role": role, "description": project.description,
            "articles": articles}


@router.get("/projects", response=list[ProjectOut], summary="Your projects, with your role in each")
def list_projects(request):
    projects = project_summaries(projects_for(request.user), request.user).order_by("name")
    superuser = request.user.is_superuser
    return [_project_out(p, Role.MANAGER if superuser else p.my_role, p.n_articles) for p in projects]


@router.get("/projects/{slug}", response=ProjectDetailOut, summary="A project's settings")
def get_project(request, slug: str):
    project, role = common.project(request, slug)
    return _project_out(project, role, project.articles.count()) | {
        "organisation": project.organisation, "guidelines": project.guidelines,
        "annotators_per_article": project.annotators_per_article, "allow_overlap": project.allow_overlap,
        "snap_to_words": project.snap_to_words, "created_at": project.created_at,
    }


@router.get("/projects/{slug}/labels", response=list[LabelOut], summary="The project's labels")
def list_labels(request, slug: str):
    project, _ = common.project(request, slug)
    return [{"id": label.pk, "name": label.name, "colour": label.colour, "key": label.key,
             "description": label.description, "attributes": label.attributes or [],
             "links_entity": label.links_entity} for label in labels_for(project)]


@router.get("/projects/{slug}/relation-types", response=list[RelationTypeOut], summary="The project's relation types")
def list_relation_types(request, slug: str):
    project, _ = common.project(request, slug)
    return [{"id": t.pk, "name": t.name, "source_label": t.source_label.name, "target_label": t.target_label.name,
             "description": t.description} for t in relation_types_for(project)]


@router.get("/projects/{slug}/entities", response=EntityPage, summary="The knowledge base of actors")
def list_entities(
    request, slug: str,
    q: Annotated[str, Query(max_length=100, description="Name or alias contains.")] = "",
    cursor: Annotated[str | None, Query(description="The `next` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=common.MAX_LIMIT)] = common.DEFAULT_LIMIT,
):
    project, role = common.project(request, slug)
    after = common.decode_cursor(cursor)
    # Annotators count their own spans only, as on the Entities page.
    rows = entity_rows(project, q, only_user=None if has_role(role, Role.REVIEWER) else request.user)
    rows = list(rows.filter(pk__gt=after).order_by("pk")[: limit + 1])
    rows, following = common.page(rows, limit)
    return {"results": [{"id": e.pk, "name": e.name, "kind": e.kind, "aliases": e.aliases or [],
                         "wikidata_id": e.wikidata_id, "description": e.description, "spans": e.n_spans,
                         "articles": e.n_articles} for e in rows], "next": following}


@router.get("/projects/{slug}/progress", response=ProgressOut, summary="Progress (reviewers and managers)")
def get_progress(request, slug: str):
    project, _ = common.project(request, slug, Role.REVIEWER, "see its progress")
    progress = project_progress(project)
    return {
        "annotators_per_article": progress.k,
        "articles": progress.total,
        "statuses": [{"key": b.key, "name": b.name, "count": b.count} for b in progress.buckets],
        "annotators": [{"username": a.username, "role": a.role, "started": a.started, "submitted": a.submitted,
                        "spans": a.spans, "spans_this_week": a.spans_this_week,
                        "spans_per_hour": a.spans_per_hour} for a in progress.annotators],
        "labels": [{"name": row.name, "spans": row.spans, "gold": row.gold} for row in progress.labels],
    }


@router.get("/projects/{slug}/agreement", response=AgreementOut,
            summary="Inter-annotator agreement (reviewers and managers)")
def get_agreement(
    request, slug: str, unsubmitted: Annotated[bool, Query(description="Count sets not submitted yet too.")] = False,
):
    project, _ = common.project(request, slug, Role.REVIEWER, "see its inter-annotator agreement")
    report = public_report(cached_agreement_report(project, include_unsubmitted=unsubmitted))
    return report | {"counts": agreement_counts(project)}
