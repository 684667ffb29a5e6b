"""Machine output in and out of the suggestion layer: Label Studio predictions, a JSONL record's
suggestions, any file imported "as suggestions", sets a file leaves without an annotator (issue #11,
bug 8), and the JSONL export with ``--suggestions`` (without it, byte for byte as before)."""

import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from annotator.datasets import ImportRefused, export_bytes
from annotator.models import AnnotationSet, Entity, SuggestedRelation, Suggestion
from annotator.suggestions.store import suggest_articles
from tests import factories as db
from tests.annotator.datasets.helpers import TEXT, lines, run_import

pytestmark = pytest.mark.django_db


def place(needle, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(needle, start + 1)
    return start, start + len(needle)


def region(region_id, needle, label, **extra):
    start, end = place(needle)
    return {"id": region_id, "type": "labels", "from_name": "label", "to_name": "text",
            "value": {"start": start, "end": end, "text": needle, "labels": [label]}, **extra}


def suggestion(id, needle, label, **fields):
    start, end = place(needle)
    return {"id": id, "label": label, "start": start, "end": end, "text": needle} | fields


def test_label_studio_predictions_keep_model_version_scores_and_relations(project):
    tasks = [{"id": 1, "data": {"text": TEXT}, "predictions": [
        {"model_version": "quote-model-2", "score": 0.4,
         "result": [region("q", "Seoul is a partner", "Quote", score=0.9), region("s", "Sergei Lavrov", "Actor"),
                    {"type": "relation", "from_id": "q", "to_id": "s", "direction": "right", "labels": ["said_by"]}]}]}]
    report = run_import(project, json.dumps(tasks).encode(), "labelstudio", name="tasks.json")
    assert (report.sets, report.suggestions, report.suggested_relations) == (0, 2, 1)
    found = {s.text: (s.source, s.score, s.imported) for s in Suggestion.objects.all()}
    assert found == {"Seoul is a partner": ("quote-model-2", 0.9, True), "Sergei Lavrov": ("quote-model-2", 0.4, True)}
    assert SuggestedRelation.objects.get().type.name == "said_by"
    assert not AnnotationSet.objects.exists()
    assert not get_user_model().objects.filter(username="predictions").exists()


def test_a_jsonl_record_brings_its_suggestions_with_entities_by_name(project):
    Entity.objects.create(project=project, name="Sergei Lavrov")
    record = {"id": "r1", "text": TEXT, "annotations": [],
              "suggestions": [suggestion(1, "Seoul is a partner", "Quote", score=0.8, source="quotes"),
                              suggestion(2, "Sergei Lavrov", "Actor", score=0.95, source="kb",
                                         entity="Sergei Lavrov", attributes={"kind": "person"})],
              "suggested_relations": [{"type": "said_by", "source": 1, "target": 2, "score": 0.7}]}
    run_import(project, lines(record))
    actor = Suggestion.objects.get(label__name="Actor")
    assert (actor.entity.name, actor.source, actor.attributes) == ("Sergei Lavrov", "kb", {"kind": "person"})
    assert SuggestedRelation.objects.get().score == 0.7


@pytest.mark.parametrize("bad, message", [
    ({"score": 1.5}, "score must be a number from 0 to 1"),
    ({"entity": "Nobody Known"}, "is not in the project's knowledge base"),
    ({"start": 0, "end": 3, "text": "xyz"}, "text does not match"),
    ({"label": "Rumour"}, "labels not in the project's schema"),
])
def test_bad_suggestions_refuse_the_whole_file(project, bad, message):
    good = {"id": "ok", "text": TEXT + " Fine.", "suggestions": [suggestion(1, "Sergei Lavrov", "Actor")]}
    record = {"id": "r1", "text": TEXT, "suggestions": [suggestion(1, "Sergei Lavrov", "Actor") | bad]}
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(good, record))
    assert message in " ".join(refused.value.errors)
    assert not Suggestion.objects.exists() and not project.articles.exists()


def test_sets_without_an_annotator_become_suggestions_not_a_fake_user(project):
    doccano = json.dumps({"text": TEXT, "label": [[*place("Sergei Lavrov"), "Actor"]]}).encode() + b"\n"
    report = run_import(project, doccano, "doccano", name="ner.jsonl")
    assert report.sets == 0 and report.suggestions == 1
    assert "without an annotator went to the suggestion layer" in " ".join(report.notes)
    assert Suggestion.objects.get().source == "ner.jsonl"
    assert not get_user_model().objects.filter(username="imported").exists()
    assert not AnnotationSet.objects.exists()
    # Naming the annotator still makes their set.
    other = db.make_project()
    run_import(other, doccano, "doccano", default_annotator="ann")
    assert AnnotationSet.objects.get(article__project=other).user.username == "ann"


