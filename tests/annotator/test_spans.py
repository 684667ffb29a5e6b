"""Writes to spans, relations and sets: every change checked, in one transaction, logged."""

import pytest

from annotator.entities import entity_create
from annotator.errors import Conflict, ServiceError
from annotator.models import Entity, Event, Relation, RelationType, SetStatus, Span
from annotator.sets import set_reopen, set_submit
from annotator.spans import relation_create, span_create, span_delete, span_link_entity, span_restore, span_update
from tests.factories import label, make_article, make_entity, make_project, make_set, make_span

pytestmark = pytest.mark.django_db


@pytest.fixture
def annotation_set(article, annotator):
    return make_set(article, annotator)


def create(annotation_set, label_name, needle, **kwargs):
    text = annotation_set.article.text
    start = text.index(needle)
    return span_create(
        annotation_set=annotation_set,
        label=label(annotation_set.article.project, label_name),
        start=kwargs.pop("start", start),
        end=kwargs.pop("end", start + len(needle)),
        text=kwargs.pop("text", needle),
        user=annotation_set.user,
        **kwargs,
    )


def test_create_stores_span_logs_event_and_starts_set(annotation_set, annotator):
    span, created = create(annotation_set, "Actor", "Sergei Lavrov")
    assert created and span.text == "Sergei Lavrov"
    event = Event.objects.get()
    assert (event.user, event.action, event.object_id, event.data["label"]) == (annotator, "create", span.pk, "Actor")
    annotation_set.refresh_from_db()
    assert annotation_set.status == SetStatus.IN_PROGRESS


def test_double_submit_makes_one_span(annotation_set):
    first, created = create(annotation_set, "Actor", "Sergei Lavrov")
    second, created_again = create(annotation_set, "Actor", "Sergei Lavrov")
    assert created and not created_again and first == second
    assert Span.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "end", "text", "message"),
    [
        (-1, 5, "x", "lies outside the article"),
        (0, 10_000, "x", "lies outside the article"),
        (5, 5, "", "is empty or inverted"),
        (9, 4, "x", "is empty or inverted"),
        (0, 5, "Korea", r"does not match the article at 0–5 \(“South”\)"),
    ],
)
def test_bad_places_are_refused_and_nothing_changes(annotation_set, start, end, text, message):
    with pytest.raises(ServiceError, match=message):
        span_create(annotation_set=annotation_set, label=label(annotation_set.article.project, "Actor"),
                             start=start, end=end, text=text, user=annotation_set.user)
    assert not Span.objects.exists() and not Event.objects.exists()


def test_label_of_another_project_is_refused(annotation_set):
    other = make_project(slug="other")
    with pytest.raises(ServiceError, match="belongs to another project"):
        span_create(annotation_set=annotation_set, label=label(other, "Actor"), start=0, end=5,
                             text="South", user=annotation_set.user)
    assert not Span.objects.exists()


def test_overlap_refused_when_project_forbids_it(project, annotation_set):
    project.allow_overlap = False
    project.save()
    create(annotation_set, "Actor", "Sergei Lavrov")
    with pytest.raises(ServiceError, match="does not allow overlapping spans"):
        create(annotation_set, "Claim", "counterpart Sergei")
    assert Span.objects.count() == 1


def test_submitted_set_refuses_changes(annotation_set):
    span, _ = create(annotation_set, "Actor", "Sergei Lavrov")
    set_submit(annotation_set=annotation_set, user=annotation_set.user)
    with pytest.raises(ServiceError, match="submitted; reopen it"):
        create(annotation_set, "Actor", "Jong Ui Young")
    with pytest.raises(ServiceError):
        span_delete(span=span, user=annotation_set.user)
    set_reopen(annotation_set=annotation_set, user=annotation_set.user)
    create(annotation_set, "Actor", "Jong Ui Young")
    assert annotation_set.spans.count() == 2
    assert list(Event.objects.filter(object_type="annotationset").values_list("action", flat=True)) == [
        "reopen", "submit"]


