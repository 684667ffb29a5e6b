"""The Entities page: the project's knowledge base of actors, read by every member and
curated (added, edited, merged, deleted) by reviewers and managers."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator.entities import merged_aliases
from annotator.errors import Conflict
from annotator.models import Entity, Event, Span
from annotator.spans import span_delete, span_link_entity, span_restore
from tests.factories import make_article, make_entity, make_project, make_set, make_span
from tests.html import collapsed  # noqa: E402

pytestmark = pytest.mark.django_db

OTHER_TEXT = "Jung Ui Young met Sergei Lavrov in Moscow. Lavrov said little."


def list_url(project, **query):
    url = reverse("entities", args=[project.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def edit_url(project, entity):
    return reverse("entity-edit", args=[project.slug, entity.pk])


def merge_url(project, entity):
    return reverse("entity-merge", args=[project.slug, entity.pk])


def delete_url(project, entity):
    return reverse("entity-delete", args=[project.slug, entity.pk])


def create_url(project):
    return reverse("entity-create", args=[project.slug])


def row(body, entity):
    match = re.search(rf'<tr id="entity-{entity.pk}">(.*?)</tr>', body, re.S)
    assert match, f"no row for {entity.name}"
    return match.group(1)


def shown(html):
    """The text as read on screen."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def snapshot(project):
    return (
        list(project.entities.order_by("pk").values_list("name", "kind", "aliases", "wikidata_id", "description")),
        list(Span.objects.filter(label__project=project).order_by("pk").values_list("entity_id", "version")),
        Event.objects.filter(project=project).count(),
    )


def entity_post(**changes):
    data = {"name": "Moon Jae-in", "kind": "person", "aliases_text": "", "wikidata_id": "", "description": ""}
    return {key: value for key, value in (data | changes).items() if value is not None}


