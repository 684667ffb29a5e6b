"""Root URLs: login, admin, and one ``include`` per app.

``articles`` serves the pages that need only projects and articles (guidelines,
settings); ``annotator`` serves everything that combines them with annotations.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import health

handler403 = "articles.permissions.permission_denied"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("articles.urls")),
    path("", include("annotator.urls")),
]
