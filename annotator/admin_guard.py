"""Admin guards for staff who are not superusers.

- They cannot raise anyone's privileges, their own included: ``is_superuser``,
  ``is_staff``, ``groups`` and ``user_permissions`` are read-only for them, they
  cannot change or delete superusers or other staff accounts (whose password they
  could otherwise reset and log in with), and groups are read-only.
- ``ManagedProjectsOnly`` limits every project-owned model admin to the projects
  they manage: lists, change pages, foreign-key choices and list filters.
- Managing a project is what lets staff in: a staff member who manages at least
  one project may do, on the models of the projects they manage, what each admin's
  ``manager_actions`` lists (no permission or group needs to be granted, and none
  gives anything beyond those projects).  Members, annotations and the event log
  are read-only there; members change on the project's Members page, which keeps
  the one-manager rule.

Superusers are not affected.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from articles.members import managed_projects
from articles.models import Article, Membership, Project

from .models import AnnotationSet, Entity, Event, Label, Relation, RelationType, Span

ESCALATING_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")

# How each project-owned model reaches its project ("" for Project itself).
PROJECT_PATHS = {
    Project: "",
    Membership: "project",
    Article: "project",
    Label: "project",
    RelationType: "project",
    Entity: "project",
    Event: "project",
    AnnotationSet: "article__project",
    Span: "annotation_set__article__project",
    Relation: "annotation_set__article__project",
}


def limit_to_managed(queryset, user):
    """``queryset`` of a model in PROJECT_PATHS, cut to the projects ``user`` manages."""
    if user.is_superuser:
        return queryset
    path = PROJECT_PATHS[queryset.model]
    return queryset.filter(**{f"{path}__in" if path else "pk__in": managed_projects(user).values("pk")})


ALL_ACTIONS = frozenset({"view", "add", "change", "delete"})
READ_ONLY = frozenset({"view"})


def manages_a_project(request) -> bool:
    """Whether the staff member behind ``request`` manages at least one project (asked once per request)."""
    user = request.user
    if not (user.is_active and user.is_staff) or user.is_superuser:
        return False
    known = getattr(request, "_factmark_manages", None)
    if known is None:
        known = request._factmark_manages = managed_projects(user).exists()
    return known


class ManagedProjectsOnly:
    """For ModelAdmins and inlines of models in PROJECT_PATHS."""

    # What a staff manager may do here without any granted permission (see the module's docstring).
    manager_actions = ALL_ACTIONS

    def _manager_may(self, request, action: str) -> bool:
        return action in self.manager_actions and manages_a_project(request)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or manages_a_project(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._manager_may(request, "view")

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) or self._manager_may(request, "add")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or self._manager_may(request, "change")

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) or self._manager_may(request, "delete")

    def get_queryset(self, request):
        return limit_to_managed(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and db_field.related_model in PROJECT_PATHS:
            formfield.queryset = limit_to_managed(formfield.queryset, request.user)
        return formfield

    def get_list_filter(self, request):
        """A plain relation filter lists every object of the related model; for staff,
        list only those that occur in what they may see."""
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [self._related_only(item) for item in filters]

    def _related_only(self, item):
        if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation:
            return (item, admin.RelatedOnlyFieldListFilter)
        return item


User = get_user_model()


class GuardedUserAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [name for name in ESCALATING_FIELDS if name not in readonly]
        return readonly

    def _guarded(self, request, obj) -> bool:
        """Accounts only a superuser may change: superusers, and staff other than oneself."""
        return (
            obj is not None
            and not request.user.is_superuser
            and (obj.is_superuser or (obj.is_staff and obj.pk != request.user.pk))
        )

    def has_change_permission(self, request, obj=None):
        return not self._guarded(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._guarded(request, obj) and super().has_delete_permission(request, obj)


class GuardedGroupAdmin(GroupAdmin):
    """A group's permissions are privileges: only superusers change groups."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


for model, model_admin in ((User, GuardedUserAdmin), (Group, GuardedGroupAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
