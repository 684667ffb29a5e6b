"""Django admin for personal API tokens: superusers see every token (never its secret,
which is not stored) and revoke them.  Tokens belong to people, not to projects, so staff
who manage projects do not see them; tokens are made on their owner's page or with
``manage.py api_token``, never in admin."""

from django.contrib import admin, messages

from .models import ApiToken
from .tokens import revoke, why_not_valid


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "state")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at", "state")
    fields = readonly_fields
    actions = ["revoke_tokens"]

    @admin.display(description="State")
    def state(self, token):
        return why_not_valid(token) or "active"

    @admin.action(description="Revoke the selected tokens")
    def revoke_tokens(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            revoke(token)
            count += 1
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False
