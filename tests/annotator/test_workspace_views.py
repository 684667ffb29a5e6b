import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator.models import AnnotationSet, Event, Relation, SetStatus, Span
from tests.factories import (
    label,
    make_article,
    make_entity,
    make_project,
    make_relation,
    make_set,
    make_span,
    make_user,
)
from tests.html import collapsed  # noqa: E402

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
LONG_TEXT = "\n\n".join(f"Paragraph {i}: Sergei Lavrov met Jong Ui Young in Moscow on day {i}." for i in range(40))


@pytest.fixture
def ws(client, annotator, article):
    client.force_login(annotator)
    return client


def workspace_url(article):
    return reverse("workspace", args=[article.project.slug, article.pk])


def post_span(client, annotation_set, label_name, needle, **overrides):
    text = annotation_set.article.text
    start = text.index(needle)
    data = {"label": label(annotation_set.article.project, label_name).pk, "start": start,
            "end": start + len(needle), "text": needle} | overrides
    return client.post(reverse("span-create", args=[annotation_set.pk]), data, **HX)


def test_first_visit_creates_my_set_and_renders_paragraphs(ws, annotator, article):
    response = ws.get(workspace_url(article))
    assert response.status_code == 200
    annotation_set = AnnotationSet.objects.get(article=article, user=annotator)
    body = response.content.decode()
    assert body.count('class="para"') == 2
    assert 'data-o="0"' in body and f'data-set="{annotation_set.pk}"' in body
    ws.get(workspace_url(article))
    assert AnnotationSet.objects.filter(article=article).count() == 1


def test_spans_render_as_marks_with_overlap_and_paragraph_crossing(ws, annotator, article):
    annotation_set = make_set(article, annotator)
    actor = make_span(annotation_set, "Actor", "Sergei Lavrov")
    claim = make_span(annotation_set, "Claim", "counterpart Sergei Lavrov")
    # From the end of the first paragraph into the second.
    crossing_text = article.text[article.text.index("Lavrov."):article.text.index("Russia and")]
    crossing = Span.objects.create(annotation_set=annotation_set, label=label(article.project, "Quote"),
                                   start=article.text.index("Lavrov."),
                                   end=article.text.index("Russia and"), text=crossing_text)
    body = ws.get(workspace_url(article)).content.decode()
    # The claim holds the actor: the actor's mark sits inside the claim's.
    assert re.search(rf'data-span="{claim.pk}"[^>]*><mark class="m l\d+ d\d" data-span="{actor.pk}"', body)
    # The crossing span shows in both paragraphs.
    para0, para1 = body.split('id="para-1"')
    assert f'data-span="{crossing.pk}"' in para0 and f'data-span="{crossing.pk}"' in para1


def test_text_is_escaped_not_executed(client, annotator, project):
    article = make_article(project, 'He wrote <script>alert("x")</script> & <b>bold</b> "quotes"')
    client.force_login(annotator)
    body = client.get(workspace_url(article)).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in body


def test_create_answers_with_touched_paragraphs_and_small_updates(client, annotator, project):
    article = make_article(project, LONG_TEXT)
    annotation_set = make_set(article, annotator)
    client.force_login(annotator)
    response = post_span(client, annotation_set, "Actor", "Jong Ui Young")
    assert response.status_code == 201
    body = response.content.decode()
    assert body.count('class="para"') == 1 and 'id="para-0"' in body
    assert 'hx-swap-oob="true"' in body
    # The sidebar's counts follow its lists in the browser: no count query here.
    assert "count-label-" not in body
    assert "beforeend:#list-label-" in body
    assert len(response.content) < 10_000
    span = Span.objects.get()
    assert article.text[span.start:span.end] == "Jong Ui Young"


