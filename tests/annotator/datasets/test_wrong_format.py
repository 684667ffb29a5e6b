"""A file uploaded under the wrong format is refused, naming the format it looks like,
instead of importing its texts without their annotations (and calling that a success)."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from annotator.formats import READABLE
from annotator.formats.common import FormatError, annotation_format
from articles.models import Article

TEXT = "Sergei Lavrov said Seoul is a partner."

DOCCANO = {"id": 1, "text": TEXT, "entities": [{"id": 7, "label": "Actor", "start_offset": 0, "end_offset": 13}],
           "relations": []}
DOCCANO_OLD = {"id": 2, "text": TEXT, "label": [[0, 13, "Actor"]]}
LABEL_STUDIO = {"id": 12, "data": {"text": TEXT}, "annotations": [{"id": 3, "completed_by": 1, "result": [
    {"id": "r1", "type": "labels", "from_name": "label", "to_name": "text",
     "value": {"start": 0, "end": 13, "text": "Sergei Lavrov", "labels": ["Actor"]}}]}]}
FACTMARK = {"id": "x1", "text": TEXT, "annotations": [{"annotator": "ann", "spans": [
    {"id": 1, "label": "Actor", "start": 0, "end": 13, "text": "Sergei Lavrov"}], "relations": []}]}


def jsonl(*records) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def errors(fmt: str, data: bytes) -> list[str]:
    return [str(item) for _, item in READABLE[fmt].read(io.BytesIO(data)) if isinstance(item, FormatError)]


@pytest.mark.parametrize(("data", "expected"), [
    (DOCCANO, "doccano"), (DOCCANO_OLD, "doccano"), (LABEL_STUDIO, "labelstudio"), (FACTMARK, "jsonl"),
    ({"id": 3, "text": TEXT}, None), ({"id": 4, "text": TEXT, "entities": [], "relations": []}, None),
    ({"id": 5, "text": TEXT, "label": ["positive"]}, None),
])
def test_annotation_format_tells_which_format_a_record_carries(data, expected):
    assert annotation_format(data) == expected


@pytest.mark.parametrize(("fmt", "data", "named"), [
    ("jsonl", jsonl(DOCCANO), "doccano"),
    ("jsonl", jsonl(DOCCANO_OLD), "doccano"),
    ("jsonl", jsonl(LABEL_STUDIO), "Label Studio"),
    ("doccano", jsonl(FACTMARK), "Factmark JSONL"),
    ("doccano", jsonl(LABEL_STUDIO), "Label Studio"),
    ("labelstudio", json.dumps([DOCCANO]).encode(), "doccano"),
    ("labelstudio", json.dumps(FACTMARK).encode(), "Factmark JSONL"),
    ("labelstudio", jsonl(DOCCANO, DOCCANO_OLD), "doccano"),
])
def test_readers_refuse_another_formats_annotations_and_name_it(fmt, data, named):
    found = errors(fmt, data)
    assert found, fmt
    assert any(f"looks like {named}" in error for error in found), found


@pytest.mark.parametrize(("fmt", "data"), [
    ("jsonl", jsonl(FACTMARK)),
    ("doccano", jsonl(DOCCANO, DOCCANO_OLD)),
    ("labelstudio", json.dumps([LABEL_STUDIO]).encode()),
])
def test_each_reader_still_reads_its_own_format(fmt, data):
    assert errors(fmt, data) == []


@pytest.mark.django_db
def test_import_command_refuses_doccano_read_as_factmark_jsonl(project, tmp_path):
    path = tmp_path / "doccano.jsonl"
    path.write_bytes(jsonl(DOCCANO, {**DOCCANO, "id": 2}, {**DOCCANO, "id": 3}))
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_dataset", project.slug, str(path), "--format", "jsonl", stdout=io.StringIO(), stderr=err)
    assert "line 1: this looks like doccano" in err.getvalue()
    assert not Article.objects.filter(project=project).exists()


@pytest.mark.django_db
def test_datasets_page_refuses_doccano_uploaded_as_factmark_jsonl(client, project, manager):
    client.force_login(manager)
    upload = SimpleUploadedFile("doccano.jsonl", jsonl(DOCCANO, {**DOCCANO, "id": 2}, {**DOCCANO, "id": 3}))
    response = client.post(reverse("dataset-import", args=[project.slug]),
                           {"file": upload, "format": "jsonl", "annotator": "imported"})
    body = response.content.decode()
    assert response.status_code == 422
    assert "looks like doccano" in body and "Imported" not in body
    assert not Article.objects.filter(project=project).exists()
