"""Annotation sets checked against the schema (:mod:`annotator.datasets.check_annotations`): labels
and relation types outside it, attribute values, set owners and statuses, overlapping spans."""

import json

import pytest

from annotator.datasets import ImportRefused
from annotator.formats.common import make_record, make_relation, make_set
from annotator.models import AnnotationSet, Label, SetStatus, Suggestion
from articles.models import Article
from tests import factories as db
from tests.annotator.datasets.helpers import TEXT, lines, run_import, simple_record, span

pytestmark = pytest.mark.django_db


def test_labels_and_relation_types_outside_the_schema_are_refused_with_a_list(project):
    record = simple_record(spans=[span("Seoul", "Place", id=1), span("United States", "Place", id=2),
                                  span("criticized", "Stance", id=3), span("Kim In Chol", "Actor", id=4)],
                           relations=[make_relation("located_in", 4, 2)])
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record))
    message = " ".join(refused.value.errors)
    assert "labels not in the project's schema: Place (2 spans, first at line 1), Stance (1 span" in message
    assert "relation types not in the project's schema: located_in (1 relation" in message
    assert "add missing labels" in message
    assert not project.labels.filter(name__in=["Place", "Stance"]).exists()
    assert not Article.objects.filter(project=project).exists()


def test_labels_are_global_to_the_schema_not_the_file(project):
    """A label of another project is not a label of this one."""
    other = db.make_project()
    Label.objects.create(project=other, name="Rumour")
    with pytest.raises(ImportRefused, match="Rumour"):
        run_import(project, lines(simple_record(spans=[span("Seoul", "Rumour", id=1)])))


def test_a_relation_type_must_fit_its_labels(project):
    record = simple_record(spans=[span("Sergei Lavrov", "Actor", id=1), span("Seoul is a partner", "Claim", id=2)],
                           relations=[make_relation("said_by", 2, 1)])
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record))
    assert refused.value.errors == ["corpus.jsonl, line 1: relation said_by 2→1: said_by links Quote to Actor "
                                    "spans, not Claim to Actor"]


def test_attribute_values_are_checked_against_the_label(project):
    record = simple_record(spans=[span("Seoul is a partner", "Claim", id=1, attributes={"verdict": "maybe"}),
                                  span("Sergei Lavrov", "Actor", id=2, attributes={"mood": "calm"})])
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record))
    errors = refused.value.errors
    assert errors[0].startswith("corpus.jsonl, line 1: span 1: “maybe” is not a verdict of Claim; choose one of true,")
    assert errors[1] == "corpus.jsonl, line 1: span 2: Actor has no attribute “mood”."


def test_sets_without_an_annotator_go_to_the_default_name(project):
    record = simple_record(annotator=None)
    run_import(project, lines(record), default_annotator="desk-import")
    assert AnnotationSet.objects.get(article__project=project).user.username == "desk-import"


def test_gold_sets_become_the_gold_set_and_are_done(project):
    record = make_record(id="r1", text=TEXT, annotations=[
        make_set(annotator="ann", spans=[span("Seoul", "Actor", id=1)]),
        make_set(annotator=None, gold=True, status="submitted", spans=[span("Seoul", "Actor", id=1)])])
    run_import(project, lines(record))
    gold = AnnotationSet.objects.get(article__project=project, is_gold=True)
    assert gold.user is None and gold.status == SetStatus.DONE and gold.spans.count() == 1


def test_label_studio_predictions_go_to_the_suggestion_layer_not_a_set(project, annotator):
    text = "Sergei Lavrov met Jong Ui Young in Moscow."

    def region(region_id, needle, label):
        start = text.index(needle)
        return {"id": region_id, "type": "labels", "from_name": "label", "to_name": "text",
                "value": {"start": start, "end": start + len(needle), "text": needle, "labels": [label]}}

    tasks = [{"id": 7, "data": {"text": text},
              "annotations": [{"id": 1, "created_username": "ann, 4",
                               "result": [region("a", "Sergei Lavrov", "Actor")]}],
              "predictions": [{"id": 2, "model_version": "ner", "result": [region("p", "Jong Ui Young", "Actor"),
                                                                             region("q", "Moscow", "Actor")]}]}]
    run_import(project, json.dumps(tasks).encode(), "labelstudio", name="tasks.json")

    sets = {s.user.username: s for s in AnnotationSet.objects.filter(article__project=project)}
    assert set(sets) == {"ann"}  # machines propose, people decide: no set poses as a person
    assert list(sets["ann"].spans.values_list("text", flat=True)) == ["Sergei Lavrov"]
    suggestions = Suggestion.objects.filter(article__project=project).order_by("start")
    assert [(s.text, s.source, s.imported) for s in suggestions] == [("Jong Ui Young", "ner", True),
                                                                     ("Moscow", "ner", True)]


def test_overlapping_spans_are_refused_when_the_project_forbids_them(project):
    project.allow_overlap = False
    project.save()
    record = simple_record(spans=[span("Sergei Lavrov", "Actor", id=1), span("Lavrov said", "Quote", id=2)])
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record))
    assert refused.value.errors == ["corpus.jsonl, line 1: span 2 overlaps span 1; this project does not allow "
                                    "overlapping spans"]
