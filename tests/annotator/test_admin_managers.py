"""A staff member who manages a project runs it from Django admin without any
instance-wide permission: the demo ``manager`` (staff, not superuser, no
permissions or groups of their own)."""

import pytest
from django.urls import reverse

from articles.models import Role
from tests.factories import make_article, make_entity, make_project, make_set, make_span, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_manager(project, manager):
    manager.is_staff = True
    manager.save()
    assert not manager.user_permissions.exists() and not manager.groups.exists()
    return manager


@pytest.fixture
def other_project(db):
    project = make_project(slug="secret", name="Secret desk", members=[(make_user("chief"), Role.MANAGER)])
    make_article(project, external_id="hidden", title="Hidden article")
    make_entity(project, "Hidden Entity")
    return project


def test_manager_sees_their_project_in_admin_index(client, staff_manager, other_project):
    client.force_login(staff_manager)
    page = client.get(reverse("admin:index")).content.decode()
    assert "have permission to view or edit anything" not in page
    for name in ("Projects", "Articles", "Labels", "Entities", "Relation types"):
        assert name in page, name
    assert "Users" not in page and "Groups" not in page


def test_manager_sees_their_project_its_articles_labels_and_entities(
    client, staff_manager, project, article, other_project
):
    make_entity(project, "Sergei Lavrov")
    client.force_login(staff_manager)
    for name, mine in [
        ("articles_project", project.name),
        ("articles_article", article.title),
        ("annotator_label", "Claim"),
        ("annotator_entity", "Sergei Lavrov"),
        ("annotator_relationtype", "said_by"),
    ]:
        page = client.get(reverse(f"admin:{name}_changelist"))
        assert page.status_code == 200, name
        body = page.content.decode()
        assert mine in body, name
        assert "Secret desk" not in body and "Hidden" not in body, name
    change = client.get(reverse("admin:articles_project_change", args=[project.pk]))
    assert change.status_code == 200
    foreign = client.get(reverse("admin:articles_project_change", args=[other_project.pk]))
    assert foreign.status_code == 302


def test_manager_edits_their_labels_articles_and_entities(client, staff_manager, project, article):
    client.force_login(staff_manager)
    claim = project.labels.get(name="Claim")
    url = reverse("admin:annotator_label_change", args=[claim.pk])
    page = client.get(url).content.decode()
    assert 'name="description"' in page  # editable, not read-only
    entity = make_entity(project, "Kim In Chol")
    response = client.post(reverse("admin:annotator_entity_change", args=[entity.pk]), {
        "project": project.pk, "name": "Kim In-chol", "kind": entity.kind, "aliases": '["Kim In Chol"]',
        "wikidata_id": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    entity.refresh_from_db()
    assert entity.name == "Kim In-chol"
    add = client.get(reverse("admin:articles_article_add"))
    assert add.status_code == 200 and "Secret desk" not in add.content.decode()


def test_manager_reads_but_does_not_rewrite_annotations_or_the_log(client, staff_manager, project, article, annotator):
    annotation_set = make_set(article, annotator)
    span = make_span(annotation_set, "Actor", "Sergei Lavrov")
    client.force_login(staff_manager)
    assert client.get(reverse("admin:annotator_span_change", args=[span.pk])).status_code == 200
    assert client.get(reverse("admin:annotator_annotationset_changelist")).status_code == 200
    assert client.get(reverse("admin:annotator_event_changelist")).status_code == 200
    page = client.get(reverse("admin:annotator_span_change", args=[span.pk])).content.decode()
    assert 'name="note"' not in page  # view only
    assert client.post(reverse("admin:annotator_span_delete", args=[span.pk]), {"post": "yes"}).status_code == 403


def test_manager_gets_no_user_administration_nor_new_projects(client, staff_manager, project):
    client.force_login(staff_manager)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert client.get(reverse("admin:articles_project_add")).status_code == 403
    assert client.post(reverse("admin:articles_project_delete", args=[project.pk]), {"post": "yes"}).status_code == 403


def test_staff_who_manage_nothing_still_see_nothing(client, project, reviewer):
    reviewer.is_staff = True
    reviewer.save()
    client.force_login(reviewer)
    page = client.get(reverse("admin:index")).content.decode()
    assert "have permission to view or edit anything" in page
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 403
