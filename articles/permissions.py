"""The one place that decides whether a user may open a project page.

Outsiders learn nothing (404); members whose role is too low are told why (403).
Every view under ``/p/<slug>/`` is wrapped in ``project_view(needed)``, which
resolves the project and the caller's role and hands both to the view; views of a
single set, span or relation start from a queryset scoped to the user instead
(``annotator.selectors.sets_for``).
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import render

from .models import Membership, Project, Role
from .selectors import has_role

WHAT_ROLES_MAY = {
    Role.ANNOTATOR: "members of the project",
    Role.REVIEWER: "reviewers and managers",
    Role.MANAGER: "managers",
}


def project_for(user, slug, needed: str = Role.ANNOTATOR, doing: str = "do this") -> tuple[Project, str]:
    """The project ``slug`` and the user's role in it, in one query.

    Raises Http404 when the user is not a member (or the project does not exist)
    and PermissionDenied, with a message, when their role is below ``needed``.
    Superusers act as managers everywhere.
    """
    if user.is_superuser:
        project = Project.objects.filter(slug=slug).first()
        role = Role.MANAGER
    else:
        membership = Membership.objects.select_related("project").filter(project__slug=slug, user=user).first()
        project, role = (membership.project, membership.role) if membership else (None, None)
    if project is None:
        raise Http404("No such project.")
    if not has_role(role, needed):
        raise PermissionDenied(
            f"Only {WHAT_ROLES_MAY[needed]} of “{project.name}” can {doing}; you are "
            f"{'an' if role == Role.ANNOTATOR else 'a'} {Role(role).label.lower()} there."
        )
    return project, role


def project_view(needed: str = Role.ANNOTATOR, doing: str = "do this"):
    """Decorate a view taking ``slug``: it is called as ``view(request, project=…,
    role=…, **other URL arguments)`` once ``project_for`` has let the user in.
    ``doing`` completes the refusal "Only managers of “X” can …"."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, slug, **kwargs):
            project, role = project_for(request.user, slug, needed=needed, doing=doing)
            return view(request, *args, project=project, role=role, **kwargs)

        wrapped.needed_role = needed
        return wrapped

    return decorator


def permission_denied(request, exception=None):
    """403: a readable page, or a short text for htmx (which shows no page)."""
    message = str(exception or "") or "You are not allowed to do this."
    if getattr(request, "htmx", False):
        return HttpResponseForbidden(message, content_type="text/plain; charset=utf-8")
    context = {"exception": message, "next_url": getattr(exception, "next_url", None)}
    return render(request, "403.html", context, status=403)
