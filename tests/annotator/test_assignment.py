import datetime as dt
import threading
from collections import Counter

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotator import assignment
from annotator.models import AnnotationSet, Event, SetStatus, Span
from articles.models import Article, Role
from tests.factories import make_article, make_project, make_relation, make_set, make_span, make_user
from tests.html import collapsed  # noqa: E402

pytestmark = pytest.mark.django_db


def counts(project):
    return Counter(AnnotationSet.objects.filter(article__project=project, is_gold=False).values_list(
        "article_id", flat=True))


def team(n, k=2, articles=3):
    users = [make_user(f"team{i}") for i in range(n)]
    project = make_project(annotators_per_article=k, members=[(u, Role.ANNOTATOR) for u in users])
    for i in range(articles):
        make_article(project, f"Story number {i} about Moscow and Seoul.")
    return project, users


# ---------------------------------------------------------------- the queue


def test_next_fills_each_article_up_to_k_then_moves_on():
    project, (a, b, c) = team(3, k=2)
    first, second = project.articles.order_by("id")[:2]
    assert assignment.next_for(user=a, project=project).article == first
    assert assignment.next_for(user=b, project=project, after=None).article == first
    # Two annotators hold the first article: the third gets the second one.
    assert assignment.next_for(user=c, project=project).article == second
    assert counts(project)[first.pk] == 2


def test_next_prefers_my_unfinished_articles_and_skips_done_gold():
    project, (a, b) = team(2, k=1, articles=3)
    first, second, third = project.articles.order_by("id")
    mine = assignment.next_for(user=a, project=project)
    assert mine.article == first
    # Coming from the first article, with nothing else of mine open, a new one is claimed…
    assert assignment.next_for(user=a, project=project, after=first.pk).article == second
    # …and from there Next goes back to the unfinished first one instead of hoarding a third.
    assert assignment.next_for(user=a, project=project, after=second.pk).article == first
    # A gold set that is done takes the article out of the queue.
    make_set(third, None, status=SetStatus.DONE)
    assert assignment.next_for(user=b, project=project) is None


