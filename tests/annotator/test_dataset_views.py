"""The Datasets page: downloads (headers, roles, CSV safety) and uploads (managers only,
every problem shown, size limit, htmx fragment)."""

import csv
import importlib.util
import io
import json
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotator.models import AnnotationSet, SetStatus, Span
from articles.models import Article
from tests import factories as db

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
TEXT = "Sergei Lavrov said Seoul is a partner. =cmd|' /C calc'!A0 is what the minister claimed."


@pytest.fixture
def corpus(project, annotator, other_annotator):
    article = db.make_article(project, TEXT, external_id="a1", title="Talks")
    mine = db.make_set(article, annotator, status=SetStatus.SUBMITTED)
    db.make_span(mine, "Actor", "Sergei Lavrov")
    db.make_span(mine, "Claim", "=cmd|' /C calc'!A0", attributes={"verdict": "false"})
    theirs = db.make_set(article, other_annotator)
    db.make_span(theirs, "Quote", "Seoul is a partner")
    return article


def page_url(project):
    return reverse("datasets", args=[project.slug])


def download(client, project, **params):
    return client.get(reverse("dataset-export", args=[project.slug]), {"format": "jsonl", "sets": "all"} | params)


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def upload(client, project, name, data: bytes, fmt="jsonl", *, headers=None, follow=False, **fields):
    form = {"file": SimpleUploadedFile(name, data), "format": fmt, "annotator": "imported"} | fields
    return client.post(reverse("dataset-import", args=[project.slug]), form, follow=follow, **(headers or {}))


def record_line(record_id, text, spans=(), annotator="ann"):
    record = {"id": record_id, "text": text,
              "annotations": [{"annotator": annotator, "spans": list(spans), "relations": []}]}
    return json.dumps(record, ensure_ascii=False).encode() + b"\n"


# --------------------------------------------------------------------------- page and access


def test_project_page_links_to_datasets(client, annotator, project):
    client.force_login(annotator)
    body = client.get(project.get_absolute_url()).content.decode()
    assert f'href="{page_url(project)}"' in body


def test_annotators_see_the_export_form_and_no_import_form(client, annotator, project):
    client.force_login(annotator)
    body = client.get(page_url(project)).content.decode()
    assert "My sets" in body and 'name="format"' in body
    assert 'name="file"' not in body


def test_managers_see_the_upload_form_with_its_limit_and_progress_bar(client, manager, project, settings):
    settings.FACTMARK_MAX_IMPORT_BYTES = 3 * 1024 * 1024
    client.force_login(manager)
    body = client.get(page_url(project)).content.decode()
    assert 'name="file"' in body and 'hx-encoding="multipart/form-data"' in body
    assert 'data-max-bytes="3145728"' in body and "at most 3.0 MB" in body
    assert '<progress id="import-progress"' in body and "factmark/datasets.js" in body
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)  # no inline script: the CSP will forbid it


def count_page_queries(client, project) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page_url(project)).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_however_big_the_project(client, manager, project):
    client.force_login(manager)
    count_page_queries(client, project)  # session and caches warmed
    before = count_page_queries(client, project)
    for number in range(30):
        db.make_article(project, f"Article number {number}.", external_id=f"n{number}")
        db.make_user(f"member{number}").memberships.create(project=project)
    assert count_page_queries(client, project) == before


@pytest.mark.parametrize("name", ["datasets", "dataset-export", "dataset-import"])
def test_outsiders_learn_nothing(client, outsider, project, name):
    client.force_login(outsider)
    url = reverse(name, args=[project.slug])
    response = client.post(url) if name == "dataset-import" else client.get(url, {"format": "jsonl"})
    assert response.status_code == 404


# --------------------------------------------------------------------------- export


def test_download_is_an_attachment_with_a_dated_name_fixed_type_and_nosniff(client, reviewer, project, corpus):
    client.force_login(reviewer)
    response = download(client, project)
    assert response.status_code == 200 and response.streaming
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="news-jsonl-{today}.jsonl"'
    assert response["Content-Type"] == "application/x-ndjson"
    assert response["X-Content-Type-Options"] == "nosniff"
    (line,) = content(response).decode().splitlines()
    assert [s["annotator"] for s in json.loads(line)["annotations"]] == ["ann", "ann2"]


@pytest.mark.parametrize(("fmt", "content_type", "extension"), [
    ("doccano", "application/x-ndjson", "jsonl"), ("labelstudio", "application/json", "json"),
    ("brat", "application/zip", "zip"), ("conll", "text/plain; charset=utf-8", "conll"),
    ("csv", "text/csv; charset=utf-8", "csv"), ("claimreview", "application/ld+json", "jsonld")])
def test_every_format_downloads_with_its_own_type(client, reviewer, project, corpus, fmt, content_type, extension):
    client.force_login(reviewer)
    response = download(client, project, format=fmt)
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].endswith(f'.{extension}"')
    assert content(response)


def test_csv_cells_that_look_like_formulas_are_neutralised(client, reviewer, project, corpus):
    client.force_login(reviewer)
    response = download(client, project, format="csv", table="claims")
    rows = list(csv.reader(io.StringIO(content(response).decode("utf-8"))))
    assert rows[0][:7] == ["article_id", "article_title", "annotator", "span_id", "start", "end", "text"]
    assert [row[6] for row in rows[1:]] == ["'=cmd|' /C calc'!A0"]
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_annotators_download_only_their_own_sets(client, annotator, project, corpus):
    client.force_login(annotator)
    (line,) = content(download(client, project)).decode().splitlines()
    assert [s["annotator"] for s in json.loads(line)["annotations"]] == ["ann"]
    spans = content(download(client, project, format="csv", table="spans")).decode()
    assert "Sergei Lavrov" in spans and "Seoul is a partner" not in spans