def test_double_submitted_create_makes_one_span(client, annotator, article):
    annotation_set = make_set(article, annotator)
    client.force_login(annotator)
    assert post_span(client, annotation_set, "Actor", "Sergei Lavrov").status_code == 201
    again = post_span(client, annotation_set, "Actor", "Sergei Lavrov")
    assert again.status_code == 200
    assert "beforeend:#list-label-" not in again.content.decode()  # no second sidebar item
    assert Span.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start": 0, "end": 99999}, "lies outside the article"),
        ({"text": "Someone else"}, "does not match the article"),
        ({"start": "x"}, "The selection has no valid start and end."),
        ({"label": ""}, "Choose a label of this project for the selection."),
    ],
)
def test_bad_create_shows_message_and_changes_nothing(client, annotator, article, overrides, message):
    annotation_set = make_set(article, annotator)
    client.force_login(annotator)
    response = post_span(client, annotation_set, "Actor", "Sergei Lavrov", **overrides)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert response["HX-Retarget"] == "#ws-message"
    assert not Span.objects.exists() and not Event.objects.exists()


def test_label_of_another_project_is_refused(client, annotator, article):
    annotation_set = make_set(article, annotator)
    other = make_project(slug="elsewhere")
    client.force_login(annotator)
    secret = label(other, "Actor")
    secret.name = "Codename Falcon"
    secret.save()
    response = post_span(client, annotation_set, "Actor", "Sergei Lavrov", label=secret.pk)
    body = response.content.decode()
    assert response.status_code == 422 and "Choose a label of this project" in body
    assert "Codename Falcon" not in body
    assert not Span.objects.exists()


def test_annotator_cannot_touch_another_annotators_set(client, annotator, other_annotator, article):
    theirs = make_set(article, other_annotator)
    span = make_span(theirs, "Actor", "Sergei Lavrov")
    client.force_login(annotator)
    assert post_span(client, theirs, "Actor", "Jong Ui Young").status_code == 404
    assert client.get(reverse("span-panel", args=[span.pk]), **HX).status_code == 404
    assert client.post(reverse("span-delete", args=[span.pk]), **HX).status_code == 404
    assert client.post(reverse("span-update", args=[span.pk]), {"version": 1, "note": "x"}, **HX).status_code == 404
    body = client.get(workspace_url(article)).content.decode()
    assert "Sergei Lavrov</a>" not in body and f'data-span="{span.pk}"' not in body
    assert Span.objects.get().note == ""


def test_reviewer_reads_but_cannot_write_an_annotators_set(client, reviewer, annotator, article):
    theirs = make_set(article, annotator)
    span = make_span(theirs, "Actor", "Sergei Lavrov")
    client.force_login(reviewer)
    panel = client.get(reverse("span-panel", args=[span.pk]), **HX)
    assert panel.status_code == 200 and "Sergei Lavrov" in panel.content.decode()
    assert "Save</button>" not in panel.content.decode()
    assert client.post(reverse("span-delete", args=[span.pk]), **HX).status_code == 404
    assert Span.objects.filter(pk=span.pk).exists()


def test_panel_fragment_and_update(client, annotator, article):
    annotation_set = make_set(article, annotator)
    span = make_span(annotation_set, "Claim", "completed his visit to Moscow")
    client.force_login(annotator)
    panel = client.get(reverse("span-panel", args=[span.pk]), **HX).content.decode()
    assert "<html" not in panel and 'name="attr-verdict"' in panel and 'name="attr-checkworthy"' in panel
    response = client.post(reverse("span-update", args=[span.pk]),
                           {"version": 1, "attributes": "1", "label": span.label_id, "attr-verdict": "false",
                            "attr-checkworthy": "true", "note": "check the budget"}, **HX)
    assert response.status_code == 200 and ">Saved<" in response.content.decode()
    span.refresh_from_db()
    assert span.attributes == {"verdict": "false", "checkworthy": True} and span.note == "check the budget"


def test_the_review_pages_panel_asks_for_the_panel_alone(client, annotator, article):
    """The gold panel of the review page says where it is (``surface=review``): it gets the
    panel without the workspace's paragraphs and counts; the workspace gets all three."""
    annotation_set = make_set(article, annotator)
    span = make_span(annotation_set, "Claim", "completed his visit to Moscow")
    client.force_login(annotator)
    url = reverse("span-update", args=[span.pk])
    from_workspace = client.post(url, {"version": 1, "note": "one"}, **HX).content.decode()
    assert 'id="para-' in from_workspace
    from_review = client.post(url, {"version": 2, "note": "two", "surface": "review"}, **HX).content.decode()
    assert ">Saved<" in from_review
    assert 'id="para-' not in from_review and 'id="count-label-' not in from_review
    # Where the browser happens to be says nothing: only what the page sends counts.
    elsewhere = client.post(url, {"version": 3, "note": "three"}, HTTP_HX_CURRENT_URL="/p/news/review/1/", **HX)
    assert 'id="para-' in elsewhere.content.decode()


