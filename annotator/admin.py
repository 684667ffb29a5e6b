"""Django admin: where managers run projects, schemas, articles and the actor
knowledge base.  Deleting anything that carries annotations is refused with a
message saying what would be lost."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from articles.models import Article, Membership, Project
from articles.text import content_hash, normalise

from .admin_guard import READ_ONLY, ManagedProjectsOnly
from .assignment import assign
from .errors import ServiceError
from .models import AnnotationSet, Entity, Event, Label, Relation, RelationType, Span
from .schema import install_default_schema, label_delete_refusal, relation_type_delete_refusal


def annotation_summary(set_lookup: dict) -> dict:
    """How many spans and relations, in how many sets, the sets matching ``set_lookup`` carry."""
    prefixed = {f"annotation_set__{key}": value for key, value in set_lookup.items()}
    spans = Span.objects.filter(**prefixed)
    relations = Relation.objects.filter(**prefixed)
    return {
        "spans": spans.count(),
        "relations": relations.count(),
        "sets": spans.values("annotation_set").distinct().count(),
    }


def describe_loss(summary: dict) -> str:
    return (
        f"{summary['spans']} span(s) and {summary['relations']} relation(s) "
        f"in {summary['sets']} annotation set(s)"
    )


class GuardedDeleteMixin:
    """Refuse deletion of objects whose articles carry spans, saying what would be lost."""

    def set_lookup(self, obj) -> dict:  # pragma: no cover - overridden
        """Lookups, relative to AnnotationSet, that select the sets ``obj`` owns."""
        raise NotImplementedError

    def refusal(self, obj) -> str | None:
        """Why ``obj`` may not be deleted, or None when it may."""
        summary = annotation_summary(self.set_lookup(obj))
        if summary["spans"]:
            return (
                f"“{obj}” was not deleted: it carries {describe_loss(summary)}. "
                "Export or delete those annotations first."
            )
        return None

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        reason = self.refusal(obj) if obj is not None else None
        if reason:
            self.message_user(request, reason, messages.ERROR)
            return HttpResponseRedirect(request.path.rsplit("/delete/", 1)[0] + "/change/")
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class LabelledInline:
    """A tabular inline names its fields only in the column heads; give every field of every row its
    own accessible name (the column's), so that screen readers and axe find one."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        noun = self.model._meta.verbose_name

        class Labelled(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                row = "new" if index is None else index + 1
                for name, field in form.fields.items():
                    widget = field.widget
                    if isinstance(widget, RelatedFieldWidgetWrapper):
                        widget = widget.widget  # the wrapper's own attrs are shared by every row
                    widget.attrs["aria-label"] = f"{field.label or name} ({noun} {row})"

        return Labelled


class MembershipInline(ManagedProjectsOnly, LabelledInline, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    manager_actions = READ_ONLY  # managers change members on the Members page (the one-manager rule)


class LabelInline(ManagedProjectsOnly, LabelledInline, admin.TabularInline):
    model = Label
    extra = 0
    fields = ["name", "colour", "key", "links_entity", "attributes", "description", "order"]
    show_change_link = True
    # Compact rows: the full attribute editor is the label's own page (show_change_link).
    formfield_overrides = {
        models.JSONField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 36})},
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 28})},
    }

    def has_delete_permission(self, request, obj=None):
        return False  # labels with spans are protected; delete one from its own page


class RelationTypeInline(ManagedProjectsOnly, LabelledInline, admin.TabularInline):
    model = RelationType
    extra = 0
    fields = ["name", "source_label", "target_label", "description"]