def test_import_dataset_as_suggestions_with_a_source(project, tmp_path: Path):
    path = tmp_path / "corpus.jsonl"
    record = {"id": "r1", "text": TEXT, "annotations": [
        {"annotator": "ann", "spans": [suggestion(1, "Sergei Lavrov", "Actor")]},
        {"gold": True, "spans": [suggestion(1, "Kim In Chol", "Actor")]}]}
    path.write_bytes(lines(record))
    out = io.StringIO()
    call_command("import_dataset", project.slug, str(path), "--format", "jsonl", "--as-suggestions",
                 "--source", "old-model", stdout=out, stderr=io.StringIO())
    assert "2 suggestion(s)" in out.getvalue()
    assert sorted(Suggestion.objects.values_list("text", "source", "score")) == [
        ("Kim In Chol", "old-model", 1.0), ("Sergei Lavrov", "old-model", 1.0)]
    assert not AnnotationSet.objects.exists()
    # Imported again, the source's suggestions are replaced, not doubled.
    call_command("import_dataset", project.slug, str(path), "--format", "jsonl", "--as-suggestions",
                 "--source", "old-model", stdout=io.StringIO(), stderr=io.StringIO())
    assert Suggestion.objects.count() == 2


def test_the_datasets_page_imports_as_suggestions(client, manager, project):
    client.force_login(manager)
    data = lines({"id": "r1", "text": TEXT, "annotations": [{"annotator": "ann", "spans": [
        suggestion(1, "Sergei Lavrov", "Actor")]}]})
    response = client.post(reverse("dataset-import", args=[project.slug]),
                           {"file": SimpleUploadedFile("m.jsonl", data), "format": "jsonl", "as_suggestions": "on",
                            "source": "ner-v3"}, follow=True)
    assert response.status_code == 200
    assert Suggestion.objects.get().source == "ner-v3"
    assert not AnnotationSet.objects.exists()


def _jsonl(project, **filters) -> bytes:
    return b"".join(export_bytes(project, "jsonl", user=None, **filters))


def test_export_is_unchanged_without_the_flag_and_carries_the_layer_with_it(project, annotator):
    article = db.make_article(project)
    Entity.objects.create(project=project, name="Jong Ui Young")
    db.annotate(article, annotator, ("Actor", "Sergei Lavrov"))
    before = _jsonl(project)
    suggest_articles(project)
    assert Suggestion.objects.exists()
    assert _jsonl(project) == before  # byte for byte
    record = json.loads(_jsonl(project, suggestions=True))
    keys = list(record)
    assert keys[-2:] == ["suggestions", "suggested_relations"]
    first = record["suggestions"][0]
    assert list(first) == ["id", "label", "start", "end", "text", "score", "source", "entity", "attributes"]
    named = [s for s in record["suggestions"] if s["entity"]]
    assert named and named[0]["entity"] == "Jong Ui Young"
    ids = {s["id"] for s in record["suggestions"]}
    assert record["suggested_relations"] and all(
        list(r) == ["type", "source", "target", "score"] and {r["source"], r["target"]} <= ids
        for r in record["suggested_relations"])
    # The slow writer writes the same bytes as the fast one.
    from annotator.datasets import export_records
    from annotator.formats import jsonl
    assert b"".join(jsonl.write(export_records(project, user=None, suggestions=True))) == _jsonl(
        project, suggestions=True)


def test_an_export_with_suggestions_imports_back_into_the_layer(project, annotator):
    db.make_article(project)
    Entity.objects.create(project=project, name="Jong Ui Young")
    suggest_articles(project)
    data = _jsonl(project, suggestions=True)
    copy = db.make_project()
    Entity.objects.create(project=copy, name="Jong Ui Young")
    run_import(copy, data)
    mine = sorted(Suggestion.objects.filter(article__project=project).values_list("text", "score", "source"))
    theirs = sorted(Suggestion.objects.filter(article__project=copy).values_list("text", "score", "source"))
    assert mine == theirs
    assert SuggestedRelation.objects.filter(article__project=copy).count() == SuggestedRelation.objects.filter(
        article__project=project).count()


def test_export_dataset_command_flag(project, tmp_path):
    db.make_article(project)
    suggest_articles(project)
    out = tmp_path / "out.jsonl"
    call_command("export_dataset", project.slug, "--format", "jsonl", "--suggestions", "-o", str(out),
                 stderr=io.StringIO())
    assert "suggestions" in json.loads(out.read_bytes())
    with pytest.raises(CommandError, match="Only the jsonl format"):
        call_command("export_dataset", project.slug, "--format", "csv", "--suggestions", stderr=io.StringIO())