def test_update_attributes_and_stale_version_conflict(annotation_set):
    span, _ = create(annotation_set, "Claim", "completed his visit to Moscow")
    updated = span_update(span=span, user=annotation_set.user, version=1,
                                   attributes={"verdict": "false", "checkworthy": "true"})
    assert updated.attributes == {"verdict": "false", "checkworthy": True} and updated.version == 2
    with pytest.raises(Conflict):
        span_update(span=span, user=annotation_set.user, version=1, note="from an old tab")
    span.refresh_from_db()
    assert span.note == "" and span.attributes["verdict"] == "false"
    assert Event.objects.filter(action="update").count() == 1


def test_unknown_attribute_values_are_refused(annotation_set):
    span, _ = create(annotation_set, "Claim", "completed his visit to Moscow")
    with pytest.raises(ServiceError, match="“maybe” is not a verdict of Claim"):
        span_update(span=span, user=annotation_set.user, version=1, attributes={"verdict": "maybe"})
    with pytest.raises(ServiceError, match="Claim has no attribute “colour”"):
        span_update(span=span, user=annotation_set.user, version=1, attributes={"colour": "red"})


def test_relabel_keeps_shared_attributes_and_drops_others(annotation_set):
    span, _ = create(annotation_set, "Actor", "Sergei Lavrov", attributes={"kind": "person"})
    span = span_update(span=span, user=annotation_set.user, version=1,
                                label=label(annotation_set.article.project, "Claim"))
    assert span.label.name == "Claim" and span.attributes == {}


def test_delete_and_undo_restores_span_and_relations(annotation_set):
    quote, _ = create(annotation_set, "Quote", "Russia and the Republic of Korea are strategic partners")
    actor, _ = create(annotation_set, "Actor", "Jong Ui Young")
    said_by = RelationType.objects.get(project=annotation_set.article.project, name="said_by")
    relation_create(annotation_set=annotation_set, type=said_by, source=quote, target=actor,
                             user=annotation_set.user)
    event = span_delete(span=actor, user=annotation_set.user)
    assert not Relation.objects.exists() and annotation_set.spans.count() == 1
    restored = span_restore(event=event, user=annotation_set.user)
    assert (restored.start, restored.end, restored.label.name) == (actor.start, actor.end, "Actor")
    relation = Relation.objects.get()
    assert (relation.source, relation.target) == (quote, restored)
    with pytest.raises(ServiceError, match="already restored"):
        span_restore(event=event, user=annotation_set.user)


def test_relation_must_fit_its_labels(annotation_set):
    quote, _ = create(annotation_set, "Quote", "Russia and the Republic of Korea are strategic partners")
    claim, _ = create(annotation_set, "Claim", "completed his visit to Moscow")
    said_by = RelationType.objects.get(project=annotation_set.article.project, name="said_by")
    with pytest.raises(ServiceError, match="links a Quote to a Actor, not a Quote to a Claim"):
        relation_create(annotation_set=annotation_set, type=said_by, source=quote, target=claim,
                                 user=annotation_set.user)
    assert not Relation.objects.exists()


def test_relation_across_sets_is_refused(article, annotation_set, other_annotator):
    quote, _ = create(annotation_set, "Quote", "Russia and the Republic of Korea are strategic partners")
    foreign = make_span(make_set(article, other_annotator), "Actor", "Jong Ui Young")
    said_by = RelationType.objects.get(project=article.project, name="said_by")
    with pytest.raises(ServiceError, match="Both spans must be in this annotation set"):
        relation_create(annotation_set=annotation_set, type=said_by, source=quote, target=foreign,
                                 user=annotation_set.user)


