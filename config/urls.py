"""Root URLs: login, admin, and one ``include`` per app.

``articles`` serves the pages that need only projects and articles (guidelines,
settings); ``annotator`` serves everything that combines them with annotations, and
the JSON API at ``api/v1/`` (``annotator.api``).
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from annotator.api.urls import urls as api_v1

from . import health

handler403 = "articles.permissions.permission_denied"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", api_v1),  # the JSON API: annotator.api
    path("", include("articles.urls")),
    path("", include("annotator.urls")),
]