def test_stale_edit_gets_409_with_message(client, annotator, article):
    annotation_set = make_set(article, annotator)
    span = make_span(annotation_set, "Claim", "completed his visit to Moscow")
    client.force_login(annotator)
    url = reverse("span-update", args=[span.pk])
    assert client.post(url, {"version": 1, "note": "first tab"}, **HX).status_code == 200
    response = client.post(url, {"version": 1, "note": "second tab"}, **HX)
    assert response.status_code == 409
    assert "Someone changed this span" in response.content.decode()
    assert "first tab" in response.content.decode()  # the panel shows the current version
    span.refresh_from_db()
    assert span.note == "first tab"


def test_relabel_moves_sidebar_item(client, annotator, article):
    annotation_set = make_set(article, annotator)
    span = make_span(annotation_set, "Actor", "Sergei Lavrov")
    client.force_login(annotator)
    claim = label(article.project, "Claim")
    body = client.post(reverse("span-update", args=[span.pk]), {"version": 1, "label": claim.pk}, **HX).content.decode()
    assert f'id="item-span-{span.pk}" hx-swap-oob="delete"' in body
    assert f"beforeend:#list-label-{claim.pk}" in body
    assert f'class="m l{claim.pk} d0" data-span="{span.pk}"' in body


def test_delete_then_undo(client, annotator, article):
    annotation_set = make_set(article, annotator)
    span = make_span(annotation_set, "Actor", "Sergei Lavrov")
    client.force_login(annotator)
    body = client.post(reverse("span-delete", args=[span.pk]), **HX).content.decode()
    assert "Deleted “Sergei Lavrov”" in body and "Undo" in body
    assert f'id="item-span-{span.pk}" hx-swap-oob="delete"' in body
    assert not Span.objects.exists()
    event = Event.objects.get(action="delete")
    response = client.post(reverse("span-restore", args=[annotation_set.pk, event.pk]), **HX)
    assert response.status_code == 200
    restored = Span.objects.get()
    assert (restored.start, restored.end, restored.text) == (span.start, span.end, span.text)


def test_entity_search_matches_aliases_and_new_entity_from_mention(client, annotator, project, article):
    annotation_set = make_set(article, annotator)
    span = make_span(annotation_set, "Actor", "Jong Ui Young")
    make_entity(project, "Chung Eui-yong", aliases=["Jong Ui Young"])
    make_entity(project, "Sergei Lavrov")
    client.force_login(annotator)
    results = client.get(reverse("entity-search", args=[span.pk]), {"q": "ui young"}, **HX).content.decode()
    assert "Chung Eui-yong" in results and "Sergei Lavrov" not in results
    # The name is already an alias of another entity: asked first, nothing created.
    asked = client.post(reverse("span-entity", args=[span.pk]),
                        {"action": "new", "name": "Jong Ui Young", "kind": "person", "version": 1}, **HX)
    assert asked.status_code == 200
    assert "is already an alias of" in collapsed(asked) and "Chung Eui-yong" in collapsed(asked)
    assert project.entities.count() == 2
    response = client.post(reverse("span-entity", args=[span.pk]),
                           {"action": "new", "name": "Jong Ui Young", "kind": "person", "version": 1,
                            "confirm": "1"}, **HX)
    assert response.status_code == 200
    assert "Linked to <strong" in response.content.decode()
    span.refresh_from_db()
    assert span.entity.name == "Jong Ui Young" and span.entity.kind == "person"
    asked = client.post(reverse("span-entity", args=[span.pk]),
                        {"action": "new", "name": "jong ui young", "kind": "person", "version": 2}, **HX)
    assert "is already the name of" in collapsed(asked)
    duplicate = client.post(reverse("span-entity", args=[span.pk]),
                            {"action": "new", "name": "Jong Ui Young", "kind": "person", "version": 2,
                             "confirm": "1"}, **HX)
    assert duplicate.status_code == 422 and "already an entity called" in duplicate.content.decode()