@pytest.mark.parametrize("sets", ["gold", "ann2"])
def test_annotators_cannot_ask_for_other_sets(client, annotator, project, corpus, sets):
    client.force_login(annotator)
    response = download(client, project, sets=sets)
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()


def test_labels_filter_reaches_the_file(client, reviewer, project, corpus):
    client.force_login(reviewer)
    (line,) = content(download(client, project, labels=["Actor"])).decode().splitlines()
    labels = {s["label"] for annotation_set in json.loads(line)["annotations"] for s in annotation_set["spans"]}
    assert labels == {"Actor"}


@pytest.mark.skipif(importlib.util.find_spec("spacy") is not None, reason="spaCy is installed")
def test_spacy_without_spacy_installed_says_so(client, reviewer, project, corpus):
    client.force_login(reviewer)
    response = download(client, project, format="spacy")
    assert response.status_code == 422
    assert "pip install .[spacy]" in response.content.decode()


# --------------------------------------------------------------------------- import


def test_annotators_cannot_import(client, annotator, project):
    client.force_login(annotator)
    response = upload(client, project, "a.jsonl", record_line("x", "Some text."))
    assert response.status_code == 403
    assert "Only managers can import datasets" in response.content.decode()
    assert not Article.objects.filter(project=project).exists()


def test_a_good_file_is_imported_and_summarised_in_the_fragment(client, manager, project):
    client.force_login(manager)
    data = record_line("x1", "Sergei Lavrov spoke.", [{"id": 1, "label": "Actor", "start": 0, "end": 13,
                                                       "text": "Sergei Lavrov"}])
    response = upload(client, project, "corpus.jsonl", data, headers=HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="import-result"') and "<html" not in body
    assert "Imported 1 new article(s)" in body and "1 span(s)" in body
    assert "New inactive users (they cannot log in): ann" not in body  # ann exists
    assert Span.objects.filter(annotation_set__article__project=project).count() == 1


def test_every_problem_is_shown_and_nothing_saved(client, manager, project):
    client.force_login(manager)
    data = (record_line("x1", "Lavrov spoke.", [{"id": 1, "label": "Actor", "start": 0, "end": 6,
                                                  "text": "Sergei"}])
            + b"[1, 2]\n"
            + record_line("x3", "Moscow.", [{"id": 1, "label": "Place", "start": 0, "end": 6, "text": "Moscow"}]))
    response = upload(client, project, "bad.jsonl", data, headers=HX)
    assert response.status_code == 422
    body = response.content.decode()
    assert "Nothing was imported: 3 problems." in body
    assert "bad.jsonl, line 1: span 1: text does not match" in body
    assert "bad.jsonl, line 2: expected a JSON object, found list" in body
    assert "Place (1 span, first at line 3)" in body
    assert not Article.objects.filter(project=project).exists()


def test_without_htmx_the_whole_page_comes_back(client, manager, project):
    client.force_login(manager)
    response = upload(client, project, "bad.jsonl", b"{oops\n")
    assert response.status_code == 422
    body = response.content.decode()
    assert "<html" in body and "bad.jsonl, line 1: not valid JSON" in body


def test_without_htmx_a_good_upload_redirects_with_its_summary(client, manager, project):
    client.force_login(manager)
    response = upload(client, project, "corpus.jsonl", record_line("x1", "Sergei Lavrov spoke."), follow=True)
    assert response.redirect_chain == [(page_url(project), 302)]
    assert "Imported 1 new article(s)" in response.content.decode()


def test_add_missing_labels_checkbox(client, manager, project):
    client.force_login(manager)
    data = record_line("x3", "Moscow.", [{"id": 1, "label": "Place", "start": 0, "end": 6, "text": "Moscow"}])
    response = upload(client, project, "places.jsonl", data, add_labels="on", headers=HX)
    assert response.status_code == 200
    assert "New labels: Place." in response.content.decode()
    assert project.labels.filter(name="Place").exists()


def test_files_over_the_limit_are_refused_with_a_clear_message(client, manager, project, settings):
    settings.FACTMARK_MAX_IMPORT_BYTES = 1024 * 1024
    client.force_login(manager)
    response = upload(client, project, "big.jsonl", b" " * (1024 * 1024 + 1), headers=HX)
    assert response.status_code == 422
    assert "The file is 1.0 MB; the limit is 1.0 MB" in response.content.decode()


def test_much_larger_uploads_are_refused_before_they_are_read(client, manager, project, settings):
    settings.FACTMARK_MAX_IMPORT_BYTES = 1024 * 1024
    client.force_login(manager)
    response = upload(client, project, "huge.jsonl", b" " * (2 * 1024 * 1024), headers=HX)
    assert response.status_code == 422
    assert "The upload is larger than the limit of 1.0 MB" in response.content.decode()


def test_zip_slip_entries_are_refused(client, manager, project):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../etc/evil.txt", "owned")
        archive.writestr("/abs/path.ann", "")
        archive.writestr("doc.txt", "Sergei Lavrov spoke.")
    client.force_login(manager)
    response = upload(client, project, "corpus.zip", buffer.getvalue(), fmt="brat", headers=HX)
    assert response.status_code == 422
    body = response.content.decode()
    assert "corpus.zip, ../../etc/evil.txt: unsafe path in zip" in body
    assert "corpus.zip, /abs/path.ann: unsafe path in zip" in body
    assert not Article.objects.filter(project=project).exists()


def test_the_importer_is_recorded_in_the_event_log(client, manager, project):
    client.force_login(manager)
    upload(client, project, "corpus.jsonl", record_line("x1", "Sergei Lavrov spoke."), headers=HX)
    annotation_set = AnnotationSet.objects.get(article__project=project)
    assert annotation_set.events.get().user == manager
