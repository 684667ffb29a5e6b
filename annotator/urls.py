from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import workspace

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
    path("p/<slug:slug>/a/<int:article_id>/", workspace.workspace, name="workspace"),
    path("p/<slug:slug>/next/", workspace.next_article, name="next-article"),
    path("sets/<int:set_id>/spans/", workspace.span_create, name="span-create"),
    path("sets/<int:set_id>/relations/", workspace.relation_create, name="relation-create"),
    path("sets/<int:set_id>/submit/", workspace.set_submit, name="set-submit"),
    path("sets/<int:set_id>/reopen/", workspace.set_reopen, name="set-reopen"),
    path("sets/<int:set_id>/undo/<int:event_id>/", workspace.span_restore, name="span-restore"),
    path("spans/<int:span_id>/", workspace.span_panel, name="span-panel"),
    path("spans/<int:span_id>/edit/", workspace.span_update, name="span-update"),
    path("spans/<int:span_id>/delete/", workspace.span_delete, name="span-delete"),
    path("spans/<int:span_id>/entity/", workspace.span_entity, name="span-entity"),
    path("spans/<int:span_id>/entities/", workspace.entity_search, name="entity-search"),
    path("relations/<int:relation_id>/delete/", workspace.relation_delete, name="relation-delete"),
]
