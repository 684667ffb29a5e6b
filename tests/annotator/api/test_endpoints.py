"""What the API's endpoints do: the same rules as the pages, through the same services."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from annotator.models import AnnotationSet, SetStatus, Span
from articles.models import Article
from tests.factories import annotate, make_article, make_set, make_span

pytestmark = pytest.mark.django_db


def streamed(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# ---------------------------------------------------------------- reads


def test_projects_list_my_role(api_as, project, annotator, reviewer):
    assert api_as(annotator).get("/api/v1/projects").json() == [
        {"slug": "news", "name": "Newsroom", "role": "annotator", "description": "", "articles": 0}]
    assert api_as(reviewer).get("/api/v1/projects").json()[0]["role"] == "reviewer"


def test_project_settings_labels_and_relation_types(api_as, project, annotator):
    api = api_as(annotator)
    detail = api.get("/api/v1/projects/news").json()
    assert detail["annotators_per_article"] == 1 and detail["role"] == "annotator"
    labels = {label["name"]: label for label in api.get("/api/v1/projects/news/labels").json()}
    assert set(labels) >= {"Claim", "Actor", "Quote", "Cue"} and labels["Claim"]["key"] == "c"
    types = {t["name"]: t for t in api.get("/api/v1/projects/news/relation-types").json()}
    assert types["said_by"]["source_label"] == "Quote" and types["said_by"]["target_label"] == "Actor"


def test_an_annotator_reads_only_their_own_sets(api_as, project, article, annotator, other_annotator, reviewer):
    annotate(article, annotator, ("Actor", "Jong Ui Young"))
    annotate(article, other_annotator, ("Actor", "Sergei Lavrov"))
    annotate(article, None, ("Actor", "Sergei Lavrov"))
    mine = api_as(annotator).get(f"/api/v1/projects/news/articles/{article.pk}").json()
    assert [s["annotator"] for s in mine["sets"]] == ["ann"]
    assert mine["sets"][0]["spans"][0]["text"] == "Jong Ui Young" and mine["text"] == article.text
    everything = api_as(reviewer).get(f"/api/v1/projects/news/articles/{article.pk}").json()
    assert [s["annotator"] for s in everything["sets"]] == [None, "ann", "ann2"]


def test_article_filters_and_cursor_pagination(api_as, project, annotator, reviewer):
    articles = [make_article(project, f"Article number {n}. It is here.", external_id=f"n{n}") for n in range(5)]
    annotate(articles[1], annotator, ("Actor", "Article"))
    annotate(articles[2], None, ("Actor", "Article"), status=SetStatus.DONE)
    Article.objects.filter(pk=articles[3].pk).update(published="2024-05-01")
    api = api_as(reviewer)
    ids, cursor = [], None
    while True:
        page = api.get("/api/v1/projects/news/articles", {"limit": 2} | ({"cursor": cursor} if cursor else {})).json()
        ids += [a["id"] for a in page["results"]]
        cursor = page["next"]
        if not cursor:
            break
    assert ids == [a.pk for a in articles]

    def listed(**query):
        return [a["external_id"] for a in api.get("/api/v1/projects/news/articles", query).json()["results"]]

    assert listed(status="done") == ["n2"]
    assert listed(status="submitted") == ["n1"]
    assert listed(status="unassigned") == ["n0", "n3", "n4"]
    assert listed(has_gold="true") == ["n2"]
    assert listed(q="number 4") == ["n4"]
    assert listed(published_from="2024-01-01", published_to="2024-12-31") == ["n3"]
    assert listed(updated_since="2999-01-01T00:00:00Z") == []
    assert len(listed(updated_since="2000-01-01T00:00:00Z")) == 5
    assert api_as(annotator).get("/api/v1/projects/news/articles", {"mine": "true"}).json()["results"][0][
        "external_id"] == "n1"
    refused = api_as(annotator).get("/api/v1/projects/news/articles", {"has_gold": "true"})
    assert refused.status_code == 403
    bad = api.get("/api/v1/projects/news/articles", {"cursor": "nonsense!"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "cursor"


def test_entities_progress_and_agreement(api_as, project, article, annotator, other_annotator, reviewer):
    from tests.factories import make_entity

    make_entity(project, "Sergei Lavrov", aliases=["Lavrov"])
    annotate(article, annotator, ("Actor", "Jong Ui Young"))
    annotate(article, other_annotator, ("Actor", "Jong Ui Young"))
    api = api_as(reviewer)
    entities = api.get("/api/v1/projects/news/entities", {"q": "lavrov"}).json()
    assert [e["name"] for e in entities["results"]] == ["Sergei Lavrov"]
    progress = api.get("/api/v1/projects/news/progress").json()
    assert progress["articles"] == 1 and {a["username"] for a in progress["annotators"]} >= {"ann", "ann2"}
    agreement = api.get("/api/v1/projects/news/agreement").json()
    assert agreement["articles"] == 1 and agreement["overall"]["span_f1_exact"] == 1.0


# ---------------------------------------------------------------- adding articles


def test_a_batch_is_all_or_nothing_and_reports_every_bad_item(api_as, project, manager):
    api = api_as(manager)
    refused = api.post("/api/v1/projects/news/articles/batch", {"articles": [
        {"text": "Fine text."}, {"text": "   \r\n "}, {"text": "Other.", "external_id": "x"},
        {"text": "Another.", "external_id": "x"}]})
    assert refused.status_code == 422
    assert [(e["item"], e["field"]) for e in refused.json()["errors"]] == [(1, "text"), (3, "external_id")]
    assert not Article.objects.exists()
    shape = api.post("/api/v1/projects/news/articles/batch", {"articles": [{"title": "no text"}]})
    assert shape.status_code == 422 and shape.json()["errors"][0]["field"] == "articles.0.text"


def test_articles_are_normalised_and_duplicates_skipped(api_as, project, manager):
    api = api_as(manager)
    added = api.post("/api/v1/projects/news/articles/batch", {"articles": [
        {"text": "Cafe\u0301 opens.\r\nSecond line.", "external_id": "cafe", "published": "2024-02-03",
         "source": "Wire", "meta": {"feed": "a"}},
        {"text": "Caf\u00e9 opens.\nSecond line."}]})
    assert added.status_code == 201
    body = added.json()
    assert [a["external_id"] for a in body["created"]] == ["cafe"]
    assert body["skipped"][0]["item"] == 1 and body["skipped"][0]["external_id"] == "cafe"
    article = Article.objects.get()
    assert article.text == "Caf\u00e9 opens.\nSecond line." and article.title == "Café opens"
    assert str(article.published) == "2024-02-03" and article.meta == {"feed": "a"}
    again = api.post("/api/v1/projects/news/articles", {"text": "Different.", "external_id": "cafe"})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "external_id"


def test_more_than_a_thousand_articles_are_refused(api_as, project, manager):
    response = api_as(manager).post("/api/v1/projects/news/articles/batch",
                                    {"articles": [{"text": f"Article {n}."} for n in range(1001)]})
    assert response.status_code == 422 and not Article.objects.exists()


def test_an_oversize_body_is_413(api_as, project, manager, settings):
    settings.FACTMARK_API_MAX_BODY_BYTES = 1000
    response = api_as(manager).post("/api/v1/projects/news/articles", {"text": "x" * 2000})
    assert response.status_code == 413 and response["Content-Type"].startswith("application/problem+json")


def test_requests_over_the_rate_are_429(api_as, project, annotator, settings):
    settings.FACTMARK_API_RATE = 3
    api = api_as(annotator)
    statuses = [api.get("/api/v1/projects").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = api.get("/api/v1/projects")
    assert int(limited["Retry-After"]) >= 1
    assert api_as(annotator).get("/api/v1/projects").status_code == 200  # another token has its own count


# ---------------------------------------------------------------- annotations


def test_spans_and_relations_through_the_workspace_services(api_as, project, article, annotator):
    api = api_as(annotator)
    set_id = api.post(f"/api/v1/projects/news/articles/{article.pk}/set").json()["id"]
    quote_text = "Russia and the Republic of Korea are strategic partners"
    start = article.text.index(quote_text)
    payload = {"label": "Quote", "start": start, "end": start + len(quote_text), "text": quote_text}
    created = api.post(f"/api/v1/sets/{set_id}/spans", payload)
    assert created.status_code == 201
    assert api.post(f"/api/v1/sets/{set_id}/spans", payload).status_code == 200  # the same span, once
    wrong = api.post(f"/api/v1/sets/{set_id}/spans", payload | {"text": "something else"})
    assert wrong.status_code == 422 and "does not match" in wrong.json()["detail"]
    speaker = api.post(f"/api/v1/sets/{set_id}/spans", {"label": "Actor", "start": 30, "end": 43,
                                                        "text": article.text[30:43]}).json()
    quote = created.json()
    relation = api.post(f"/api/v1/sets/{set_id}/relations",
                        {"type": "said_by", "source": quote["id"], "target": speaker["id"]})
    assert relation.status_code == 201
    refused = api.patch(f"/api/v1/spans/{quote['id']}", {"version": 1, "attributes": {"type": "paraphrase"}})
    assert refused.status_code == 422
    changed = api.patch(f"/api/v1/spans/{quote['id']}", {"version": 1, "attributes": {"type": "direct"}})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    noted = api.patch(f"/api/v1/spans/{quote['id']}", {"version": 2, "note": "first"})
    stale = api.patch(f"/api/v1/spans/{quote['id']}", {"version": 2, "note": "second"})
    assert noted.status_code == 200 and stale.status_code == 409
    assert stale["Content-Type"].startswith("application/problem+json")
    span = Span.objects.get(pk=quote["id"])
    assert (span.note, span.attributes, span.version) == ("first", {"type": "direct"}, 3)
    assert api.delete(f"/api/v1/relations/{relation.json()['id']}").status_code == 204
    assert api.delete(f"/api/v1/spans/{speaker['id']}").status_code == 204
    submitted = api.post(f"/api/v1/sets/{set_id}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    closed = api.post(f"/api/v1/sets/{set_id}/spans", payload | {"label": "Claim"})
    assert closed.status_code == 422


def test_another_annotators_set_is_404(api_as, project, article, annotator, other_annotator):
    theirs = make_set(article, other_annotator)
    span = make_span(theirs, "Actor", "Jong Ui Young")
    api = api_as(annotator)
    assert api.patch(f"/api/v1/spans/{span.pk}", {"version": 1, "note": "x"}).status_code == 404
    assert api.post(f"/api/v1/sets/{theirs.pk}/submit").status_code == 404
    assert AnnotationSet.objects.get(pk=theirs.pk).status != SetStatus.SUBMITTED


# ---------------------------------------------------------------- datasets


def test_the_export_streams_the_same_bytes_as_export_dataset(api_as, project, article, reviewer, annotator):
    annotate(article, annotator, ("Actor", "Jong Ui Young"))
    annotate(article, None, ("Actor", "Jong Ui Young"), status=SetStatus.DONE)
    make_article(project, "A second article. Plain.", external_id="second")
    for query, args in [({"format": "jsonl", "sets": "gold"}, ["--sets", "gold"]),
                        ({"format": "jsonl"}, []),
                        ({"format": "doccano", "labels": "Actor"}, ["--labels", "Actor"]),
                        ({"format": "csv", "table": "spans"}, ["--table", "spans"])]:
        response = api_as(reviewer).get("/api/v1/projects/news/export", query)
        assert response.status_code == 200, response.content
        out = io.StringIO()
        call_command("export_dataset", "news", "--format", query["format"], *args, stdout=out, stderr=io.StringIO())
        assert streamed(response) == out.getvalue().encode(), query


def test_an_unchanged_export_is_304(api_as, project, article, reviewer, annotator):
    annotate(article, None, ("Actor", "Jong Ui Young"), status=SetStatus.DONE)
    api = api_as(reviewer)
    first = api.get("/api/v1/projects/news/export", {"format": "jsonl", "sets": "gold"})
    etag, modified = first["ETag"], first["Last-Modified"]
    streamed(first)
    same = api.get("/api/v1/projects/news/export", {"format": "jsonl", "sets": "gold"},
                   headers={"If-None-Match": etag})
    assert same.status_code == 304 and same["ETag"] == etag
    since = api.get("/api/v1/projects/news/export", {"format": "jsonl", "sets": "gold"},
                    headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    other = api.get("/api/v1/projects/news/export", {"format": "doccano", "sets": "gold"},
                    headers={"If-None-Match": etag})
    assert other.status_code == 200
    make_span(AnnotationSet.objects.get(is_gold=True), "Actor", "Sergei Lavrov")
    changed = api.get("/api/v1/projects/news/export", {"format": "jsonl", "sets": "gold"},
                      headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_annotators_export_only_their_own_sets(api_as, project, article, annotator):
    api = api_as(annotator)
    assert api.get("/api/v1/projects/news/export", {"format": "jsonl", "sets": "gold"}).status_code == 403
    assert api.get("/api/v1/projects/news/export", {"format": "jsonl", "sets": "ann2"}).status_code == 403
    assert api.get("/api/v1/projects/news/export", {"format": "jsonl", "labels": "Nope"}).status_code == 422
    assert api.get("/api/v1/projects/news/export", {"format": "nope"}).status_code == 422


def test_a_dataset_file_is_imported_all_or_nothing(api_as, project, manager):
    api = api_as(manager)
    good = json.dumps({"id": "d1", "text": "Sergei Lavrov spoke.", "annotations": [{"annotator": "model", "spans": [
        {"id": 1, "label": "Actor", "start": 0, "end": 13, "text": "Sergei Lavrov"}], "relations": []}]})
    bad = json.dumps({"id": "d2", "text": "Nothing.", "annotations": [{"annotator": "model", "spans": [
        {"id": 1, "label": "Actor", "start": 0, "end": 99, "text": "x"}], "relations": []}]})

    def upload(content):
        return api.client.post("/api/v1/projects/news/import", {
            "file": SimpleUploadedFile("data.jsonl", content.encode()), "format": "jsonl"}, headers=api.headers)

    refused = upload(good + "\n" + bad + "\n")
    assert refused.status_code == 422 and refused.json()["errors"] and not Article.objects.exists()
    assert all("record" in error for error in refused.json()["errors"])
    done = upload(good + "\n")
    assert done.status_code == 200 and done.json()["articles_created"] == 1 and done.json()["spans"] == 1


def test_linking_an_entity_through_the_workspace_service(api_as, project, article, annotator):
    from tests.factories import make_entity

    entity = make_entity(project, "Jong Ui-young")
    span = make_span(make_set(article, annotator), "Actor", "Jong Ui Young")
    api = api_as(annotator)
    linked = api.patch(f"/api/v1/spans/{span.pk}", {"version": 1, "entity": entity.pk})
    assert linked.status_code == 200 and linked.json()["entity"] == entity.pk
    entity.refresh_from_db()
    assert entity.aliases == []  # a mention is not a name unless the caller says so
    again = api.patch(f"/api/v1/spans/{span.pk}", {"version": linked.json()["version"], "entity": entity.pk,
                                                   "add_alias": True})
    entity.refresh_from_db()
    assert again.status_code == 200 and entity.aliases == ["Jong Ui Young"]
    linked = again
    unlinked = api.patch(f"/api/v1/spans/{span.pk}", {"version": linked.json()["version"], "unlink_entity": True})
    assert unlinked.status_code == 200 and unlinked.json()["entity"] is None
    elsewhere = api.patch(f"/api/v1/spans/{span.pk}", {"version": unlinked.json()["version"], "entity": 999999})
    assert elsewhere.status_code == 422 and elsewhere.json()["errors"][0]["field"] == "entity"
