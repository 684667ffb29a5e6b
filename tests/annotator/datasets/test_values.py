"""Single values of imported records (:mod:`annotator.datasets.values`): offsets mapped through
normalisation, characters and numbers no database stores, article fields taken out of meta."""

import json

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from annotator.datasets import ImportRefused, import_records
from annotator.formats.common import make_record, make_set, make_span
from annotator.models import Span
from articles.models import Article
from articles.text import normalise
from tests import factories as db
from tests.annotator.datasets.helpers import exported, lines, run_import, simple_record, span
from tests.annotator.formats.samples import span_view, texts

pytestmark = pytest.mark.django_db


def test_offsets_are_mapped_through_line_endings_and_nfc(project):
    raw = "Line one\r\nCafe\u0301 owner Lavrov said\r\nmore 🚀 text"
    cafe = raw.index("Cafe")
    lavrov = raw.index("Lavrov")
    rocket = raw.index("🚀")
    spans = [make_span(id=1, label="Actor", start=cafe, end=cafe + 5, text="Cafe\u0301"),
             make_span(id=2, label="Actor", start=lavrov, end=lavrov + 6, text="Lavrov"),
             make_span(id=3, label="Quote", start=0, end=rocket + 1, text=raw[:rocket + 1])]
    run_import(project, lines(simple_record(text=raw, spans=spans)))

    article = Article.objects.get(project=project)
    assert article.text == "Line one\nCafé owner Lavrov said\nmore 🚀 text"
    stored = {s.label.name + s.text[:4]: s for s in Span.objects.filter(annotation_set__article=article)}
    for s in stored.values():
        assert article.text[s.start:s.end] == s.text
    assert (stored["ActorCafé"].start, stored["ActorCafé"].end) == (9, 13)
    assert stored["ActorLavr"].start == article.text.index("Lavrov")
    assert stored["QuoteLine"].text == "Line one\nCafé owner Lavrov said\nmore 🚀"


def test_a_span_that_normalisation_cannot_keep_is_reported(project):
    raw = "Cafe\u0301 au lait\r\n"
    accent = raw.index("\u0301")
    record = simple_record(text=raw, spans=[make_span(id=1, label="Actor", start=accent, end=accent + 1,
                                                      text="\u0301")])
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record))
    (error,) = refused.value.errors
    assert error.startswith("corpus.jsonl, line 1: span 1: text does not match")
    assert error.endswith("(offsets counted after normalising the text: line endings to \\n, Unicode to NFC)")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=texts, data=st.data())
def test_import_then_export_gives_back_the_spans_through_normalisation(annotator, raw, data):
    project = db.make_project()
    labels = ["Claim", "Actor", "Quote", "Cue"]
    spans = []
    for span_id in range(1, data.draw(st.integers(0, 6)) + 1):
        start = data.draw(st.integers(0, len(raw) - 1))
        end = data.draw(st.integers(start + 1, len(raw)))
        spans.append(make_span(id=span_id, label=data.draw(st.sampled_from(labels)), start=start, end=end,
                               text=raw[start:end]))
    norm = normalise(raw)
    expected, places, sound = [], set(), "\x00" not in raw  # no database stores NUL
    for s in spans:
        start, end = norm.map(s["start"]), norm.map(s["end"])
        text = norm.text[start:end]
        place = (s["label"], start, end)
        sound &= start < end and normalise(s["text"]).text == text and place not in places
        places.add(place)
        expected.append((s["label"], start, end, text))
    record = make_record(id="p", text=raw, annotations=[make_set(annotator="ann", spans=spans)])

    event("refused" if not sound else "imported")
    if not sound:
        with pytest.raises(ImportRefused):
            import_records(project, [record], user=None)
        assert not Article.objects.filter(project=project).exists()
        return
    import_records(project, [record], user=None)
    (back,) = exported(project)
    assert back["text"] == norm.text
    assert span_view(back) == sorted(expected)
    for s in back["annotations"][0]["spans"]:
        assert back["text"][s["start"]:s["end"]] == s["text"]


def test_characters_no_database_stores_are_refused_with_a_clear_message(project):
    text = "Sergei\x00 Lavrov said so."
    record = simple_record(text=text, spans=[span("said", "Cue", id=1, note="a\x00b", text=text)])
    # JSON may carry half of a surrogate pair: json.loads accepts it, no database can store it.
    lone = b'{"id": "s", "title": "Talks \\ud83d", "text": "Seoul \\udc00 spoke."}\n'
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record) + lone)
    unstorable = "contains a character that cannot be stored (NUL, or half of a UTF-16 surrogate pair); remove it"
    assert refused.value.errors == [
        f"corpus.jsonl, line 1: text {unstorable} (character 6)",
        f"corpus.jsonl, line 1: span 1: note {unstorable}",
        f"corpus.jsonl, line 2: text {unstorable} (character 6)",
        f"corpus.jsonl, line 2: title {unstorable}"]


def test_meta_nested_hundreds_of_levels_deep_is_checked_without_recursing(project):
    deep = json.loads("[" * 600 + '"ok"' + "]" * 600)
    unstorable = json.loads("[" * 600 + '"\\u0000"' + "]" * 600)
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(simple_record("nul", meta={"x": unstorable})))
    assert refused.value.errors == [
        "corpus.jsonl, line 1: meta contains a character that cannot be stored (NUL, or half of a UTF-16 "
        "surrogate pair); remove it"]
    assert not Article.objects.filter(project=project).exists()

    run_import(project, lines(simple_record("deep", meta={"x": deep})))
    assert Article.objects.get(project=project, external_id="deep").meta == {"x": deep}


def test_nan_and_infinity_in_meta_are_reported_not_left_to_the_database(project):
    data = (b'{"id": "nan", "text": "Seoul hopes.", "meta": {"score": NaN}}\n'
            b'{"id": "inf", "text": "Moscow hopes.", "meta": {"scores": [1, 1e400]}}\n')
    with pytest.raises(ImportRefused) as refused:
        run_import(project, data)
    assert refused.value.errors == [
        "corpus.jsonl, line 1: meta holds NaN or Infinity, which JSON cannot store; write it as a text",
        "corpus.jsonl, line 2: meta holds NaN or Infinity, which JSON cannot store; write it as a text",
    ]
    assert not Article.objects.filter(project=project).exists()


def test_meta_fields_are_checked(project):
    record = simple_record(meta={"published": "28/10/2021", "url": "javascript:alert(1)", "desk": "Asia"})
    with pytest.raises(ImportRefused) as refused:
        run_import(project, lines(record))
    assert refused.value.errors == [
        "corpus.jsonl, line 1: meta published '28/10/2021' is not a date (use YYYY-MM-DD)",
        "corpus.jsonl, line 1: meta url 'javascript:alert(1)' is not an http(s) address"]
