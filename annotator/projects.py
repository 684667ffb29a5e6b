"""Writes that combine a project with its annotations: starting a project with its
label schema and first manager, and removing a member, which gives the articles
they were handed but had not started (empty sets) back to the queue while sets
holding work stay, with their spans, for the review and the exports."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from articles.members import keeps_a_manager
from articles.models import Membership, Project, Role

from .assignment import release_member
from .schema import copy_schema, install_default_schema


@dataclass
class Removal:
    username: str
    released: int  # empty assignments given back to the queue
    kept: int  # sets with work that stay in the project


@transaction.atomic
def create_project(project: Project, *, manager, schema_from: Project | None = None) -> Project:
    """Save a new project with ``manager`` as its first manager and a label schema:
    a copy of ``schema_from``'s, or the default one.  Selections snap to whole words
    (changeable in the project's settings)."""
    project.snap_to_words = True
    project.save()
    Membership.objects.create(project=project, user=manager, role=Role.MANAGER)
    if schema_from is not None:
        copy_schema(schema_from, project)
    else:
        install_default_schema(project)
    return project


@transaction.atomic
def remove_member(*, membership: Membership, by) -> Removal:
    locked = Membership.objects.select_for_update().select_related("project", "user").get(pk=membership.pk)
    keeps_a_manager(locked.project, locked)
    released, kept = release_member(project=locked.project, user=locked.user, by=by)
    locked.delete()
    return Removal(username=locked.user.get_username(), released=released, kept=kept)
