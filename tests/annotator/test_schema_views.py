"""The managers' Labels page: listing, adding and editing labels and relation types,
and the refusals that keep annotations from losing what they carry."""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator.attributes import RATING_SCALE, attributes_as_text, parse_attribute_text
from annotator.models import Event, Label, RelationType
from tests.factories import label, make_entity, make_project, make_relation, make_set, make_span

pytestmark = pytest.mark.django_db

QUOTE = "Russia and the Republic of Korea are strategic partners"


def labels_url(project):
    return reverse("project-labels", args=[project.slug])


def edit_url(project, obj):
    return reverse("label-edit", args=[project.slug, obj.pk])


def row(body, element_id):
    """The HTML of one table row, by its id."""
    match = re.search(rf'<tr id="{element_id}">(.*?)</tr>', body, re.S)
    assert match, f"no row {element_id}"
    return match.group(1)


def label_post(obj, **changes):
    """The edit form's data for ``obj`` as it stands, with ``changes``."""
    data = {
        "name": obj.name,
        "key": obj.key,
        "colour": obj.colour,
        "description": obj.description,
        "order": obj.order,
        "attributes_text": attributes_as_text(obj.attributes),
    }
    if obj.links_entity:
        data["links_entity"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def snapshot(project):
    return list(
        project.labels.order_by("pk").values_list("name", "key", "colour", "attributes", "links_entity", "order")
    ), list(project.relation_types.order_by("pk").values_list("name", "source_label", "target_label"))


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def annotated(project, article, annotator):
    """Two claims (one rated half-true, one checkworthy), an actor linked to an entity, a quote said by it."""
    annotation_set = make_set(article, annotator)
    make_span(annotation_set, "Claim", "completed his visit to Moscow", attributes={"verdict": "half-true"})
    make_span(annotation_set, "Claim", "strategic partners", attributes={"checkworthy": True})
    actor = make_span(annotation_set, "Actor", "Sergei Lavrov", entity=make_entity(project, "Sergei Lavrov"))
    quote = make_span(annotation_set, "Quote", QUOTE, attributes={"type": "direct"})
    make_relation(annotation_set, "said_by", quote, actor)
    return annotation_set


# ---------------------------------------------------------------- the list


def test_page_lists_labels_with_their_span_counts_and_relation_types(as_manager, project, annotated):
    response = as_manager.get(labels_url(project))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'aria-current="page">Labels</a>' in body
    claim = row(body, f"label-{label(project, 'Claim').pk}")
    assert "<strong>Claim</strong>" in claim and "<kbd>c</kbd>" in claim
    assert "A checkable statement of fact." in claim
    shown = " ".join(re.sub(r"<[^>]+>", " ", claim).split())  # the row as read on screen
    assert "verdict true · mostly-true · half-true · mostly-false · false · pants-on-fire checkworthy yes/no" in shown
    assert '<td class="num">2</td>' in claim
    assert "Edit" in claim and "Delete" in claim
    actor = row(body, f"label-{label(project, 'Actor').pk}")
    assert "links to an entity" in actor and '<td class="num">1</td>' in actor
    cue = row(body, f"label-{label(project, 'Cue').pk}")
    assert '<td class="num">0</td>' in cue and "none" in cue
    said_by = row(body, f"relation-type-{RelationType.objects.get(project=project, name='said_by').pk}")
    assert "Quote</span>" in said_by and "Actor</span>" in said_by and '<td class="num">1</td>' in said_by
    about = row(body, f"relation-type-{RelationType.objects.get(project=project, name='about').pk}")
    assert '<td class="num">0</td>' in about
    # Swatches and chips take their colours from the project's label stylesheet.
    assert reverse("label-css", args=[project.slug]) + "?v=" in body


def test_page_costs_the_same_queries_however_many_labels_and_spans(as_manager, project, article, annotator):
    url = labels_url(project)
    with CaptureQueriesContext(connection) as few:
        as_manager.get(url)
    annotation_set = make_set(article, annotator)
    for i in range(6):
        Label.objects.create(project=project, name=f"Extra {i}", attributes=[{"name": "n", "type": "text"}])
    make_span(annotation_set, "Claim", "Moscow", occurrence=0)
    make_span(annotation_set, "Claim", "Moscow", occurrence=1)
    make_span(annotation_set, "Actor", "Sergei Lavrov")
    with CaptureQueriesContext(connection) as many:
        as_manager.get(url)
    assert len(many) == len(few)


# ---------------------------------------------------------------- adding a label


def test_manager_adds_a_label_with_attributes(as_manager, project):
    text = "verdict: true | mostly-true | half-true | false\nstance: yes/no\n\ncomment: text\n"
    response = as_manager.post(
        labels_url(project),
        {
            "name": "Statistic",
            "key": "S",
            "colour": "#123abc",
            "description": "A number.",
            "order": "7",
            "attributes_text": text,
            "links_entity": "on",
        },
        follow=True,
    )
    assert response.redirect_chain == [(labels_url(project), 302)]
    body = response.content.decode()
    assert "The label “Statistic” was added." in body
    created = Label.objects.get(project=project, name="Statistic")
    assert (created.key, created.colour, created.order, created.links_entity) == ("s", "#123abc", 7, True)
    assert created.attributes == [
        {"name": "verdict", "type": "choice", "choices": ["true", "mostly-true", "half-true", "false"]},
        {"name": "stance", "type": "bool"},
        {"name": "comment", "type": "text"},
    ]
    assert f'id="label-{created.pk}"' in body
    event = Event.objects.get(object_type="label", object_id=created.pk)
    assert event.action == Event.Action.CREATE and event.project == project


def test_new_label_form_offers_an_unused_colour_and_the_next_order(as_manager, project):
    body = as_manager.get(labels_url(project)).content.decode()
    used = set(project.labels.values_list("colour", flat=True))
    offered = re.search(r'<input type="color" name="colour" value="(#[0-9a-f]{6})"', body).group(1)
    assert offered not in used
    assert re.search(r'name="order" value="4"', body)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "claim"}, "This project already has a label called “Claim”."),
        ({"name": "Rumour", "key": "c"}, "The key “c” already picks “Claim”; choose another."),
        ({"name": "Rumour", "key": "%"}, "Use one lower-case letter or digit."),
        ({"name": "Rumour", "colour": "red"}, "Use a colour like #1f77b4."),
        ({"name": "   "}, "This field is required."),
        (
            {"name": "Rumour", "attributes_text": "spread: yes/no\nsource website"},
            "Line 2 (“source website”): write it as “name: choice | choice”, “name: yes/no” or “name: text”.",
        ),
        (
            {"name": "Rumour", "attributes_text": "spread: maybe"},
            "Line 1 (“spread: maybe”): after the colon write “yes/no”, “text”, or the choices separated by “|”.",
        ),
        (
            {"name": "Rumour", "attributes_text": "spread: a | b | a"},
            "Line 1 (“spread: a | b | a”): “a” is listed twice.",
        ),
        ({"name": "Rumour", "attributes_text": "spread: yes/no\nspread: text"}, "Attribute “spread” is defined twice."),
    ],
)
def test_adding_a_bad_label_is_refused_with_a_message(as_manager, project, data, message):
    before = snapshot(project)
    post = {"name": "", "key": "", "colour": "#336699", "description": "", "order": "0", "attributes_text": ""}
    response = as_manager.post(labels_url(project), post | data)
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    assert 'class="errors"' in body
    assert snapshot(project) == before
    # The page around the form is still whole: the labels are listed.
    assert f'id="label-{label(project, "Claim").pk}"' in body