def test_sequential_next_never_exceeds_k():
    """The SQLite path (and PostgreSQL without contention): many calls, one after another."""
    project, users = team(7, k=2, articles=3)
    got = [assignment.next_for(user=u, project=project) for u in users]
    assert sum(1 for s in got if s) == 6 and got[-1] is None
    assert max(counts(project).values()) == 2


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="concurrent 'Next' presses need PostgreSQL's row locks (CI runs this on PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_next_presses_never_exceed_k():
    project, users = team(10, k=2, articles=3)
    barrier = threading.Barrier(len(users))
    results, errors = {}, []

    def press(user):
        try:
            barrier.wait()
            annotation_set = assignment.next_for(user=user, project=project)
            results[user.pk] = annotation_set and annotation_set.article_id
        except Exception as error:  # reported below, with the thread's user
            errors.append((user.username, repr(error)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    per_article = counts(project)
    assert max(per_article.values()) == 2, per_article
    # Every slot is taken, and the four annotators left over were told there is nothing.
    assert sum(per_article.values()) == 6
    assert sorted(v is None for v in results.values()).count(True) == 4


def test_next_view_redirects_and_says_when_nothing_is_left(client):
    project, (a, b) = team(2, k=1, articles=1)
    article = project.articles.get()
    client.force_login(a)
    url = reverse("next-article", args=[project.slug])
    assert client.get(url)["Location"] == reverse("workspace", args=[project.slug, article.pk])
    client.force_login(b)
    page = client.get(url, follow=True).content.decode()
    assert "Nothing left for you here" in page
    assert AnnotationSet.objects.filter(user=b).count() == 0


def test_next_view_keeps_me_on_my_last_unsubmitted_article(client):
    project, (a,) = team(1, k=1, articles=1)
    article = project.articles.get()
    client.force_login(a)
    url = reverse("next-article", args=[project.slug]) + f"?after={article.pk}"
    make_set(article, a)
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("workspace", args=[project.slug, article.pk])
    assert "finish and submit this one" in response.content.decode()


# ---------------------------------------------------------------- opening an article


def test_annotator_cannot_open_an_article_whose_slots_others_hold(client, project, article, annotator,
                                                                  other_annotator):
    make_set(article, other_annotator)  # k = 1, taken
    client.force_login(annotator)
    response = client.get(reverse("workspace", args=[project.slug, article.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "already has its 1 annotator and is not assigned to you" in page
    assert reverse("next-article", args=[project.slug]) in page
    assert not AnnotationSet.objects.filter(user=annotator).exists()


def test_reviewers_may_always_open_an_article(client, project, article, reviewer, other_annotator):
    make_set(article, other_annotator)
    client.force_login(reviewer)
    assert client.get(reverse("workspace", args=[project.slug, article.pk])).status_code == 200
    assert AnnotationSet.objects.filter(article=article, user=reviewer).exists()


def test_opening_a_free_article_starts_my_set_and_logs_it(client, project, article, annotator):
    client.force_login(annotator)
    assert client.get(reverse("workspace", args=[project.slug, article.pk])).status_code == 200
    annotation_set = AnnotationSet.objects.get(article=article, user=annotator)
    event = Event.objects.get(object_type="annotationset", object_id=annotation_set.pk)
    assert event.data == {"annotator": "ann", "via": "open"}


# ---------------------------------------------------------------- the assignments page


@pytest.fixture
def boss(client, manager):
    client.force_login(manager)
    return client


def assignments_url(project, **query):
    from urllib.parse import urlencode

    return reverse("assignments", args=[project.slug]) + ("?" + urlencode(query) if query else "")


def test_bulk_assign_from_the_list(boss, project, annotator, other_annotator):
    project.annotators_per_article = 1
    project.save()
    a1, a2, a3 = (make_article(project, f"Text {i} about Moscow.") for i in range(3))
    make_set(a3, other_annotator)
    response = boss.post(reverse("assignments-assign", args=[project.slug]),
                         {"user": annotator.pk, "article": [a1.pk, a2.pk, a3.pk], "status": "open"}, follow=True)
    page = response.content.decode()
    assert "Assigned 2 article(s) to ann." in page
    assert "Not assigned, all slots taken: “Text 2 about Moscow.”" in page
    assert response.redirect_chain[0][0] == assignments_url(project, status="open")
    assert set(AnnotationSet.objects.filter(user=annotator).values_list("article_id", flat=True)) == {a1.pk, a2.pk}
    # Again: nothing new, and it says so.
    page = boss.post(reverse("assignments-assign", args=[project.slug]),
                     {"user": annotator.pk, "article": [a1.pk]}, follow=True).content.decode()
    assert "ann already has “Text 0 about Moscow.”" in page
    assert AnnotationSet.objects.filter(user=annotator).count() == 2


@pytest.mark.parametrize("bad", ["outsider", "foreign-article", "nothing-ticked"])
def test_bad_assignment_changes_nothing(boss, project, article, annotator, outsider, bad):
    other = make_article(make_project(), "Elsewhere.")
    data = {"user": annotator.pk, "article": [article.pk]}
    if bad == "outsider":
        data["user"] = outsider.pk
    elif bad == "foreign-article":
        data["article"] = [article.pk, other.pk]
    else:
        data["article"] = []
    page = boss.post(reverse("assignments-assign", args=[project.slug]), data, follow=True).content.decode()
    assert {"outsider": "Choose a member of this project", "foreign-article": "not in this project",
            "nothing-ticked": "Tick at least one article"}[bad] in page
    assert not AnnotationSet.objects.exists()


def test_assignments_page_lists_holders_and_filters(boss, project, annotator, other_annotator):
    project.annotators_per_article = 2
    project.save()
    busy = make_article(project, "Busy story about Seoul.", title="Busy")
    idle = make_article(project, "Idle story about Moscow.", title="Idle")
    held = make_set(busy, annotator, status=SetStatus.SUBMITTED)
    make_span(held, "Actor", "Seoul")
    page = boss.get(assignments_url(project)).content.decode()
    assert f'id="set-{held.pk}"' in page and "ann</strong>" in page and "1 span " in page
    assert "1 free slot" in page and "2 free slots" in page
    titles = lambda **q: [r["article"].title for r in boss.get(assignments_url(project, **q)).context["rows"]]  # noqa: E731
    assert titles(status="unassigned") == ["Idle"]
    assert titles(status="open") == ["Busy", "Idle"]
    assert titles(q="Seoul") == ["Busy"]
    make_set(busy, other_annotator, status=SetStatus.SUBMITTED)
    assert titles(status="submitted") == ["Busy"]
    rows = boss.get(assignments_url(project, status="submitted")).context["rows"]
    assert idle.pk not in [r["article"].pk for r in rows]


def test_assignments_page_query_count_is_constant(boss, project, annotator, other_annotator):
    def measure():
        with CaptureQueriesContext(connection) as ctx:
            assert boss.get(assignments_url(project)).status_code == 200
        return len(ctx)

    article = make_article(project, "One story about Moscow.")
    make_span(make_set(article, annotator), "Actor", "Moscow")
    small = measure()
    for i in range(15):
        more = make_article(project, f"Story {i} about Moscow.")
        make_span(make_set(more, annotator), "Actor", "Moscow")
        make_set(more, other_annotator)
        make_set(more, None)
    assert measure() == small


def test_unassign_an_empty_set_at_once(boss, project, article, annotator):
    annotation_set = make_set(article, annotator)
    page = boss.post(reverse("assignments-unassign", args=[project.slug, annotation_set.pk]),
                     follow=True).content.decode()
    assert "ann was unassigned from" in page
    assert not AnnotationSet.objects.exists()
    assert Event.objects.get(action=Event.Action.DELETE).data["reason"] == "unassigned"


def test_unassign_with_spans_asks_first_and_says_how_many(boss, project, article, annotator):
    annotation_set = make_set(article, annotator)
    quote = make_span(annotation_set, "Quote", "Russia and the Republic of Korea are strategic partners")
    actor = make_span(annotation_set, "Actor", "Sergei Lavrov")
    make_relation(annotation_set, "said_by", quote, actor)
    url = reverse("assignments-unassign", args=[project.slug, annotation_set.pk])
    response = boss.post(url)
    assert response.status_code == 409
    page = response.content.decode()
    assert "deletes their 2 span(s)" in page and 'name="confirm_spans" value="2"' in page
    assert Span.objects.count() == 2
    # A confirmation for another number (the annotator added a span meanwhile) asks again.
    assert boss.post(url, {"confirm_spans": 1}).status_code == 409
    assert Span.objects.count() == 2
    page = boss.post(url, {"confirm_spans": 2}, follow=True).content.decode()
    assert "their 2 span(s) were deleted" in page
    assert not Span.objects.exists() and not AnnotationSet.objects.exists()
    kept = Event.objects.get(action=Event.Action.DELETE, object_type="annotationset").data
    assert [s["text"] for s in kept["spans"]] == ["Sergei Lavrov", quote.text]
    assert kept["relations"][0]["type"] == "said_by"


def test_unassign_refuses_other_projects_and_gold(boss, project, article):
    foreign_set = make_set(make_article(make_project(), "Elsewhere."), make_user("stranger"))
    assert boss.post(reverse("assignments-unassign", args=[project.slug, foreign_set.pk])).status_code == 404
    gold = make_set(article, None)
    page = boss.post(reverse("assignments-unassign", args=[project.slug, gold.pk]), follow=True).content.decode()
    assert "The gold set is not an assignment" in page
    assert AnnotationSet.objects.filter(pk=gold.pk).exists()


def _age(annotation_set, hours):
    AnnotationSet.objects.filter(pk=annotation_set.pk).update(updated_at=timezone.now() - dt.timedelta(hours=hours))


def test_release_stale_assignments(boss, project, annotator, other_annotator, reviewer, settings):
    settings.FACTMARK_RELEASE_AFTER_HOURS = 24
    old_empty = make_set(make_article(project, "Old empty."), annotator)
    old_worked = make_set(make_article(project, "Old worked on Moscow."), other_annotator)
    make_span(old_worked, "Actor", "Moscow")
    recent = make_set(make_article(project, "Recent."), reviewer)
    done = make_set(make_article(project, "Done."), annotator, status=SetStatus.SUBMITTED)
    for s in (old_empty, old_worked, done):
        _age(s, 30)
    Event.objects.filter(annotation_set=old_worked).update(created_at=timezone.now() - dt.timedelta(hours=30))
    _age(recent, 2)
    page = collapsed(boss.get(assignments_url(project)))
    assert ("2 assignments</strong> started and untouched for more than 24 hours: "
            "1 without spans, 1 holding 1 span") in page
    # The plain button releases only the empty one.
    page = collapsed(boss.post(reverse("assignments-release", args=[project.slug]), {"hours": 24}, follow=True))
    assert "Released 1 assignment(s) untouched for more than 24 h." in page
    assert set(AnnotationSet.objects.values_list("pk", flat=True)) == {old_worked.pk, recent.pk, done.pk}
    # With spans only with the number the manager was shown.
    url = reverse("assignments-release", args=[project.slug])
    page = collapsed(boss.post(url, {"hours": 24, "with_spans": 1, "confirm_spans": 5}, follow=True))
    assert "now hold 1 span(s), not 5" in page and AnnotationSet.objects.filter(pk=old_worked.pk).exists()
    boss.post(url, {"hours": 24, "with_spans": 1, "confirm_spans": 1})
    assert set(AnnotationSet.objects.values_list("pk", flat=True)) == {recent.pk, done.pk}


def test_recent_span_activity_keeps_an_assignment(project, annotator):
    annotation_set = make_set(make_article(project, "Busy on Moscow."), annotator)
    _age(annotation_set, 100)
    Event.objects.create(project=project, annotation_set=annotation_set, action=Event.Action.UPDATE,
                         object_type="span", data={})
    assert not assignment.stale_sets(project, hours=48).exists()
    Event.objects.update(created_at=timezone.now() - dt.timedelta(hours=60))
    assert list(assignment.stale_sets(project, hours=48)) == [annotation_set]


def test_annotators_and_reviewers_get_403_on_assignments(client, project, annotator, reviewer):
    for user in (annotator, reviewer):
        client.force_login(user)
        response = client.get(assignments_url(project))
        assert response.status_code == 403
        assert "Only managers of “Newsroom” can do this" in response.content.decode()


# ---------------------------------------------------------------- admin action


def test_admin_assign_to_action(client, project, article, annotator, other_annotator):
    root = make_user("root", is_superuser=True, is_staff=True)
    second = make_article(project, "Second story about Moscow.")
    make_set(second, other_annotator)  # full at k = 1
    client.force_login(root)
    url = reverse("admin:articles_article_changelist")
    chooser = client.post(url, {"action": "assign_to", ACTION_CHECKBOX_NAME: [article.pk, second.pk]})
    page = chooser.content.decode()
    assert chooser.status_code == 200 and "Assign these 2 articles to one annotator" in page
    assert f'<option value="{annotator.pk}">ann</option>' in page
    assert "outsider" not in page
    done = client.post(url, {"action": "assign_to", ACTION_CHECKBOX_NAME: [article.pk, second.pk],
                             "apply": "1", "assignee": annotator.pk}, follow=True)
    page = done.content.decode()
    assert "Newsroom: Assigned 1 article(s) to ann." in page
    assert "all slots taken" in page
    assert list(AnnotationSet.objects.filter(user=annotator).values_list("article_id", flat=True)) == [article.pk]
    assert Article.objects.count() == 2