@pytest.fixture
def as_reviewer(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def kb(project, article, annotator, other_annotator):
    """Two spellings of one minister, each linked from several sets; Lavrov linked from two articles."""
    jong = make_entity(project, "Jong Ui Young", aliases=["Jong"], wikidata_id="Q490140",
                       description="South Korean foreign minister")
    jung = make_entity(project, "Jung Ui Young", aliases=["Chung Eui-yong", "JONG"])
    lavrov = make_entity(project, "Sergei Lavrov", kind="person", aliases=["Lavrov", "Сергей Лавров"])
    ministry = make_entity(project, "Ministry of Foreign Affairs", kind="organisation")
    mine, theirs, gold = make_set(article, annotator), make_set(article, other_annotator), make_set(article)
    make_span(mine, "Actor", "Jong Ui Young", entity=jong)
    make_span(mine, "Actor", "Sergei Lavrov", entity=lavrov)
    make_span(theirs, "Actor", "Jong Ui Young", entity=jung)
    make_span(gold, "Actor", "Jong Ui Young", entity=jung)
    second = make_article(project, OTHER_TEXT, external_id="second")
    second_set = make_set(second, annotator)
    make_span(second_set, "Actor", "Jung Ui Young", entity=jung)
    make_span(second_set, "Actor", "Lavrov", occurrence=1, entity=lavrov)
    return {"jong": jong, "jung": jung, "lavrov": lavrov, "ministry": ministry}


# ---------------------------------------------------------------- the list


def test_list_shows_each_entity_with_its_links(as_reviewer, project, kb):
    response = as_reviewer.get(list_url(project))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'aria-current="page">Entities</a>' in body
    assert "4 entities" in body
    jong = row(body, kb["jong"])
    assert '<strong class="kb-name">Jong Ui Young</strong>' in jong
    assert "South Korean foreign minister" in jong and "Person" in jong
    assert '<a href="https://www.wikidata.org/wiki/Q490140" rel="noopener noreferrer"' in jong
    assert shown(jong).endswith("Q490140 1 1 Edit")  # one span, in one article
    # Spans in an annotator's set, another's and gold, over two articles.
    assert shown(row(body, kb["jung"])).endswith("Chung Eui-yong JONG — 3 2 Edit")
    assert "<li>Lavrov</li><li>Сергей Лавров</li>" in row(body, kb["lavrov"])
    assert shown(row(body, kb["lavrov"])).endswith("2 2 Edit")
    assert shown(row(body, kb["ministry"])).endswith("Organisation — — 0 0 Edit")
    # By name, ignoring case.
    order = [m.group(1) for m in re.finditer(r'<strong class="kb-name">([^<]+)</strong>', body)]
    assert order == ["Jong Ui Young", "Jung Ui Young", "Ministry of Foreign Affairs", "Sergei Lavrov"]


def test_entities_of_another_project_are_not_listed(as_reviewer, project, kb):
    make_entity(make_project(), "Emmanuel Macron")
    assert "Emmanuel Macron" not in as_reviewer.get(list_url(project)).content.decode()


@pytest.mark.parametrize(
    "query, found",
    [
        ("lavrov", ["Sergei Lavrov"]),
        ("UI YOUNG", ["Jong Ui Young", "Jung Ui Young"]),
        ("chung", ["Jung Ui Young"]),  # an alias
        ("Сергей", ["Sergei Lavrov"]),  # an alias outside ASCII
        ("  foreign   affairs ", ["Ministry of Foreign Affairs"]),
        ('"', []),
        ("%", []),
        ("Macron", []),
    ],
)
def test_search_by_name_or_alias(as_reviewer, project, kb, query, found):
    response = as_reviewer.get(reverse("entities", args=[project.slug]), {"q": query})
    assert [e.name for e in response.context["page"]] == found
    if not found:
        assert "contains “" in response.content.decode()


def test_live_search_answers_with_the_table_only(as_reviewer, project, kb):
    response = as_reviewer.get(
        reverse("entities", args=[project.slug]), {"q": "lavrov"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="entity-list"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="entity-list"')
    assert "<html" not in body and "Add an entity" not in body
    assert "1 entity matching “lavrov”" in body and "Sergei Lavrov" in body and "Jong Ui Young" not in body


def test_list_pages_by_fifty_and_keeps_the_search(as_reviewer, project):
    for i in range(120):
        make_entity(project, f"Actor {i:03}", aliases=["shared"] if i % 2 else [])
    first = as_reviewer.get(list_url(project)).content.decode()
    assert "Actor 000" in first and "Actor 049" in first and "Actor 050" not in first
    assert "Page 1 of 3" in first
    third = as_reviewer.get(list_url(project, page=3)).content.decode()
    assert "Actor 100" in third and "Actor 119" in third and "Actor 099" not in third
    searched = as_reviewer.get(list_url(project, q="shared", page=2)).content.decode()
    assert "60 entities matching “shared”" in searched and "Page 2 of 2" in searched
    assert "Actor 101" in searched and "Actor 100" not in searched
    assert 'href="?page=1&amp;q=shared"' in searched


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", [{}, {"q": "a"}])
def test_list_costs_the_same_queries_however_many_entities_and_spans(as_reviewer, project, annotator, query):
    url = list_url(project, **query)
    make_entity(project, "Sergei Lavrov")
    few = _queries(as_reviewer, url)
    for i in range(30):
        entity = make_entity(project, f"Ambassador {i}", aliases=[f"Amb {i}", f"A. {i}"], wikidata_id=f"Q{i + 1}")
        annotation_set = make_set(make_article(project, external_id=f"n{i}"), annotator)
        make_span(annotation_set, "Actor", "Sergei Lavrov", entity=entity)
        make_span(annotation_set, "Actor", "Jong Ui Young", entity=entity)
    assert _queries(as_reviewer, url) == few


# ---------------------------------------------------------------- adding


def test_reviewer_adds_an_entity(as_reviewer, project, reviewer):
    response = as_reviewer.post(
        create_url(project),
        entity_post(
            name="  Moon   Jae-in ",
            aliases_text="Moon Jae In\n  President   Moon \n\nmoon jae in\nMoon Jae-in\n",
            wikidata_id="https://www.wikidata.org/wiki/Q21001",
            description="President of South Korea",
        ),
        follow=True,
    )
    assert response.redirect_chain == [(list_url(project, q="Moon+Jae-in"), 302)]
    body = response.content.decode()
    assert "The entity “Moon Jae-in” was added." in body
    moon = Entity.objects.get(project=project, name="Moon Jae-in")
    assert (moon.kind, moon.aliases, moon.wikidata_id, moon.description) == (
        "person", ["Moon Jae In", "President Moon"], "Q21001", "President of South Korea")
    assert f'id="entity-{moon.pk}"' in body
    event = Event.objects.get(object_type="entity", object_id=moon.pk)
    assert (event.action, event.user, event.project) == (Event.Action.CREATE, reviewer, project)
    assert event.data["aliases"] == ["Moon Jae In", "President Moon"]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": "   "}, "An entity needs a name."),
        ({"name": " sergei   LAVROV"}, "There is already an entity called “Sergei Lavrov”; edit or merge that one."),
        ({"kind": "alien"}, "Choose a kind: person, organisation, state or other."),
        ({"wikidata_id": "42"}, "A Wikidata id looks like Q42: a Q and digits."),
        ({"wikidata_id": "Q4 2"}, "A Wikidata id looks like Q42: a Q and digits."),
        ({"wikidata_id": "Q490140"}, "Q490140 is already the Wikidata id of “Jong Ui Young”; merge them instead."),
        ({"aliases_text": "Moon\njung ui young"}, "“Jung Ui Young” is the name of another entity; merge them instead."),
        ({"aliases_text": "x" * 201}, "is longer than 200 characters."),
        ({"description": "d" * 301}, "Ensure this value has at most 300 characters (it has 301)."),
    ],
)
def test_adding_a_bad_entity_is_refused_and_changes_nothing(as_reviewer, project, kb, changes, message):
    before = snapshot(project)
    response = as_reviewer.post(create_url(project), entity_post(**changes))
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    assert 'class="errors"' in body
    assert snapshot(project) == before
    # The page is whole, with the form open and what was typed kept.
    assert f'id="entity-{kb["jong"].pk}"' in body
    assert '<details class="card kb-add" id="add-entity" open>' in body


# ---------------------------------------------------------------- editing


def test_edit_form_shows_the_entry_and_its_use(as_reviewer, project, kb):
    response = as_reviewer.get(edit_url(project, kb["jung"]))
    body = response.content.decode()
    assert "Edit “Jung Ui Young”" in body
    assert "3 spans in 2 articles link to this entity" in collapsed(response)
    assert "Chung Eui-yong\nJONG</textarea>" in body
    assert 'aria-current="page">Entities</a>' in body
    # Every other entity is offered to merge into, by name; not the entity itself.
    options = re.findall(r'<option value="(\d+)">([^<]+)</option>', body)
    assert [name for _, name in options] == ["Jong Ui Young · person", "Ministry of Foreign Affairs · organisation",
                                             "Sergei Lavrov · person"]
    # Linked from spans: it is merged, not deleted.
    assert "so it cannot be deleted" in body and delete_url(project, kb["jung"]) not in body


def test_reviewer_edits_an_entity_that_spans_link_to(as_reviewer, project, kb):
    jung = kb["jung"]
    spans_before = list(jung.spans.values_list("pk", "version"))
    response = as_reviewer.post(
        edit_url(project, jung),
        entity_post(name="Chung Eui-yong", kind="person", aliases_text="Jung Ui Young\nChung Eui-yong\nJONG",
                    wikidata_id="q490141"),
        follow=True,
    )
    assert "The entity “Chung Eui-yong” was saved." in response.content.decode()
    jung.refresh_from_db()
    assert (jung.name, jung.aliases, jung.wikidata_id) == ("Chung Eui-yong", ["Jung Ui Young", "JONG"], "Q490141")
    assert list(jung.spans.values_list("pk", "version")) == spans_before
    event = Event.objects.get(object_type="entity", object_id=jung.pk, action=Event.Action.UPDATE)
    assert event.data["before"]["name"] == "Jung Ui Young" and event.data["after"]["name"] == "Chung Eui-yong"


def test_an_entity_keeps_its_own_name_in_another_case(as_reviewer, project, kb):
    response = as_reviewer.post(edit_url(project, kb["lavrov"]), entity_post(name="SERGEI LAVROV"))
    assert response.status_code == 302
    kb["lavrov"].refresh_from_db()
    assert kb["lavrov"].name == "SERGEI LAVROV"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": "jong ui young"}, "There is already an entity called “Jong Ui Young”; edit or merge that one."),
        ({"name": ""}, "An entity needs a name."),
        ({"aliases_text": "Lavrov\nSergei Lavrov"}, "“Sergei Lavrov” is the name of another entity; merge them"),
        ({"wikidata_id": "Q490140"}, "Q490140 is already the Wikidata id of “Jong Ui Young”; merge them instead."),
        ({"kind": ""}, "Choose a kind: person, organisation, state or other."),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(as_reviewer, project, kb, changes, message):
    before = snapshot(project)
    response = as_reviewer.post(edit_url(project, kb["jung"]), entity_post(**{"name": "Jung Ui Young"} | changes))
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    assert "Edit “Jung Ui Young”" in body
    assert snapshot(project) == before


# ---------------------------------------------------------------- merging


def test_merge_relinks_every_set_and_folds_the_names_into_the_target(as_reviewer, project, kb, reviewer):
    jung, jong = kb["jung"], kb["jong"]
    moved = {span.pk: span.version for span in jung.spans.all()}
    kept = {span.pk: span.version for span in jong.spans.all()}
    owners = set(Span.objects.filter(pk__in=moved).values_list("annotation_set__user__username", flat=True))
    assert owners == {"ann", "ann2", None}  # two annotators' sets and gold
    response = as_reviewer.post(merge_url(project, jung), {"target": jong.pk}, follow=True)
    assert response.redirect_chain == [(list_url(project, q="Jong+Ui+Young"), 302)]
    body = response.content.decode()
    assert ("“Jung Ui Young” was merged into “Jong Ui Young”: 3 spans relinked, and “Jung Ui Young” "
            "and its aliases are now aliases of “Jong Ui Young”.") in body
    assert not Entity.objects.filter(pk=jung.pk).exists()
    for span in Span.objects.filter(pk__in=moved):
        assert span.entity_id == jong.pk and span.version == moved[span.pk] + 1
    assert {s.pk: s.version for s in Span.objects.filter(pk__in=kept)} == kept
    jong.refresh_from_db()
    # "JONG" is "Jong" again, ignoring case: once.
    assert jong.aliases == ["Jong", "Jung Ui Young", "Chung Eui-yong"]
    assert "<li>Jong</li><li>Jung Ui Young</li><li>Chung Eui-yong</li>" in row(body, jong)
    assert shown(row(body, jong)).endswith("4 2 Edit")
    event = Event.objects.get(object_type="entity", object_id=jung.pk)
    assert (event.action, event.user, event.project) == (Event.Action.DELETE, reviewer, project)
    assert event.data | {"merged_into_id": None} == {
        "name": "Jung Ui Young", "kind": "person", "aliases": ["Chung Eui-yong", "JONG"], "wikidata_id": "",
        "description": "", "merged_into": "Jong Ui Young", "merged_into_id": None, "spans": 3}


def test_a_span_panel_opened_before_the_merge_gets_a_conflict(as_reviewer, project, kb, other_annotator):
    span = Span.objects.get(entity=kb["jung"], annotation_set__user=other_annotator)
    seen_version = span.version
    as_reviewer.post(merge_url(project, kb["jung"]), {"target": kb["jong"].pk})
    span.refresh_from_db()
    with pytest.raises(Conflict):
        span_link_entity(span=span, entity=None, user=other_annotator, version=seen_version)
    span.refresh_from_db()
    assert span.entity_id == kb["jong"].pk


def test_merged_aliases_never_repeat_or_hold_the_target_name():
    target = Entity(name="Moon Jae-in", aliases=["Moon", "President Moon"])
    merged = Entity(name="moon jae-in ", aliases=["MOON", "Moon  Jae In", "Moon Jae In"])
    assert merged_aliases(target, merged) == ["Moon", "President Moon", "Moon Jae In"]


@pytest.mark.parametrize(
    "target, message",
    [
        ("self", "An entity cannot be merged into itself; choose another one."),
        ("foreign", "Choose another entity of this project."),
        ("", "Choose the entity to merge into."),
        ("999999", "Choose another entity of this project."),
    ],
)
def test_bad_merges_are_refused_and_change_nothing(as_reviewer, project, kb, target, message):
    foreign = make_entity(make_project(), "Jong Ui Young")
    value = {"self": kb["jung"].pk, "foreign": foreign.pk}.get(target, target)
    before = snapshot(project)
    response = as_reviewer.post(merge_url(project, kb["jung"]), {"target": value})
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body and 'class="errors"' in body
    assert "Edit “Jung Ui Young”" in body
    assert snapshot(project) == before
    assert Entity.objects.filter(pk=foreign.pk).exists()


# ---------------------------------------------------------------- deleting


def test_deleting_an_entity_no_span_links_to(as_reviewer, project, kb):
    ministry = kb["ministry"]
    body = as_reviewer.get(edit_url(project, ministry)).content.decode()
    assert delete_url(project, ministry) in body
    response = as_reviewer.post(delete_url(project, ministry), follow=True)
    assert response.redirect_chain == [(list_url(project), 302)]
    assert "The entity “Ministry of Foreign Affairs” was deleted." in response.content.decode()
    assert not Entity.objects.filter(pk=ministry.pk).exists()
    event = Event.objects.get(object_type="entity", object_id=ministry.pk)
    assert event.action == Event.Action.DELETE and event.data["name"] == "Ministry of Foreign Affairs"


def test_deleting_an_entity_spans_link_to_is_refused(as_reviewer, project, kb):
    before = snapshot(project)
    response = as_reviewer.post(delete_url(project, kb["jung"]), follow=True)
    assert response.redirect_chain == [(edit_url(project, kb["jung"]), 302)]
    body = response.content.decode()
    assert ("“Jung Ui Young” was not deleted: 3 spans link to it. "
            "Merge it into the entity they should link to instead.") in body
    assert 'class="message error"' in body
    assert snapshot(project) == before


# ---------------------------------------------------------------- who may


def test_annotators_read_the_list_and_change_nothing(client, project, kb, annotator):
    client.force_login(annotator)
    body = client.get(list_url(project)).content.decode()
    assert "Sergei Lavrov" in body and "<li>Сергей Лавров</li>" in body
    assert "Add an entity" not in body and ">Edit</a>" not in body
    assert not re.search(r'<form[^>]*method="post"[^>]*action="/p/', body)  # only the log-out form posts
    before = snapshot(project)
    jung = kb["jung"]
    assert client.post(create_url(project), entity_post()).status_code == 403
    assert client.get(edit_url(project, jung)).status_code == 403
    assert client.post(edit_url(project, jung), entity_post(name="X")).status_code == 403
    assert client.post(merge_url(project, jung), {"target": kb["jong"].pk}).status_code == 403
    assert client.post(delete_url(project, kb["ministry"])).status_code == 403
    assert snapshot(project) == before


def test_managers_curate_too(client, project, kb, manager):
    client.force_login(manager)
    assert ">Edit</a>" in client.get(list_url(project)).content.decode()
    assert client.post(merge_url(project, kb["jung"]), {"target": kb["jong"].pk}).status_code == 302


def test_another_projects_entities_are_not_found(as_reviewer, project, kb, reviewer):
    other = make_project(members=[(reviewer, "reviewer")])
    foreign = make_entity(other, "Emmanuel Macron")
    before = snapshot(other)
    assert as_reviewer.get(edit_url(project, foreign)).status_code == 404
    assert as_reviewer.post(edit_url(project, foreign), entity_post(name="X")).status_code == 404
    assert as_reviewer.post(merge_url(project, foreign), {"target": kb["jong"].pk}).status_code == 404
    assert as_reviewer.post(delete_url(project, foreign)).status_code == 404
    assert snapshot(other) == before


def test_outsiders_learn_nothing(client, project, kb, outsider):
    client.force_login(outsider)
    assert client.get(list_url(project)).status_code == 404
    assert client.get(edit_url(project, kb["jung"])).status_code == 404
    assert client.post(create_url(project), entity_post()).status_code == 404


def test_annotators_count_only_their_own_links(client, project, kb, annotator):
    client.force_login(annotator)
    body = client.get(list_url(project)).content.decode()
    assert "My spans" in body
    cells = re.findall(r'<td class="num">(\d+)</td>', row(body, kb["jung"]))
    assert cells == ["1", "1"]  # theirs and gold link to it too; the reviewer sees 3 spans in 2 articles


def test_workspace_entity_search_finds_aliases_in_any_script(client, project, kb, article, annotator):
    mine = article.annotation_sets.get(user=annotator)
    span = mine.spans.get(text="Sergei Lavrov")
    client.force_login(annotator)
    found = client.get(reverse("entity-search", args=[span.pk]), {"q": "Лавров"}, HTTP_HX_REQUEST="true")
    assert "Sergei Lavrov</button>" in found.content.decode()


def test_undoing_a_deletion_after_a_merge_links_to_the_entity_it_became(as_reviewer, project, kb, article,
                                                                         other_annotator):
    theirs = article.annotation_sets.get(user=other_annotator)
    span = theirs.spans.get(entity=kb["jung"])
    event = span_delete(span=span, user=other_annotator)
    as_reviewer.post(merge_url(project, kb["jung"]), {"target": kb["jong"].pk})
    restored = span_restore(event=event, user=other_annotator)
    assert restored.entity == kb["jong"]