@admin.register(Project)
class ProjectAdmin(ManagedProjectsOnly, GuardedDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "annotators_per_article", "allow_overlap", "article_count", "member_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    manager_actions = frozenset({"view", "change"})

    def has_add_permission(self, request):
        # A staff manager sees only the projects they manage; new projects come from superusers.
        return request.user.is_superuser
    inlines = [MembershipInline, LabelInline, RelationTypeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            n_articles=Count("articles", distinct=True), n_members=Count("memberships", distinct=True)
        )

    @admin.display(ordering="n_articles", description="articles")
    def article_count(self, obj):
        return obj.n_articles

    @admin.display(ordering="n_members", description="members")
    def member_count(self, obj):
        return obj.n_members

    def set_lookup(self, obj):
        return {"article__project": obj}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            install_default_schema(form.instance)


@admin.register(Article)
class ArticleAdmin(ManagedProjectsOnly, GuardedDeleteMixin, admin.ModelAdmin):
    list_display = ["title", "project", "external_id", "published", "source", "length", "language"]
    list_filter = ["project", "source", "language", "published"]
    search_fields = ["title", "external_id", "text"]
    date_hierarchy = "published"
    list_select_related = ["project"]
    readonly_fields = ["content_hash", "length", "created_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request, obj=None):
        # The text never changes once anything is annotated on it (docs/design.md, rule 2).
        if obj is not None and Span.objects.filter(annotation_set__article=obj).exists():
            return [*self.readonly_fields, "text", "project"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        obj.text = normalise(obj.text).text
        obj.content_hash = content_hash(obj.text)
        obj.length = len(obj.text)
        super().save_model(request, obj, form, change)

    def set_lookup(self, obj):
        return {"article": obj}

    actions = ["assign_to"]

    @admin.action(description="Assign to…")
    def assign_to(self, request, queryset):
        """Give the chosen member a set on each selected article (an intermediate page picks them)."""
        projects = {a.project_id: a.project for a in queryset.select_related("project")}
        users = get_user_model().objects.order_by("username")
        for project_id in projects:
            users = users.filter(memberships__project_id=project_id)
        user = users.filter(pk=request.POST.get("assignee") or None).first() if "apply" in request.POST else None
        if user is None:
            if "apply" in request.POST:
                self.message_user(request, "Choose a member of the articles' project(s).", messages.ERROR)
            context = self.admin_site.each_context(request) | {
                "title": "Assign articles",
                "articles": queryset.select_related("project"),
                "users": users,
                "projects": list(projects.values()),
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/articles/article/assign_to.html", context)
        for project in projects.values():
            ids = [a.pk for a in queryset if a.project_id == project.pk]
            try:
                report = assign(project=project, article_ids=ids, user=user, by=request.user)
            except ServiceError as error:
                self.message_user(request, f"{project}: {' '.join(error.messages)}", messages.ERROR)
                continue
            for level, text in report.messages(user.get_username()):
                self.message_user(request, f"{project}: {text}", getattr(messages, level.upper()))
        return None


@admin.register(Label)
class LabelAdmin(ManagedProjectsOnly, GuardedDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "project", "key", "colour", "links_entity", "span_count"]
    list_filter = ["project"]
    search_fields = ["name"]
    list_select_related = ["project"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_spans=Count("spans"))

    @admin.display(ordering="n_spans", description="spans")
    def span_count(self, obj):
        return obj.n_spans

    def refusal(self, obj):
        return label_delete_refusal(obj)


@admin.register(RelationType)
class RelationTypeAdmin(ManagedProjectsOnly, GuardedDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "project", "source_label", "target_label"]
    list_filter = ["project"]
    list_select_related = ["project", "source_label", "target_label"]

    def refusal(self, obj):
        return relation_type_delete_refusal(obj)


@admin.register(Entity)
class EntityAdmin(ManagedProjectsOnly, admin.ModelAdmin):
    list_display = ["name", "kind", "project", "alias_list", "wikidata_id"]
    list_filter = ["project", "kind"]
    search_fields = ["name", "aliases", "wikidata_id"]
    list_select_related = ["project"]

    @admin.display(description="aliases")
    def alias_list(self, obj):
        return ", ".join(obj.aliases)


class SpanInline(ManagedProjectsOnly, LabelledInline, admin.TabularInline):
    model = Span
    manager_actions = READ_ONLY  # annotations change through the app's checked services
    extra = 0
    fields = ["label", "start", "end", "text", "attributes", "entity", "note"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AnnotationSet)
class AnnotationSetAdmin(ManagedProjectsOnly, admin.ModelAdmin):
    manager_actions = READ_ONLY  # annotations change through the app's checked services
    list_display = ["article", "user", "is_gold", "status", "span_count", "updated_at"]
    list_filter = ["status", "is_gold", "article__project"]
    search_fields = ["article__title", "user__username"]
    list_select_related = ["article", "user"]
    readonly_fields = ["article", "user", "is_gold", "created_at", "updated_at", "submitted_at"]
    inlines = [SpanInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_spans=Count("spans"))

    @admin.display(ordering="n_spans", description="spans")
    def span_count(self, obj):
        return obj.n_spans

    def has_add_permission(self, request):
        return False


@admin.register(Span)
class SpanAdmin(ManagedProjectsOnly, admin.ModelAdmin):
    manager_actions = READ_ONLY  # annotations change through the app's checked services
    list_display = ["text_excerpt", "label", "start", "end", "annotation_set", "entity"]
    list_filter = ["label__project", "label"]
    search_fields = ["text", "note"]
    list_select_related = ["label", "annotation_set__article", "annotation_set__user", "entity"]
    readonly_fields = ["annotation_set", "label", "start", "end", "text", "version", "created_at", "updated_at"]
    raw_id_fields = ["entity"]

    @admin.display(description="text")
    def text_excerpt(self, obj):
        return obj.text[:80]

    def has_add_permission(self, request):
        return False


@admin.register(Relation)
class RelationAdmin(ManagedProjectsOnly, admin.ModelAdmin):
    manager_actions = READ_ONLY  # annotations change through the app's checked services
    list_display = ["type", "source", "target", "annotation_set"]
    list_filter = ["type__project", "type"]
    list_select_related = ["type", "source", "target", "annotation_set__article", "annotation_set__user"]
    readonly_fields = ["annotation_set", "type", "source", "target", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Event)
class EventAdmin(ManagedProjectsOnly, admin.ModelAdmin):
    manager_actions = READ_ONLY  # annotations change through the app's checked services
    list_display = ["created_at", "user", "action", "object_type", "object_id", "article"]
    list_filter = ["action", "object_type", "project"]
    search_fields = ["user__username", "article__title"]
    list_select_related = ["user", "article"]
    readonly_fields = [f.name for f in Event._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
