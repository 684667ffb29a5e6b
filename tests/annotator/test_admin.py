import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from annotator.models import AnnotationSet, Label
from articles.models import Article, Project
from tests.factories import make_entity, make_relation, make_set, make_span, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return make_user("root", is_superuser=True, is_staff=True)


@pytest.fixture
def annotated(project, article, annotator):
    annotation_set = make_set(article, annotator)
    quote = make_span(annotation_set, "Quote", "Russia and the Republic of Korea are strategic partners")
    actor = make_span(annotation_set, "Actor", "Sergei Lavrov", entity=make_entity(project, "Sergei Lavrov"))
    make_relation(annotation_set, "said_by", quote, actor)
    return annotation_set


def test_every_changelist_and_change_page_loads(client, superuser, annotated):
    client.force_login(superuser)
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = client.get(changelist)
        assert response.status_code == 200, changelist
        obj = model._default_manager.first()
        if obj is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            assert client.get(change).status_code == 200, change
        if model_admin.has_add_permission(response.wsgi_request):
            assert client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add")).status_code == 200


def test_project_admin_has_member_label_and_relation_inlines(client, superuser, project):
    client.force_login(superuser)
    page = client.get(reverse("admin:articles_project_change", args=[project.pk])).content.decode()
    assert "Memberships" in page and "Labels" in page and "Relation types" in page
    assert "Claim" in page and "said_by" in page


def test_new_project_in_admin_gets_default_schema(client, superuser):
    client.force_login(superuser)
    data = {
        "name": "Elections", "slug": "elections", "annotators_per_article": 2, "allow_overlap": "on",
        "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0,
        "labels-TOTAL_FORMS": 0, "labels-INITIAL_FORMS": 0,
        "relation_types-TOTAL_FORMS": 0, "relation_types-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("admin:articles_project_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(slug="elections")
    assert sorted(project.labels.values_list("name", flat=True)) == ["Actor", "Claim", "Cue", "Quote"]


def test_deleting_annotated_article_is_refused_with_what_would_be_lost(client, superuser, article, annotated):
    client.force_login(superuser)
    url = reverse("admin:articles_article_delete", args=[article.pk])
    response = client.post(url, {"post": "yes"}, follow=True)
    body = response.content.decode()
    assert "was not deleted: it carries 2 span(s) and 1 relation(s) in 1 annotation set(s)" in body
    assert Article.objects.filter(pk=article.pk).exists()


def test_deleting_article_with_only_empty_sets_works(client, superuser, article, annotator):
    make_set(article, annotator)
    client.force_login(superuser)
    client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    assert not Article.objects.filter(pk=article.pk).exists()
    assert not AnnotationSet.objects.exists()


def test_deleting_annotated_project_is_refused(client, superuser, project, annotated):
    client.force_login(superuser)
    response = client.post(reverse("admin:articles_project_delete", args=[project.pk]), {"post": "yes"}, follow=True)
    assert "was not deleted: it carries 2 span(s)" in response.content.decode()
    assert Project.objects.filter(pk=project.pk).exists()


def test_deleting_project_without_spans_works(client, superuser, project, article):
    client.force_login(superuser)
    client.post(reverse("admin:articles_project_delete", args=[project.pk]), {"post": "yes"})
    assert not Project.objects.filter(pk=project.pk).exists()


def test_deleting_label_in_use_is_refused(client, superuser, project, annotated):
    client.force_login(superuser)
    actor = project.labels.get(name="Actor")
    response = client.post(reverse("admin:annotator_label_delete", args=[actor.pk]), {"post": "yes"}, follow=True)
    assert "The label “Actor” was not deleted: 1 span(s) use it" in response.content.decode()
    assert Label.objects.filter(pk=actor.pk).exists()


def test_bulk_delete_action_is_not_offered(client, superuser, annotated):
    client.force_login(superuser)
    page = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "delete_selected" not in page


def test_admin_registers_every_model():
    for name in ["Label", "RelationType", "Entity", "AnnotationSet", "Span", "Relation", "Event"]:
        assert apps.get_model("annotator", name) in admin.site._registry
    assert Article in admin.site._registry and Project in admin.site._registry
