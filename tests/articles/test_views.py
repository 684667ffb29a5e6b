import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, Role
from tests.factories import make_article, make_project, make_set, make_span, make_user
from tests.html import collapsed  # noqa: E402

pytestmark = pytest.mark.django_db


def test_project_list_shows_only_my_projects(client, annotator, project):
    make_project(name="Secret desk", slug="secret")
    client.force_login(annotator)
    page = client.get(reverse("project-list")).content.decode()
    assert "Newsroom" in page
    assert "Secret desk" not in page


def test_article_list_columns(client, annotator, project, article):
    article.source, article.published = "Kommersant", "2021-10-28"
    article.save()
    annotation_set = make_set(article, annotator)
    make_span(annotation_set, "Actor", "Sergei Lavrov")
    client.force_login(annotator)
    page = client.get(reverse("project-detail", args=["news"])).content.decode()
    assert "2021-10-28" in page and "Kommersant" in page
    assert f'<td class="num">{article.length}</td>' in page
    assert '<td class="num">1</td>' in page  # my span count


def test_annotator_counts_only_own_spans_reviewer_counts_all(client, annotator, other_annotator, reviewer, project,
                                                             article):
    make_span(make_set(article, annotator), "Actor", "Sergei Lavrov")
    make_span(make_set(article, other_annotator), "Actor", "Jong Ui Young")
    client.force_login(other_annotator)
    assert client.get(reverse("project-detail", args=["news"])).context["page"][0].span_count == 1
    client.force_login(reviewer)
    assert client.get(reverse("project-detail", args=["news"])).context["page"][0].span_count == 2


def test_annotators_list_only_the_articles_assigned_to_them(client, annotator, other_annotator, project):
    mine = make_article(project, "Seoul counts on Moscow.", title="Diplomacy")
    theirs = make_article(project, "Budget talks in Washington.", title="Money")
    make_article(project, "Nobody has this one yet.", title="Unassigned")
    make_set(mine, annotator)
    make_set(theirs, other_annotator)
    client.force_login(annotator)
    response = client.get(reverse("project-detail", args=["news"]))
    assert [a.title for a in response.context["page"]] == ["Diplomacy"]
    body = collapsed(response)
    assert "1 article assigned to you" in body and "Money" not in body and "Unassigned" not in body
    assert 'id="start-next"' in body
    # Someone with nothing assigned is told how to start.
    fresh = make_user("fresh")
    project.memberships.create(user=fresh, role=Role.ANNOTATOR)
    client.force_login(fresh)
    body = collapsed(client.get(reverse("project-detail", args=["news"])))
    assert "No article is assigned to you yet: press “Next article” to start one." in body


def test_search_by_title_and_text(client, reviewer, project):
    make_article(project, "Seoul counts on Moscow.", title="Diplomacy")
    make_article(project, "Budget talks in Washington.", title="Money")
    client.force_login(reviewer)
    url = reverse("project-detail", args=["news"])
    titles = [a.title for a in client.get(url, {"q": "moscow"}).context["page"]]
    assert titles == ["Diplomacy"]
    titles = [a.title for a in client.get(url, {"q": "Money"}).context["page"]]
    assert titles == ["Money"]
    response = client.get(url, {"q": "nothing-like-this"})
    assert "No article matches “nothing-like-this”." in response.content.decode()


def test_search_as_htmx_fragment(client, annotator, project):
    make_set(make_article(project, "Seoul counts on Moscow.", title="Diplomacy"), annotator)
    client.force_login(annotator)
    response = client.get(reverse("project-detail", args=["news"]), {"q": "Seoul"},
                          HTTP_HX_REQUEST="true", HTTP_HX_TARGET="article-list")
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="article-list">')
    assert "Diplomacy" in body and "<html" not in body


def test_paginates_at_50(client, reviewer, project):
    for i in range(51):
        make_article(project, f"Text number {i}.", title=f"Article {i:02d}")
    client.force_login(reviewer)
    url = reverse("project-detail", args=["news"])
    first = client.get(url)
    assert len(first.context["page"]) == 50 and "Page 1 of 2" in first.content.decode()
    second = client.get(url, {"page": 2})
    assert [a.title for a in second.context["page"]] == ["Article 50"]