def test_link_entity_and_list_other_mentions(client, annotator, project):
    article = make_article(project, "Jong Ui Young met Lavrov. Later Jung Ui Young left.")
    annotation_set = make_set(article, annotator)
    first = make_span(annotation_set, "Actor", "Jong Ui Young")
    second = make_span(annotation_set, "Actor", "Jung Ui Young")
    client.force_login(annotator)
    client.post(reverse("span-entity", args=[first.pk]),
                {"action": "new", "name": "Jong Ui Young", "kind": "person", "version": first.version}, **HX)
    entity = project.entities.get()
    body = client.post(reverse("span-entity", args=[second.pk]),
                       {"entity": entity.pk, "version": second.version, "alias": "1"}, **HX).content.decode()
    assert "Linked to <strong" in body and "Also written: Jung Ui Young" in body
    assert "Other mentions here" in body and "Jong Ui Young</a>" in body


def test_relation_create_and_delete(client, annotator, article):
    annotation_set = make_set(article, annotator)
    quote = make_span(annotation_set, "Quote", "Russia and the Republic of Korea are strategic partners")
    actor = make_span(annotation_set, "Actor", "Jong Ui Young")
    said_by = article.project.relation_types.get(name="said_by")
    client.force_login(annotator)
    body = collapsed(client.post(reverse("relation-create", args=[annotation_set.pk]),
                       {"type": said_by.pk, "source": quote.pk, "target": actor.pk}, **HX))
    assert "said by" in body and "beforeend:#relation-items" in body
    relation = Relation.objects.get()
    page = collapsed(client.get(workspace_url(article)))
    assert re.search(r"“Russia and the Republic of Korea are strategic partners”</a> — said by "
                     r'<a href="#" data-goto="\d+">Jong Ui Young</a>', page)
    client.post(reverse("relation-delete", args=[relation.pk]), {"focus": quote.pk}, **HX)
    assert not Relation.objects.exists()


def test_relation_between_wrong_labels_is_refused(client, annotator, article):
    annotation_set = make_set(article, annotator)
    quote = make_span(annotation_set, "Quote", "Russia and the Republic of Korea are strategic partners")
    claim = make_span(annotation_set, "Claim", "completed his visit to Moscow")
    said_by = article.project.relation_types.get(name="said_by")
    client.force_login(annotator)
    response = client.post(reverse("relation-create", args=[annotation_set.pk]),
                           {"type": said_by.pk, "source": quote.pk, "target": claim.pk}, **HX)
    assert response.status_code == 422 and "not a Quote to a Claim" in response.content.decode()
    assert not Relation.objects.exists()


def test_submit_and_next(client, annotator, project, article):
    second = make_article(project, "Another story about Moscow.")
    annotation_set = make_set(article, annotator)
    client.force_login(annotator)
    response = client.post(reverse("set-submit", args=[annotation_set.pk]), follow=True)
    assert "Submitted. Thank you!" in response.content.decode()
    annotation_set.refresh_from_db()
    assert annotation_set.status == SetStatus.SUBMITTED
    assert post_span(client, annotation_set, "Actor", "Sergei Lavrov").status_code == 422
    next_url = reverse("next-article", args=[project.slug]) + f"?after={article.pk}"
    assert client.get(next_url)["Location"] == workspace_url(second)
    # Once everything is submitted, Next says so.
    # Next gave the annotator a set on the second article.
    client.post(reverse("set-submit", args=[AnnotationSet.objects.get(article=second, user=annotator).pk]))
    response = client.get(next_url, follow=True)
    assert "You have submitted every article of this project." in response.content.decode()


def _many_spans(annotation_set, n):
    text = annotation_set.article.text
    project = annotation_set.article.project
    labels = [label(project, name) for name in ("Actor", "Claim", "Quote", "Cue")]
    spans = []
    for i in range(n):
        start = (i * 7) % (len(text) - 30)
        end = start + 5 + (i % 20)
        spans.append(Span(annotation_set=annotation_set, label=labels[i % 4], start=start, end=end,
                          text=text[start:end]))
    Span.objects.bulk_create(spans, ignore_conflicts=True)
    return annotation_set.spans.count()


def _count_queries(client, method, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {}, **HX) if method == "post" else client.get(url)
    assert response.status_code < 400, response.content[:500]
    return len(queries)