# ---------------------------------------------------------------- editing a label


def test_edit_form_writes_attributes_back_in_the_line_syntax(as_manager, project):
    claim = label(project, "Claim")
    body = as_manager.get(edit_url(project, claim)).content.decode()
    assert "verdict: " + " | ".join(RATING_SCALE) + "\ncheckworthy: yes/no" in body
    assert 'aria-current="page">Labels</a>' in body
    assert "<code>a | b | c</code> is a list to choose from" in body


def test_saving_the_form_unchanged_keeps_the_attributes(as_manager, project, annotated):
    claim = label(project, "Claim")
    before = claim.attributes
    response = as_manager.post(edit_url(project, claim), label_post(claim))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.attributes == before


@pytest.mark.parametrize(
    "definitions",
    [
        [],
        [{"name": "verdict", "type": "choice", "choices": RATING_SCALE}, {"name": "checkworthy", "type": "bool"}],
        [{"name": "only", "type": "choice", "choices": ["one"]}, {"name": "note", "type": "text"}],
        [{"name": "the kind", "type": "choice", "choices": ["a b", "c-d", "e/f"]}],
    ],
)
def test_attribute_text_round_trip(definitions):
    assert parse_attribute_text(attributes_as_text(definitions)) == (definitions, [])


def test_rename_recolour_and_rekey_a_label_that_has_spans(as_manager, project, annotated):
    claim = label(project, "Claim")
    response = as_manager.post(
        edit_url(project, claim),
        label_post(claim, name="Factual claim", colour="#00aa55", key="f", description="Checkable."),
        follow=True,
    )
    assert response.redirect_chain == [(labels_url(project), 302)]
    assert "The label “Factual claim” was saved." in response.content.decode()
    claim.refresh_from_db()
    assert (claim.name, claim.colour, claim.key, claim.description) == ("Factual claim", "#00aa55", "f", "Checkable.")
    assert claim.spans.count() == 2
    event = Event.objects.get(object_type="label", object_id=claim.pk, action=Event.Action.UPDATE)
    assert event.data["before"]["name"] == "Claim" and event.data["after"]["name"] == "Factual claim"