def _queries_for_list(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_article_list_query_count_is_constant(client, annotator, project):
    client.force_login(annotator)
    url = reverse("project-detail", args=["news"])
    make_span(make_set(make_article(project, "Sergei Lavrov spoke."), annotator), "Actor", "Sergei Lavrov")
    one = _queries_for_list(client, url)
    for i in range(199):
        article = make_article(project, f"Sergei Lavrov spoke {i} times.")
        make_span(make_set(article, annotator), "Actor", "Sergei Lavrov")
    assert Article.objects.count() == 200
    assert _queries_for_list(client, url) == one


def test_non_member_gets_404_for_project_and_articles(client, outsider, project, article):
    client.force_login(outsider)
    assert client.get(reverse("project-detail", args=["news"])).status_code == 404
    assert client.get(reverse("workspace", args=["news", article.pk])).status_code == 404
    assert client.post(reverse("project-import", args=["news"])).status_code == 404


def test_manager_uploads_text_files(client, manager, project):
    client.force_login(manager)
    files = [SimpleUploadedFile("one.txt", b"date 2021-10-28 First story."), SimpleUploadedFile("two.txt", b"Second.")]
    response = client.post(reverse("project-import", args=["news"]), {"files": files}, follow=True)
    assert "Imported 2 article(s)." in response.content.decode()
    assert sorted(project.articles.values_list("external_id", flat=True)) == ["one", "two"]


def test_upload_refusal_is_shown_and_saves_nothing(client, manager, project):
    client.force_login(manager)
    files = [SimpleUploadedFile("ok.txt", b"Fine."), SimpleUploadedFile("bad.txt", b"\xff\xfe bad")]
    response = client.post(reverse("project-import", args=["news"]), {"files": files})
    assert response.status_code == 422
    body = response.content.decode()
    assert "bad.txt: not UTF-8 text" in body and "Nothing was imported." in body
    assert not project.articles.exists()


def test_upload_refuses_other_file_types(client, manager, project):
    client.force_login(manager)
    response = client.post(reverse("project-import", args=["news"]),
                           {"files": [SimpleUploadedFile("evil.html", b"<script>")]})
    assert response.status_code == 422
    assert "Only .txt files can be imported here: evil.html" in response.content.decode()


def test_annotator_cannot_upload(client, annotator, project):
    client.force_login(annotator)
    response = client.post(reverse("project-import", args=["news"]),
                           {"files": [SimpleUploadedFile("a.txt", b"Text.")]})
    assert response.status_code == 403
    assert not project.articles.exists()
    assert "Import plain text" not in client.get(reverse("project-detail", args=["news"])).content.decode()


def test_login_and_logout_through_the_pages(client, db):
    make_user("analyst", password="s3cret-pass")
    response = client.post(reverse("login"), {"username": "analyst", "password": "wrong"})
    assert "Please enter a correct username and password" in response.content.decode()
    response = client.post(reverse("login"), {"username": "analyst", "password": "s3cret-pass"}, follow=True)
    assert "Your projects" in response.content.decode()
    client.post(reverse("logout"))
    assert client.get(reverse("project-list")).status_code == 302


def test_membership_roles_are_separate(annotator, project):
    assert project.memberships.get(user=annotator).role == Role.ANNOTATOR


def test_the_list_shows_my_status_to_annotators_and_gold_status_to_reviewers(client, annotator, reviewer, project):
    from annotator.models import SetStatus

    done = make_article(project, "First text.", title="Done one")
    going = make_article(project, "Second text.", title="Going one")
    make_set(done, annotator, status=SetStatus.SUBMITTED)
    make_set(going, annotator, status=SetStatus.IN_PROGRESS)
    make_set(done, None, status=SetStatus.IN_REVIEW)
    client.force_login(annotator)
    body = client.get(reverse("project-detail", args=["news"])).content.decode()
    rows = {title: row for row in body.split("<tr>")[2:] for title in ("Done one", "Going one") if title in row}
    assert ">Submitted</span>" in rows["Done one"] and ">In progress</span>" in rows["Going one"]
    client.force_login(reviewer)
    body = client.get(reverse("project-detail", args=["news"])).content.decode()
    rows = {title: row for row in body.split("<tr>")[2:] for title in ("Done one", "Going one") if title in row}
    assert ">In review</span>" in rows["Done one"] and "not started" in rows["Going one"]


def test_project_list_shows_each_projects_size_my_role_and_my_work(client, annotator, project):
    from annotator.models import SetStatus

    for i in range(3):
        article = make_article(project, f"Text {i}.")
        if i < 2:
            make_set(article, annotator, status=SetStatus.SUBMITTED if i == 0 else SetStatus.IN_PROGRESS)
    client.force_login(annotator)
    body = collapsed(client.get(reverse("project-list")))
    assert '<span class="role-badge">annotator</span>' in body
    assert "3 articles · you hold 2, 1 submitted" in body


def test_project_list_query_count_does_not_grow_with_projects(client, annotator, project):
    client.force_login(annotator)
    url = reverse("project-list")
    one = _queries_for_list(client, url)
    for i in range(10):
        other = make_project(slug=f"p{i}", members=[(annotator, Role.ANNOTATOR)])
        make_set(make_article(other, f"Text {i}."), annotator)
    assert _queries_for_list(client, url) == one