def test_linking_a_variant_spelling_adds_an_alias_when_confirmed(project, annotator):
    article = make_article(project, "Jong Ui Young met Lavrov. Later Jung Ui Young left.")
    annotation_set = make_set(article, annotator)
    entity = make_entity(project, "Jong Ui Young", aliases=[])
    first, _ = create(annotation_set, "Actor", "Jong Ui Young")
    variant, _ = create(annotation_set, "Actor", "Jung Ui Young")
    span_link_entity(span=first, entity=entity, user=annotator, version=1, add_alias=True)
    span_link_entity(span=variant, entity=entity, user=annotator, version=1, add_alias=True)
    entity.refresh_from_db()
    assert entity.aliases == ["Jung Ui Young"]
    assert set(entity.spans.values_list("text", flat=True)) == {"Jong Ui Young", "Jung Ui Young"}


def test_a_descriptive_mention_links_without_becoming_an_alias(project, annotator):
    """Bug 5: "the South Korean minister" is a mention of Jong Ui Young, not a name."""
    article = make_article(project, "Jong Ui Young met Lavrov. Later the South Korean minister left.")
    annotation_set = make_set(article, annotator)
    entity = make_entity(project, "Jong Ui Young", aliases=[])
    mention, _ = create(annotation_set, "Actor", "the South Korean minister")
    span_link_entity(span=mention, entity=entity, user=annotator, version=1)
    entity.refresh_from_db()
    assert entity.aliases == []
    mention.refresh_from_db()
    assert mention.entity == entity


@pytest.mark.parametrize("mention, variant", [
    ("Jung Ui Young", True), ("Lavrov", False), ("Sergei Lavrov", False), ("Jong", True),
    ("the South Korean minister", False), ("South Korean Minister Jong", True), ("minister", False),
])
def test_what_looks_like_a_name_variant(project, mention, variant):
    from annotator.spans import looks_like_name_variant

    entity = make_entity(project, "Jong Ui Young", aliases=["Chung Eui-yong"])
    assert looks_like_name_variant(mention, entity) is variant


def test_linking_gives_the_actor_its_entitys_kind(project, annotator):
    """One kind per actor: the span's own kind attribute follows its entity."""
    article = make_article(project, "Jong Ui Young met Lavrov.")
    span, _ = create(make_set(article, annotator), "Actor", "Lavrov", attributes={"kind": "person"})
    ministry = make_entity(project, "Ministry", kind="organisation")
    span = span_link_entity(span=span, entity=ministry, user=annotator, version=1)
    assert span.attributes == {"kind": "organisation"}


def test_only_actor_spans_link_to_entities(project, annotation_set):
    claim, _ = create(annotation_set, "Claim", "completed his visit to Moscow")
    entity = make_entity(project, "Moscow")
    with pytest.raises(ServiceError, match="Claim spans do not link to entities"):
        span_link_entity(span=claim, entity=entity, user=annotation_set.user, version=1)


def test_entity_names_are_unique_and_trimmed(project, annotator):
    entity_create(project=project, name="  Sergei   Lavrov ", user=annotator)
    assert Entity.objects.get().name == "Sergei Lavrov"
    with pytest.raises(ServiceError, match="already an entity called “Sergei Lavrov”"):
        entity_create(project=project, name="Sergei Lavrov", user=annotator)


def test_undo_is_all_or_nothing(annotation_set, monkeypatch):
    """If bringing back a relation fails, the span does not come back alone."""
    quote, _ = create(annotation_set, "Quote", "Russia and the Republic of Korea are strategic partners")
    actor, _ = create(annotation_set, "Actor", "Jong Ui Young")
    said_by = RelationType.objects.get(project=annotation_set.article.project, name="said_by")
    relation_create(annotation_set=annotation_set, type=said_by, source=quote, target=actor, user=annotation_set.user)
    event = span_delete(span=actor, user=annotation_set.user)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Relation.objects, "get_or_create", broken)
    with pytest.raises(RuntimeError):
        span_restore(event=event, user=annotation_set.user)
    assert list(annotation_set.spans.values_list("text", flat=True)) == [quote.text]
    event.refresh_from_db()
    assert "restored" not in event.data
