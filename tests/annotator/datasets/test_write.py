"""The writing pass (:mod:`annotator.datasets.write`): articles, sets, spans, relations, entities and
events saved; new labels, relation types and users; existing articles and entities reused."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from annotator.formats.common import make_entity, make_record, make_relation, make_set
from annotator.models import AnnotationSet, Entity, Event, Relation, RelationType, SetStatus, Span
from articles.models import Article
from tests import factories as db
from tests.annotator.datasets.helpers import TEXT, lines, run_import, simple_record, span
from tests.annotator.formats.samples import seed_record

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_import_saves_articles_sets_spans_relations_entities_and_events(project, manager):
    record = seed_record()
    report = run_import(project, lines(record), user=manager, name="seed.jsonl")

    article = Article.objects.get(project=project, external_id="seed-000")
    assert (article.title, article.source, article.published, article.url) == (
        "Seoul counts on Moscow", "Kommersant", dt.date(2021, 10, 28), "https://example.org/korea")
    annotation_set = AnnotationSet.objects.get(article=article)
    assert annotation_set.user.username == "annotator1" and annotation_set.status == SetStatus.SUBMITTED
    spans = {s.text: s for s in Span.objects.filter(annotation_set=annotation_set).select_related("label", "entity")}
    assert sorted((s.label.name, s.start, s.end) for s in spans.values()) == sorted(
        (s["label"], s["start"], s["end"]) for s in record["annotations"][0]["spans"])
    assert spans["Sergei Lavrov"].entity.wikidata_id == "Q1234"
    assert spans["Kim In Chul"].entity == spans["Kim In Chol"].entity
    assert spans["Kim In Chul"].note == "Same person as Kim In Chol."
    claim = next(s for s in spans.values() if s.label.name == "Claim")
    assert claim.attributes == {"verdict": "mostly-true", "checkworthy": True}
    assert sorted(Relation.objects.filter(annotation_set=annotation_set).values_list("type__name", flat=True)) == [
        "claimed_by", "cue", "said_by"]
    assert set(Entity.objects.filter(project=project).values_list("name", flat=True)) == {"Sergei Lavrov",
                                                                                       "Kim In Chol"}
    events = Event.objects.filter(project=project, action=Event.Action.IMPORT)
    assert sorted(events.values_list("object_type", flat=True)) == ["annotationset", "article"]
    assert all(event.user == manager and event.data["source"] == "seed.jsonl" for event in events)
    assert (report.articles_created, report.sets, report.spans, report.relations) == (1, 1, 6, 3)


def test_add_labels_creates_labels_with_fresh_colours_inferred_attributes_and_relation_types(project):
    record = simple_record(spans=[span("Seoul", "Place", id=1, attributes={"scale": "city", "capital": True}),
                                  span("United States", "Place", id=2, attributes={"scale": "country"}),
                                  span("Kim In Chol", "Actor", id=3)],
                           relations=[make_relation("located_in", 3, 2)])
    colours_before = set(project.labels.values_list("colour", flat=True))

    report = run_import(project, lines(record), add_labels=True)

    place = project.labels.get(name="Place")
    assert place.key == "" and place.colour not in colours_before
    assert place.attributes == [{"name": "scale", "type": "choice", "choices": ["city", "country"]},
                                {"name": "capital", "type": "bool"}]
    located_in = RelationType.objects.get(project=project, name="located_in")
    assert (located_in.source_label.name, located_in.target_label.name) == ("Actor", "Place")
    assert report.labels_created == ["Place"] and report.relation_types_created == ["located_in"]
    assert Span.objects.filter(label=place, attributes={"scale": "city", "capital": True}).exists()


def test_unknown_annotators_become_inactive_users_who_cannot_log_in(project, annotator):
    record = make_record(id="r1", text=TEXT, annotations=[
        make_set(annotator="ann", spans=[span("Seoul", "Actor", id=1)]),
        make_set(annotator="newcomer", spans=[span("Seoul", "Actor", id=1)])])
    report = run_import(project, lines(record))

    newcomer = User.objects.get(username="newcomer")
    assert not newcomer.is_active and not newcomer.has_usable_password()
    assert AnnotationSet.objects.filter(user=annotator, article__project=project).count() == 1
    assert report.users_created == ["newcomer"]
    assert any("newcomer" in note and "ann," not in note for note in report.notes)


def test_existing_article_with_the_same_id_and_text_receives_the_sets(project, annotator):
    article = db.make_article(project, TEXT, external_id="r1")
    empty = db.make_set(article, annotator)  # opened in the workspace, never annotated
    report = run_import(project, lines(simple_record("r1", annotator="ann")))
    assert Article.objects.filter(project=project).count() == 1
    assert AnnotationSet.objects.get(article=article, user=annotator).pk == empty.pk
    assert empty.spans.count() == 2
    assert (report.articles_created, report.articles_annotated) == (0, 1)


def test_entities_are_matched_by_name_and_their_aliases_merged(project):
    lavrov = db.make_entity(project, "Sergei Lavrov", aliases=["Lavrov"])
    record = simple_record(spans=[span("Sergei Lavrov", "Actor", id=1, entity=5),
                                  span("Kim In Chol", "Actor", id=2, entity=6)])
    record["entities"] = [make_entity(id=5, name="Sergei Lavrov", kind="person", aliases=["S. Lavrov", "Lavrov"],
                                      wikidata="Q1234"),
                          make_entity(id=6, name="Kim  In Chol", kind="person")]
    report = run_import(project, lines(record))

    lavrov.refresh_from_db()
    assert (lavrov.aliases, lavrov.wikidata_id) == (["Lavrov", "S. Lavrov"], "Q1234")
    assert Span.objects.get(text="Sergei Lavrov").entity == lavrov
    assert Span.objects.get(text="Kim In Chol").entity.name == "Kim In Chol"
    assert report.entities_created == 1
