"""Members and their roles, as managers change them from the project's Members page.

Every change keeps one rule: a project always has at least one manager, so
nobody can lock the team out of its own settings.  Removing a member, which also
hands their work back, is ``annotator.projects.remove_member``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from .models import Membership, Project, Role


class MemberError(Exception):
    """A change that was refused; the message says why."""


NO_SUCH_MEMBER = (
    "No such member can be added: “{identifier}”. Check the username or e-mail address, or ask an "
    "administrator for the account."
)


def find_user(identifier: str):
    """The active user whose username or e-mail address is ``identifier``.

    Whether an account exists, is inactive, or shares its e-mail address with another is
    one answer to a manager: this is not a way to find out who has an account here.
    """
    identifier = identifier.strip()
    if not identifier:
        raise MemberError("Give a username or an e-mail address.")
    users = get_user_model().objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))
    found = [u for u in users[:2] if u.is_active]
    if len(found) != 1:
        raise MemberError(NO_SUCH_MEMBER.format(identifier=identifier))
    return found[0]


def _check_role(role: str) -> str:
    if role not in Role.values:
        raise MemberError(f"“{role}” is not a role; choose annotator, reviewer or manager.")
    return role


def keeps_a_manager(project: Project, leaving: Membership) -> None:
    if leaving.role != Role.MANAGER:
        return
    others = Membership.objects.filter(project=project, role=Role.MANAGER).exclude(pk=leaving.pk)
    if not others.exists():
        raise MemberError(
            f"“{project.name}” needs at least one manager: make someone else a manager first."
        )


@transaction.atomic
def add_member(*, project: Project, identifier: str, role: str) -> Membership:
    role = _check_role(role)
    user = find_user(identifier)
    existing = Membership.objects.filter(project=project, user=user).first()
    if existing:
        raise MemberError(
            f"{user.get_username()} is already a member, as {existing.get_role_display().lower()}; "
            "change the role in the list."
        )
    return Membership.objects.create(project=project, user=user, role=role)


@transaction.atomic
def change_role(*, membership: Membership, role: str) -> Membership:
    role = _check_role(role)
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if role != Role.MANAGER:
        keeps_a_manager(locked.project, locked)
    locked.role = role
    locked.save(update_fields=["role"])
    return locked


def managed_projects(user):
    """The projects ``user`` manages (every project for superusers)."""
    if user.is_superuser:
        return Project.objects.order_by("name")
    return Project.objects.filter(memberships__user=user, memberships__role=Role.MANAGER).order_by("name")