def test_workspace_and_fragments_query_counts_do_not_grow_with_spans(client, annotator, project):
    small = make_article(project, LONG_TEXT, external_id="small")
    large = make_article(project, LONG_TEXT + " ", external_id="large")
    counts = {}
    client.force_login(annotator)
    for article, n in ((small, 1), (large, 500)):
        annotation_set = make_set(article, annotator)
        assert _many_spans(annotation_set, n) >= min(n, 400)
        quote = make_span(annotation_set, "Quote", "Paragraph 3: Sergei Lavrov met")
        actor = make_span(annotation_set, "Actor", "Jong Ui Young", occurrence=3)
        make_relation(annotation_set, "said_by", quote, actor)
        entity = make_entity(project, f"Jong {n}")
        counts[n] = {
            "page": _count_queries(client, "get", workspace_url(article)),
            "panel": _count_queries(client, "get", reverse("span-panel", args=[quote.pk])),
            "create": _count_queries(client, "post", reverse("span-create", args=[annotation_set.pk]), {
                "label": label(project, "Claim").pk, "start": article.text.index("Moscow on day 9"),
                "end": article.text.index("Moscow on day 9") + 15, "text": "Moscow on day 9"}),
            "update": _count_queries(client, "post", reverse("span-update", args=[quote.pk]),
                                     {"version": 1, "note": "n"}),
            "link": _count_queries(client, "post", reverse("span-entity", args=[actor.pk]),
                                   {"entity": entity.pk, "version": 1}),
            "search": _count_queries(client, "get", reverse("entity-search", args=[actor.pk]) + "?q=Jong"),
            "delete": _count_queries(client, "post", reverse("span-delete", args=[quote.pk])),
            "undo": _count_queries(client, "post", reverse("set-undo", args=[annotation_set.pk])),
        }
    assert counts[1] == counts[500]
    # A span create in a test (each write in a savepoint): session and user (2), the set and
    # the labels (2), the span, the set's first status change and the event between
    # SAVEPOINT and RELEASE (5), the touched paragraphs (1), the session's save (3).  It was
    # 19 before the create stopped re-reading the span, counting every label and reading
    # relations a new span cannot have (its relation candidates load just after).
    assert counts[500]["create"] <= 13


def test_undo_and_redo_go_through_the_event_log(client, annotator, project, article):
    """Ctrl+Z / Ctrl+Shift+Z: create, attribute change, relation, entity link and delete, in turn."""
    annotation_set = make_set(article, annotator)
    client.force_login(annotator)
    def made(label_name, needle):
        body = post_span(client, annotation_set, label_name, needle).content.decode()
        return Span.objects.get(pk=re.search(r'data-span="(\d+)"', body).group(1))

    quote = made("Quote", "Russia and the Republic of Korea are strategic partners")
    actor = made("Actor", "Jong Ui Young")
    client.post(reverse("span-update", args=[quote.pk]), {"version": 1, "attributes": "1", "attr-type": "direct"}, **HX)
    said_by = project.relation_types.get(name="said_by")
    client.post(reverse("relation-create", args=[annotation_set.pk]),
                {"type": said_by.pk, "source": quote.pk, "target": actor.pk}, **HX)
    entity = make_entity(project, "Jong Ui Young")
    client.post(reverse("span-entity", args=[actor.pk]), {"entity": entity.pk, "version": 1}, **HX)
    undo, redo = reverse("set-undo", args=[annotation_set.pk]), reverse("set-redo", args=[annotation_set.pk])

    def step(url):
        response = client.post(url, **HX)
        return response.status_code, collapsed(response)

    status, body = step(undo)
    assert status == 200 and "Undone" in body and 'id="sidebar"' in body and 'id="para-' in body
    actor.refresh_from_db()
    assert actor.entity is None
    step(undo)
    assert not Relation.objects.exists()
    step(undo)
    quote.refresh_from_db()
    assert quote.attributes == {}
    step(undo)
    assert not Span.objects.filter(text="Jong Ui Young").exists()
    status, body = step(redo)
    assert "Redone" in body
    actor = Span.objects.get(text="Jong Ui Young")
    step(redo)
    step(redo)
    assert Relation.objects.get().target == actor  # the relation follows the span brought back
    step(redo)
    actor.refresh_from_db()
    assert actor.entity == entity
    status, body = step(redo)
    assert status == 422 and "Nothing to redo" in body
    # A fresh change ends what can be redone; undo goes on further back.
    step(undo)
    client.post(reverse("span-update", args=[quote.pk]), {"version": quote.version + 1, "note": "n"}, **HX)
    assert "Nothing to redo" in step(redo)[1]
    actions = list(Event.objects.filter(annotation_set=annotation_set).values_list("data", flat=True))
    assert sum("undo_of" in d for d in actions) == 5 and sum("redo_of" in d for d in actions) == 4


