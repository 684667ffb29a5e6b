import csv
import io
import itertools

import pytest

from annotator.formats import csvfmt
from annotator.formats.common import FormatError, make_record, make_relation, make_set, make_span

from .samples import seed_record

ARTICLES = (
    "id,title,text,source,url,published,author,language,section\r\n"
    'seed-1,Seoul counts on Moscow,"South Korean Foreign Minister Jong Ui Young\r\ncompleted his visit.",'
    "Kommersant,https://example.org/1,2021-10-28,,en,World\r\n"
    ',,,,,,,,\r\n'
    'seed-2,Empty,"   ",Kommersant,,,,,\r\n'
    "seed-3,No meta,Kim In Chol criticized the United States.,,,,,,\r\n"
)


def read_all(data, **options):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return list(csvfmt.read(io.BytesIO(data), **options))


def table(items, **options):
    return list(csv.reader(io.StringIO(b"".join(csvfmt.write(items, **options)).decode("utf-8"))))


def outcome(items):
    return [(location, str(item) if isinstance(item, FormatError) else item["id"]) for location, item in items]


def test_reads_articles_with_metadata_and_reports_empty_text_by_row():
    items = read_all(ARTICLES)
    assert outcome(items) == [("row 2", "seed-1"), ("row 4", "row 4: text is empty"), ("row 5", "seed-3")]
    record = items[0][1]
    assert record == {
        "id": "seed-1", "title": "Seoul counts on Moscow",
        "text": "South Korean Foreign Minister Jong Ui Young\r\ncompleted his visit.",
        "meta": {"source": "Kommersant", "url": "https://example.org/1", "published": "2021-10-28",
                 "language": "en", "section": "World"},
        "annotations": [], "entities": [],
    }
    assert items[2][1]["meta"] == {}


def test_external_id_column_and_missing_id():
    items = read_all("external_id,text\nabc,Hello\n,World\n")
    assert [record["id"] for _, record in items] == ["abc", ""]


def test_header_without_text_column():
    assert outcome(read_all("id,body\n1,Hello\n")) == [("row 1", "row 1: the header has no 'text' column")]


def test_row_with_too_many_cells():
    assert outcome(read_all("id,text\n1,Hello,extra\n2,World\n")) == [
        ("row 2", "row 2: 3 cells but the header has 2 columns"), ("row 3", "2")]


def test_bom_semicolons_and_tabs():
    (item,) = read_all(b"\xef\xbb\xbfid;text;title\r\n1;Caf\xc3\xa9, cr\xc3\xa8me;T\r\n")
    assert (item[1]["id"], item[1]["text"], item[1]["title"]) == ("1", "Café, crème", "T")
    (item,) = read_all("text\tid\nHello, world\t7\n")
    assert (item[1]["id"], item[1]["text"]) == ("7", "Hello, world")


def test_non_utf8_file_is_refused():
    items = read_all("id,text\n1,café\n".encode("latin-1"))
    assert len(items) == 1
    location, error = items[0]
    assert isinstance(error, FormatError) and "not UTF-8 text" in error.message


def test_long_articles_are_read():
    text = "Sergei Lavrov. " * 20000
    ((_, record),) = read_all(f'text\n"{text}"\n')
    assert record["text"] == text


def test_reading_leaves_the_callers_stream_open():
    stream = io.BytesIO(b"text\nHello\n")
    list(csvfmt.read(stream))
    assert not stream.closed


def test_claims_table_has_verdict_and_claimant():
    rows = table([seed_record()])
    assert rows[0] == ["article_id", "article_title", "annotator", "span_id", "start", "end", "text", "verdict",
                       "checkworthy", "claimant", "note"]
    (claim,) = rows[1:]
    span = seed_record()["annotations"][0]["spans"][3]
    assert claim == ["seed-000", "Seoul counts on Moscow", "annotator1", "4", str(span["start"]), str(span["end"]),
                     span["text"], "mostly-true", "true", "Kim In Chol", ""]


def test_quotes_table_has_speaker_through_the_entity_and_cue():
    rows = table([seed_record()], table="quotes")
    assert rows[0] == ["article_id", "article_title", "annotator", "span_id", "start", "end", "text", "type",
                       "speaker", "cue", "note"]
    (quote,) = rows[1:]
    assert quote[7:] == ["direct", "Kim In Chol", "said", ""]  # the span says "Kim In Chul"; the entity's name wins
    assert quote[6].startswith("“To resolve")


def test_speaker_without_entity_is_the_span_text_and_several_are_joined():
    text = "“No,” said Lavrov and Jong."
    spans = [make_span(id=1, label="Quote", start=0, end=5, text="“No,”"),
             make_span(id=2, label="Actor", start=11, end=17, text="Lavrov"),
             make_span(id=3, label="Actor", start=22, end=26, text="Jong")]
    record = make_record(id="r", text=text, annotations=[make_set(spans=spans, relations=[
        make_relation("said_by", 1, 2), make_relation("said_by", 1, 3)])])
    assert table([record], table="quotes")[1][8] == "Lavrov; Jong"


def test_spans_table_lists_every_span():
    rows = table([seed_record()], table="spans")
    assert rows[0] == ["article_id", "article_title", "annotator", "gold", "span_id", "label", "start", "end",
                       "text", "attributes", "entity", "wikidata", "note", "relations"]
    assert len(rows) == 7
    assert rows[1][4:12] == ["1", "Actor", "176", "189", "Sergei Lavrov", '{"kind": "person"}', "Sergei Lavrov",
                             "Q1234"]
    assert rows[5][13] == "said_by:3; cue:6"


def test_formula_cells_are_neutralised():
    text = "=cmd|' /C calc'!A0 +1 -1 @x"
    spans = [make_span(id=n, label="Claim", start=start, end=end, text=text[start:end],
                       attributes={"verdict": "=HYPERLINK(\"http://evil\")"}, note="@SUM(A1)")
             for n, (start, end) in enumerate([(0, 18), (19, 21), (22, 24), (25, 27)], 1)]
    record = make_record(id="-1", title="+title", text=text, annotations=[make_set(annotator="@me", spans=spans)])
    rows = table([record])[1:]
    assert [row[6] for row in rows] == ["'=cmd|' /C calc'!A0", "'+1", "'-1", "'@x"]
    assert {(row[0], row[1], row[2], row[7], row[10]) for row in rows} == {
        ("'-1", "'+title", "'@me", "'=HYPERLINK(\"http://evil\")", "'@SUM(A1)")}


def test_bom_option_and_unknown_table():
    assert b"".join(csvfmt.write([], bom=True)).startswith(b"\xef\xbb\xbfarticle_id,")
    with pytest.raises(ValueError):
        list(csvfmt.write([], table="entities"))


def test_write_streams_per_article():
    def endless():
        for n in itertools.count():
            yield make_record(id=str(n), text="claim", annotations=[make_set(spans=[
                make_span(id=1, label="Claim", start=0, end=5, text="claim")])])

    chunks = csvfmt.write(endless())
    assert next(chunks).startswith(b"article_id")
    assert next(chunks).startswith(b"0,")
    assert next(chunks).startswith(b"1,")


def test_module_constants():
    assert csvfmt.EXTENSION == "csv"
    assert csvfmt.CONTENT_TYPE.startswith("text/csv")
