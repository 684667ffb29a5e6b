from django.urls import path

from . import views

urlpatterns = [
    path("", views.project_list, name="project-list"),
    path("new/", views.project_create, name="project-create"),
    path("p/<slug:slug>/", views.project_detail, name="project-detail"),
    path("p/<slug:slug>/import/", views.project_import, name="project-import"),
    path("p/<slug:slug>/guidelines/", views.project_guidelines, name="project-guidelines"),
    path("p/<slug:slug>/settings/", views.project_settings, name="project-settings"),
    path("p/<slug:slug>/members/", views.members, name="project-members"),
    path("p/<slug:slug>/members/<int:membership_id>/", views.member_change, name="member-change"),
    path("p/<slug:slug>/members/<int:membership_id>/remove/", views.member_remove, name="member-remove"),
]