def test_undo_is_per_person_and_needs_an_open_set(client, annotator, project, article):
    other = make_user("other")
    project.memberships.create(user=other, role="annotator")
    mine = make_set(article, annotator)
    client.force_login(annotator)
    post_span(client, mine, "Actor", "Jong Ui Young")
    client.force_login(other)
    assert client.post(reverse("set-undo", args=[mine.pk]), **HX).status_code == 404
    theirs = make_set(article, other)
    response = client.post(reverse("set-undo", args=[theirs.pk]), **HX)
    assert response.status_code == 422 and "Nothing to undo" in collapsed(response)
    assert Span.objects.count() == 1


def test_submit_asks_with_a_checklist_then_submits_anyway(client, annotator, project, article):
    annotation_set = make_set(article, annotator)
    make_span(annotation_set, "Claim", "completed his visit to Moscow")
    make_span(annotation_set, "Quote", "Russia and the Republic of Korea are strategic partners")
    make_span(annotation_set, "Actor", "Jong Ui Young")
    client.force_login(annotator)
    url = reverse("set-submit", args=[annotation_set.pk])
    asked = client.post(url, **HX)
    body = collapsed(asked)
    assert asked["HX-Retarget"] == "#ws-message"
    assert "2 spans still lack something" in body and "no verdict" in body and "no said by" in body
    annotation_set.refresh_from_db()
    assert annotation_set.status != SetStatus.SUBMITTED
    # Without JavaScript: back to the article with the list as a message.
    plain = client.post(url, follow=True)
    assert "Not submitted: 2 span(s) lack something" in collapsed(plain)
    done = client.post(url, {"confirm": "1"}, **HX)
    assert done.status_code == 200 and done["HX-Redirect"].endswith(f"/a/{article.pk}/")
    annotation_set.refresh_from_db()
    assert annotation_set.status == SetStatus.SUBMITTED


def test_entity_search_pre_checks_the_alias_only_for_a_name_variant(client, annotator, project):
    article = make_article(project, "Jung Ui Young said so. The South Korean minister agreed.")
    annotation_set = make_set(article, annotator)
    variant = make_span(annotation_set, "Actor", "Jung Ui Young")
    phrase = make_span(annotation_set, "Actor", "The South Korean minister")
    entity = make_entity(project, "Jong Ui Young")
    client.force_login(annotator)
    for span, checked in ((variant, True), (phrase, False)):
        body = collapsed(client.get(reverse("entity-search", args=[span.pk]), {"q": "Young"}, **HX))
        box = re.search(rf'<input type="checkbox" name="alias" value="1" id="alias-{entity.pk}"( checked)?>', body)
        assert box and bool(box.group(1)) is checked
    client.post(reverse("span-entity", args=[phrase.pk]), {"entity": entity.pk, "version": 1}, **HX)
    entity.refresh_from_db()
    assert entity.aliases == []


def test_marks_are_named_by_label_and_claims_show_their_verdict(client, annotator, project, article):
    annotation_set = make_set(article, annotator)
    claim = make_span(annotation_set, "Claim", "completed his visit to Moscow", attributes={"verdict": "false"})
    client.force_login(annotator)
    page = collapsed(client.get(workspace_url(article)))
    assert (f'data-span="{claim.pk}" tabindex="-1" role="link" '
            'aria-label="Claim: completed his visit to Moscow, false" data-verdict="false"') in page
    assert 'id="article" class="article-text"' in page and 'tabindex="0"' in page
    assert '<span class="verdict">false</span>' in page


