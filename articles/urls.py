"""The pages of ``articles`` alone: a project's guidelines and settings."""

from django.urls import path

from . import views

urlpatterns = [
    path("p/<slug:slug>/guidelines/", views.project_guidelines, name="project-guidelines"),
    path("p/<slug:slug>/settings/", views.project_settings, name="project-settings"),
]