def test_a_label_may_keep_its_own_name_and_key(as_manager, project):
    claim = label(project, "Claim")
    response = as_manager.post(edit_url(project, claim), label_post(claim, name="CLAIM"))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.name == "CLAIM" and claim.key == "c"


def test_renaming_onto_another_label_or_key_is_refused(as_manager, project):
    claim = label(project, "Claim")
    before = snapshot(project)
    response = as_manager.post(edit_url(project, claim), label_post(claim, name="Actor", key="q"))
    assert response.status_code == 422
    body = response.content.decode()
    assert "This project already has a label called “Actor”." in body
    assert "The key “q” already picks “Quote”; choose another." in body
    assert "Edit “Claim”" in body
    assert snapshot(project) == before


def test_colour_change_reaches_the_workspace_stylesheet(as_manager, project, article):
    claim = label(project, "Claim")
    workspace = reverse("workspace", args=[project.slug, article.pk])
    css_url = reverse("label-css", args=[project.slug])

    def stylesheet_version():
        page = as_manager.get(workspace).content.decode()
        return re.search(re.escape(css_url) + r"\?v=(\w+)", page).group(1)

    old = stylesheet_version()
    as_manager.post(edit_url(project, claim), label_post(claim, colour="#00aa55"))
    assert stylesheet_version() != old
    assert f".l{claim.pk}{{--c:#00aa55}}" in as_manager.get(css_url).content.decode()


def test_removing_an_unused_choice_or_attribute_is_fine(as_manager, project, annotated):
    claim = label(project, "Claim")
    text = "verdict: true | mostly-true | half-true | false\ncheckworthy: yes/no"
    assert as_manager.post(edit_url(project, claim), label_post(claim, attributes_text=text)).status_code == 302
    quote = label(project, "Quote")
    as_manager.post(edit_url(project, quote), label_post(quote, attributes_text="type: direct | indirect\nx: text"))
    as_manager.post(edit_url(project, quote), label_post(quote, attributes_text="type: direct | indirect"))
    claim.refresh_from_db()
    quote.refresh_from_db()
    assert claim.attribute("verdict")["choices"] == ["true", "mostly-true", "half-true", "false"]
    assert quote.attributes == [{"name": "type", "type": "choice", "choices": ["direct", "indirect"]}]


@pytest.mark.parametrize(
    "name, changes, message",
    [
        (
            "Claim",
            {"attributes_text": "verdict: true | false\ncheckworthy: yes/no"},
            "1 span has verdict “half-true”; change it first or keep the choice.",
        ),
        (
            "Claim",
            {"attributes_text": "verdict: " + " | ".join(RATING_SCALE)},
            "1 span has a value for “checkworthy”; clear it first or keep the attribute.",
        ),
        (
            "Claim",
            {"attributes_text": "verdict: text\ncheckworthy: yes/no"},
            "“verdict” cannot change from a choice list to free text: 1 span has a value for it; "
            "clear it first or keep its type.",
        ),
        (
            "Actor",
            {"links_entity": None},
            "1 span has a link to an entity; unlink it first or keep “links to an entity” on.",
        ),
    ],
)
def test_taking_away_what_spans_carry_is_refused(as_manager, project, annotated, name, changes, message):
    target = label(project, name)
    before = snapshot(project)
    response = as_manager.post(edit_url(project, target), label_post(target, name=f"{name} renamed", **changes))
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    assert snapshot(project) == before
    # The form keeps what was typed, so it can be corrected rather than retyped.
    assert f'value="{name} renamed"' in body