def test_label_colours_come_from_a_project_stylesheet(client, annotator, project, article):
    client.force_login(annotator)
    page = client.get(workspace_url(article)).content.decode()
    assert "<style" not in page
    css_url = re.search(r'href="(/p/news/labels\.css\?v=\w+)"', page).group(1)
    css = client.get(css_url)
    assert css["Content-Type"].startswith("text/css")
    assert f".l{label(project, 'Claim').pk}{{--c:#e15759}}" in css.content.decode()
    actor = label(project, "Actor")
    actor.colour = "#112233"
    actor.save()
    assert client.get(workspace_url(article)).content.decode() != page  # the version changes with the colour


def test_far_relation_targets_are_found_by_search(client, annotator, project):
    """The panel lists the 12 nearest actors; a speaker named far away is found by typing."""
    article = make_article(project, LONG_TEXT.replace("Paragraph 39: Sergei Lavrov", "Paragraph 39: Kim In Chol"))
    annotation_set = make_set(article, annotator)
    quote = make_span(annotation_set, "Quote", "Paragraph 0")
    for i in range(20):
        make_span(annotation_set, "Actor", "Sergei Lavrov", occurrence=i)
    far = make_span(annotation_set, "Actor", "Kim In Chol")
    client.force_login(annotator)
    panel = client.get(reverse("span-panel", args=[quote.pk]), **HX).content.decode()
    said_by = project.relation_types.get(name="said_by")
    assert panel.count('<option value="') - panel.count('<option value="">') >= 12
    assert "Kim In Chol" not in panel and 'class="relation-find"' in panel
    url = reverse("relation-targets", args=[quote.pk])
    found = client.get(url, {"type": said_by.pk, "q": "kim  in"}, **HX).content.decode()
    assert re.findall(r'<option value="(\d+)">([^<]*)</option>', found) == [(str(far.pk), "Kim In Chol")]
    assert "<button type=\"submit\">Link</button>" in found
    none = client.get(url, {"type": said_by.pk, "q": "Putin"}, **HX).content.decode()
    assert "no Actor span matches “Putin”" in none and "disabled" in none
    # Every nearest one when the box is cleared.
    nearest = client.get(url, {"type": said_by.pk, "q": ""}, **HX).content.decode()
    assert nearest.count("<option") == 12 and "Kim In Chol" not in nearest


def test_relation_targets_refuse_a_type_that_does_not_start_at_the_span(client, annotator, article):
    annotation_set = make_set(article, annotator)
    actor = make_span(annotation_set, "Actor", "Sergei Lavrov")
    said_by = article.project.relation_types.get(name="said_by")  # Quote → Actor
    client.force_login(annotator)
    response = client.get(reverse("relation-targets", args=[actor.pk]), {"type": said_by.pk, "q": "x"}, **HX)
    assert response.status_code == 422
    assert "That relation type does not start from Actor spans." in response.content.decode()


def test_relation_targets_of_someone_elses_span_are_not_found(client, annotator, other_annotator, article):
    theirs = make_span(make_set(article, other_annotator), "Quote", "Russia and the Republic of Korea")
    said_by = article.project.relation_types.get(name="said_by")
    client.force_login(annotator)
    response = client.get(reverse("relation-targets", args=[theirs.pk]), {"type": said_by.pk}, **HX)
    assert response.status_code == 404


def test_submit_and_next_submits_then_opens_the_next_article(client, annotator, project, article):
    mine = make_set(article, annotator)
    waiting = make_article(project, "Another text to annotate.", title="Waiting")
    client.force_login(annotator)
    body = client.get(workspace_url(article)).content.decode()
    assert 'id="submit-next"' in body
    response = client.post(reverse("set-submit", args=[mine.pk]), {"then": "next"}, follow=True)
    mine.refresh_from_db()
    assert mine.status == SetStatus.SUBMITTED
    assert response.redirect_chain[-1][0] == workspace_url(waiting)
    assert "Submitted. Thank you!" in response.content.decode()
    assert AnnotationSet.objects.filter(article=waiting, user=annotator).exists()


def test_new_projects_snap_selections_to_words(annotator):
    from annotator.projects import create_project
    from articles.models import Project

    project = create_project(Project(name="Desk", slug="desk"), manager=annotator)
    assert project.snap_to_words
