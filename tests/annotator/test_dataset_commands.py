"""``import_dataset`` and ``export_dataset``: what an operator sees on the terminal."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotator.models import AnnotationSet, SetStatus, Span
from articles.models import Article
from tests import factories as db

pytestmark = pytest.mark.django_db

TEXT = "Sergei Lavrov said Seoul is a partner. Washington spends more than $ 700 billion on weapons."


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write_jsonl(path, *records):
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")
    return str(path)


def record(record_id, spans=(), *, annotator="ann", text=TEXT):
    return {"id": record_id, "text": text,
            "annotations": [{"annotator": annotator, "spans": list(spans), "relations": []}]}


def actor(needle="Sergei Lavrov", label="Actor", span_id=1):
    start = TEXT.index(needle)
    return {"id": span_id, "label": label, "start": start, "end": start + len(needle), "text": needle}


@pytest.fixture
def corpus(project, annotator, reviewer):
    project.organisation = "Factmark Checks"
    project.save()
    article = db.make_article(project, TEXT, external_id="a1", title="Budgets", url="https://example.org/a1")
    mine = db.make_set(article, annotator, status=SetStatus.SUBMITTED)
    claim = db.make_span(mine, "Claim", "Washington spends more than $ 700 billion on weapons",
                         attributes={"verdict": "mostly-false"})
    speaker = db.make_span(mine, "Actor", "Sergei Lavrov")
    db.make_relation(mine, "claimed_by", claim, speaker)
    gold = db.make_set(article, None, status=SetStatus.DONE)
    db.make_span(gold, "Actor", "Sergei Lavrov")
    return article


# --------------------------------------------------------------------------- import_dataset


def test_import_prints_progress_and_a_summary(project, tmp_path):
    path = write_jsonl(tmp_path / "corpus.jsonl", record("x1", [actor()]), record("x2", text="Another text."))
    out, err = run("import_dataset", "news", path, "--format", "jsonl")
    assert "Imported 2 new article(s)" in out and "1 span(s)" in out
    assert "reading: 100%" in err and "saving: 100% (2/2 articles)" in err
    assert Article.objects.filter(project=project).count() == 2


def test_a_refused_file_lists_every_problem_and_exits_non_zero(project, tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", record("x1", [actor() | {"text": "Lavrov"}]),
                       record("x2", [actor("Seoul", "Place")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"Nothing was imported: 2 problem\(s\)\.") as refused:
        call_command("import_dataset", "news", path, "--format", "jsonl", stdout=io.StringIO(), stderr=err)
    assert refused.value.returncode == 1  # manage.py's exit status
    assert "bad.jsonl, line 1: span 1: text does not match" in err.getvalue()
    assert "labels not in the project's schema: Place (1 span, first at line 2)" in err.getvalue()
    assert not Article.objects.filter(project=project).exists()


def test_add_labels_and_annotator_options(project, tmp_path):
    path = write_jsonl(tmp_path / "corpus.jsonl", record("x1", [actor("Seoul", "Place")], annotator=None))
    out, _ = run("import_dataset", "news", path, "--format", "jsonl", "--add-labels", "--annotator", "wire-desk")
    assert "New labels: Place" in out and "New inactive users: wire-desk." in out
    annotation_set = AnnotationSet.objects.get(article__project=project)
    assert annotation_set.user.username == "wire-desk" and not annotation_set.user.is_active


def test_import_of_a_brat_zip_and_a_csv(project, tmp_path, corpus):
    archive = tmp_path / "corpus.zip"
    run("export_dataset", "news", "--format", "brat", "--sets", "ann", "-o", str(archive))
    csv_path = tmp_path / "articles.csv"
    csv_path.write_text("id,title,text,source\nc1,Hello,\"A new, quoted text.\",Wire\n", encoding="utf-8")
    target = db.make_project(slug="copy")

    out, _ = run("import_dataset", "copy", str(archive), "--format", "brat", "--annotator", "ann")
    assert "2 span(s), 1 relation(s)" in out
    assert sorted(Span.objects.filter(annotation_set__article__project=target).values_list("text", flat=True)) == [
        "Sergei Lavrov", "Washington spends more than $ 700 billion on weapons"]
    out, _ = run("import_dataset", "copy", str(csv_path), "--format", "csv")
    assert Article.objects.get(project=target, external_id="c1").source == "Wire"


def test_unknown_project_or_file(tmp_path, project):
    with pytest.raises(CommandError, match="No project with slug “nope”"):
        run("import_dataset", "nope", str(tmp_path / "x.jsonl"), "--format", "jsonl")
    with pytest.raises(CommandError, match="no such file"):
        run("import_dataset", "news", str(tmp_path / "x.jsonl"), "--format", "jsonl")


# --------------------------------------------------------------------------- export_dataset


def db_export(*args) -> list[bytes]:
    out, _ = run("export_dataset", "news", "--format", *args)
    return [out.encode("utf-8")]


def test_export_to_stdout_and_to_a_file_are_the_same(corpus, tmp_path):
    (stdout,) = db_export("jsonl")
    target = tmp_path / "out.jsonl"
    _, err = run("export_dataset", "news", "--format", "jsonl", "-o", str(target))
    assert target.read_bytes() == stdout
    assert f"Wrote {len(stdout):,} bytes to {target}" in err
    (line,) = stdout.decode().splitlines()
    assert [s["gold"] for s in json.loads(line)["annotations"]] == [True, False]


def test_export_sets_and_labels_options(corpus):
    (gold,) = db_export("jsonl", "--sets", "gold")
    assert [s["annotator"] for s in json.loads(gold)["annotations"]] == [None]
    (mine,) = db_export("jsonl", "--sets", "ann", "--labels", "Claim")
    (annotation_set,) = json.loads(mine)["annotations"]
    assert [s["label"] for s in annotation_set["spans"]] == ["Claim"] and annotation_set["relations"] == []
    with pytest.raises(CommandError, match="Not labels of this project: Rumour"):
        db_export("jsonl", "--labels", "Claim,Rumour")
    with pytest.raises(CommandError, match="no user called “nobody”"):
        db_export("jsonl", "--sets", "nobody")


def test_csv_tables(corpus):
    (claims,) = db_export("csv", "--table", "claims", "--sets", "ann")
    rows = list(csv.DictReader(io.StringIO(claims.decode())))
    assert [(row["text"], row["verdict"], row["claimant"]) for row in rows] == [
        ("Washington spends more than $ 700 billion on weapons", "mostly-false", "Sergei Lavrov")]
    (spans,) = db_export("csv", "--table", "spans")
    assert len(list(csv.DictReader(io.StringIO(spans.decode())))) == 3


def test_claimreview_uses_the_organisation_and_the_projects_rating_scale(corpus, project):
    claim = project.labels.get(name="Claim")
    claim.attributes = [{"name": "verdict", "type": "choice", "choices": ["correct", "mostly-false", "wrong"]}]
    claim.save()
    (data,) = db_export("claimreview", "--sets", "ann")
    (review,) = json.loads(data)
    assert review["author"] == {"@type": "Organization", "name": "Factmark Checks"}
    assert review["reviewRating"] == {"@type": "Rating", "ratingValue": 2, "bestRating": 3, "worstRating": 1,
                                      "alternateName": "mostly-false"}
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Sergei Lavrov"}
    assert review["itemReviewed"]["appearance"]["url"] == "https://example.org/a1"


def test_conll_writes_the_first_layer(corpus):
    (data,) = db_export("conll")
    tags = dict(line.split(" -X- _ ") for line in data.decode().splitlines() if " -X- _ " in line)
    assert (tags["Sergei"], tags["Lavrov"], tags["Washington"]) == ("B-Actor", "I-Actor", "O")  # gold layer


def test_binary_formats_need_a_file(corpus):
    with pytest.raises(CommandError, match="give -o FILE.spacy"):
        db_export("spacy")
    with pytest.raises(CommandError, match="brat writes a binary file"):
        db_export("brat")