def test_refusal_counts_every_span_that_holds_the_choice(as_manager, project, article, annotator, other_annotator):
    for user in (annotator, other_annotator):
        annotation_set = make_set(article, user)
        make_span(annotation_set, "Claim", "Moscow", attributes={"verdict": "half-true"})
        make_span(annotation_set, "Claim", "Sergei Lavrov", attributes={"verdict": "false"})
    claim = label(project, "Claim")
    response = as_manager.post(
        edit_url(project, claim), label_post(claim, attributes_text="verdict: true | mostly-true\ncheckworthy: yes/no")
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "2 spans have verdict “half-true”; change them first or keep the choice." in body
    assert "2 spans have verdict “false”; change them first or keep the choice." in body


# ---------------------------------------------------------------- deleting a label


def test_deleting_an_unused_label(as_manager, project):
    scratch = Label.objects.create(project=project, name="Scratch", key="x")
    response = as_manager.post(reverse("label-delete", args=[project.slug, scratch.pk]), follow=True)
    assert response.redirect_chain == [(labels_url(project), 302)]
    body = response.content.decode()
    assert "The label “Scratch” was deleted." in body
    assert f'id="label-{scratch.pk}"' not in body
    assert not Label.objects.filter(pk=scratch.pk).exists()
    assert Event.objects.filter(object_type="label", object_id=scratch.pk, action=Event.Action.DELETE).exists()


def test_deleting_a_label_that_spans_use_is_refused(as_manager, project, annotated):
    claim = label(project, "Claim")
    before = snapshot(project)
    response = as_manager.post(reverse("label-delete", args=[project.slug, claim.pk]), follow=True)
    assert response.redirect_chain == [(labels_url(project), 302)]
    body = response.content.decode()
    assert (
        "The label “Claim” was not deleted: 2 span(s) use it and 2 relation type(s) refer to it "
        "(about, claimed_by). Relabel or delete those first."
    ) in body
    assert 'class="message error"' in body
    assert snapshot(project) == before


def test_deleting_a_label_that_relation_types_refer_to_is_refused(as_manager, project):
    cue = label(project, "Cue")
    response = as_manager.post(reverse("label-delete", args=[project.slug, cue.pk]), follow=True)
    body = response.content.decode()
    assert "The label “Cue” was not deleted: 1 relation type(s) refer to it (cue)." in body
    assert "Delete those relation types first." in body
    assert Label.objects.filter(pk=cue.pk).exists()


def test_admin_refuses_label_deletion_with_the_same_words(client, project, annotated):
    from tests.factories import make_user

    root = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(root)
    claim = label(project, "Claim")
    response = client.post(reverse("admin:annotator_label_delete", args=[claim.pk]), {"post": "yes"}, follow=True)
    assert admin.site._registry[Label].refusal(claim) in response.content.decode()
    assert "relation type(s) refer to it (about, claimed_by)" in response.content.decode()
    said_by = RelationType.objects.get(project=project, name="said_by")
    url = reverse("admin:annotator_relationtype_delete", args=[said_by.pk])
    response = client.post(url, {"post": "yes"}, follow=True)
    assert "The relation type “said_by” was not deleted: 1 relation(s) use it." in response.content.decode()
    assert RelationType.objects.filter(pk=said_by.pk).exists()


# ---------------------------------------------------------------- relation types


def type_post(project, **changes):
    data = {
        "name": "quotes",
        "source_label": label(project, "Actor").pk,
        "target_label": label(project, "Quote").pk,
        "description": "Who is quoted",
    }
    return data | changes


def test_manager_adds_a_relation_type(as_manager, project):
    url = reverse("relation-type-create", args=[project.slug])
    response = as_manager.post(url, type_post(project), follow=True)
    assert response.redirect_chain == [(labels_url(project), 302)]
    body = response.content.decode()
    assert "The relation type “quotes” was added." in body
    created = RelationType.objects.get(project=project, name="quotes")
    assert (created.source_label.name, created.target_label.name, created.description) == (
        "Actor",
        "Quote",
        "Who is quoted",
    )
    assert f'id="relation-type-{created.pk}"' in body


def test_relation_type_form_fields_do_not_clash_with_the_label_form(as_manager, project):
    body = as_manager.get(labels_url(project)).content.decode()
    ids = re.findall(r'\sid="(id_[^"]+)"', body)
    assert len(ids) == len(set(ids)), "duplicate element ids"
    assert 'id="id_type_source_label"' in body


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": "SAID_BY"}, "This project already has a relation type called “SAID_BY”."),
        ({"source_label": ""}, "This field is required."),
        ({"target_label": "999999"}, "Choose one of this project&#x27;s labels."),
    ],
)
def test_bad_relation_type_is_refused(as_manager, project, changes, message):
    before = snapshot(project)
    response = as_manager.post(reverse("relation-type-create", args=[project.slug]), type_post(project, **changes))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert snapshot(project) == before


