"""The pages of ``articles`` alone: a project's guidelines and settings, and the user's API tokens."""

from django.urls import path

from . import account, views

urlpatterns = [
    path("p/<slug:slug>/guidelines/", views.project_guidelines, name="project-guidelines"),
    path("p/<slug:slug>/settings/", views.project_settings, name="project-settings"),
    path("account/tokens/", account.api_tokens, name="account-tokens"),
]