def test_relation_type_between_labels_of_another_project_is_refused(as_manager, project):
    other = make_project()
    before = snapshot(project)
    response = as_manager.post(
        reverse("relation-type-create", args=[project.slug]),
        type_post(project, source_label=label(other, "Actor").pk),
    )
    assert response.status_code == 422
    assert "Choose one of this project&#x27;s labels." in response.content.decode()
    assert snapshot(project) == before
    assert not RelationType.objects.filter(name="quotes").exists()


def test_deleting_an_unused_relation_type(as_manager, project):
    about = RelationType.objects.get(project=project, name="about")
    response = as_manager.post(reverse("relation-type-delete", args=[project.slug, about.pk]), follow=True)
    body = response.content.decode()
    assert "The relation type “about” was deleted." in body
    assert f'id="relation-type-{about.pk}"' not in body
    assert not RelationType.objects.filter(pk=about.pk).exists()


def test_deleting_a_relation_type_in_use_is_refused(as_manager, project, annotated):
    said_by = RelationType.objects.get(project=project, name="said_by")
    before = snapshot(project)
    response = as_manager.post(reverse("relation-type-delete", args=[project.slug, said_by.pk]), follow=True)
    assert response.redirect_chain == [(labels_url(project), 302)]
    body = response.content.decode()
    assert "The relation type “said_by” was not deleted: 1 relation(s) use it. Delete those relations first." in body
    assert snapshot(project) == before


# ---------------------------------------------------------------- who may


def test_another_projects_labels_and_types_are_not_found(as_manager, project, manager):
    other = make_project(members=[(manager, "manager")])
    foreign_label = label(other, "Claim")
    foreign_type = RelationType.objects.get(project=other, name="about")
    before = snapshot(other)
    assert as_manager.get(edit_url(project, foreign_label)).status_code == 404
    assert as_manager.post(edit_url(project, foreign_label), label_post(foreign_label, name="X")).status_code == 404
    assert as_manager.post(reverse("label-delete", args=[project.slug, foreign_label.pk])).status_code == 404
    assert as_manager.post(reverse("relation-type-delete", args=[project.slug, foreign_type.pk])).status_code == 404
    assert snapshot(other) == before


@pytest.mark.parametrize("who", ["annotator", "reviewer"])
def test_annotators_and_reviewers_may_not_change_the_schema(client, project, request, who):
    client.force_login(request.getfixturevalue(who))
    before = snapshot(project)
    claim = label(project, "Claim")
    response = client.get(labels_url(project))
    assert response.status_code == 403
    assert "Only managers of “Newsroom” can do this" in response.content.decode()
    assert client.post(labels_url(project), {"name": "Rumour", "colour": "#336699"}).status_code == 403
    assert client.post(edit_url(project, claim), label_post(claim, name="X")).status_code == 403
    assert client.post(reverse("label-delete", args=[project.slug, label(project, "Cue").pk])).status_code == 403
    assert client.post(reverse("relation-type-create", args=[project.slug]), type_post(project)).status_code == 403
    about = RelationType.objects.get(project=project, name="about")
    assert client.post(reverse("relation-type-delete", args=[project.slug, about.pk])).status_code == 403
    assert snapshot(project) == before


def test_outsiders_learn_nothing(client, project, outsider):
    client.force_login(outsider)
    assert client.get(labels_url(project)).status_code == 404
