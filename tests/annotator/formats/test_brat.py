import io
import itertools
import zipfile

from hypothesis import HealthCheck, given, settings

from annotator.formats import brat
from annotator.formats.common import FormatError, check_record

from .samples import records, relation_view, seed_record, span_view

TEXT = "Sergei Lavrov said Seoul is a partner.\nKim In Chol criticized the United States 🇺🇸.\n"

# A document as brat writes it, with every line kind Factmark reads.
ANN = (
    "T1\tActor 0 13\tSergei Lavrov\n"
    "T2\tCue 14 18\tsaid\n"
    "T3\tQuote 19 37\tSeoul is a partner\n"
    "T4\tActor 39 50\tKim In Chol\n"
    "T5\tClaim 39 82\tKim In Chol criticized the United States 🇺🇸\n"
    "R1\tsaid_by Arg1:T3 Arg2:T1\n"
    "R2\tclaimed_by Arg1:T5 Arg2:T4\t\n"
    "A1\ttype T3 indirect\n"
    "A2\tcheckworthy T5\n"
    "M3\tverdict T5 mostly-false\n"
    "N1\tReference T1 Wikidata:Q1234\tSergei Lavrov\n"
    "N2\tReference T4 Factmark:12\tKim In Chol\n"
    "#1\tAnnotatorNotes T4\tAlso spelled Kim In Chul\n"
)


def make_zip(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return buffer.getvalue()


def read_all(data: bytes, **options):
    return list(brat.read(io.BytesIO(data), **options))


def write_all(items) -> bytes:
    return b"".join(brat.write(items))


def outcome(items):
    return [(location, str(item) if isinstance(item, FormatError) else "record") for location, item in items]


def test_reads_text_bound_relations_attributes_normalisations_and_notes():
    ((location, record),) = read_all(make_zip({"news/doc1.txt": TEXT, "news/doc1.ann": ANN,
                                               "news/annotation.conf": "[entities]\nActor\n"}))
    assert location == "doc1"
    assert (record["id"], record["text"], record["title"], record["meta"]) == ("doc1", TEXT, "", {})
    (annotation_set,) = record["annotations"]
    spans = {span["id"]: span for span in annotation_set["spans"]}
    assert [(s["label"], s["start"], s["end"], s["text"]) for s in spans.values()] == [
        ("Actor", 0, 13, "Sergei Lavrov"), ("Cue", 14, 18, "said"), ("Quote", 19, 37, "Seoul is a partner"),
        ("Actor", 39, 50, "Kim In Chol"), ("Claim", 39, 82, "Kim In Chol criticized the United States 🇺🇸")]
    assert annotation_set["relations"] == [{"type": "said_by", "source": 3, "target": 1},
                                           {"type": "claimed_by", "source": 5, "target": 4}]
    assert spans[3]["attributes"] == {"type": "indirect"}
    assert spans[5]["attributes"] == {"checkworthy": True, "verdict": "mostly-false"}
    assert spans[4]["note"] == "Also spelled Kim In Chul"
    assert record["entities"] == [
        {"id": 13, "name": "Sergei Lavrov", "kind": "", "aliases": [], "wikidata": "Q1234"},
        {"id": 12, "name": "Kim In Chol", "kind": "", "aliases": [], "wikidata": ""},
    ]
    assert (spans[1]["entity"], spans[4]["entity"]) == (13, 12)
    assert check_record(record, location) == []


def test_discontinuous_span_is_an_error_naming_file_and_line():
    ann = "T1\tActor 0 6;7 13\tSergei Lavrov\nT2\tCue 14 18\tsaid\n"
    items = read_all(make_zip({"doc1.txt": TEXT, "doc1.ann": ann}))
    assert outcome(items) == [("doc1.ann line 1", "doc1.ann line 1: T1 is a discontinuous span (0 6;7 13); "
                                                   "Factmark spans are continuous, split it into separate spans")]


def test_zip_slip_entries_are_refused_and_other_documents_still_read():
    data = make_zip({"../evil.txt": "x", "/etc/passwd.txt": "x", "a\\..\\b.ann": "x", "C:/x.txt": "x",
                     "doc1.txt": TEXT})
    assert outcome(read_all(data)) == [
        ("../evil.txt", "../evil.txt: unsafe path in zip (absolute, or with a '..' component)"),
        ("/etc/passwd.txt", "/etc/passwd.txt: unsafe path in zip (absolute, or with a '..' component)"),
        ("a\\..\\b.ann", "a\\..\\b.ann: unsafe path in zip (absolute, or with a '..' component)"),
        ("C:/x.txt", "C:/x.txt: unsafe path in zip (absolute, or with a '..' component)"),
        ("doc1", "record"),
    ]


def test_archive_over_max_bytes_is_refused_before_reading():
    data = make_zip({"doc1.txt": "x" * 5000, "doc1.ann": ""})
    assert outcome(read_all(data, max_bytes=4000)) == [
        ("zip", "zip: uncompressed size 5000 bytes exceeds the limit of 4000 bytes")]
    assert outcome(read_all(data, max_bytes=5000)) == [("doc1", "record")]


def test_not_a_zip():
    assert outcome(read_all(b"T1\tActor 0 5\tSeoul\n")) == [("zip", "zip: not a zip file")]


def test_non_utf8_text_and_bom():
    data = make_zip({"bad.txt": "café".encode("latin-1"), "bom.txt": b"\xef\xbb\xbfSeoul and Moscow",
                     "bom.ann": "T1\tActor 11 17\tMoscow\n"})
    (bad, (_, record)) = read_all(data)
    assert bad[0] == "bad.txt" and "not UTF-8 text" in bad[1].message
    # brat counts the BOM as a character; it is dropped and the offsets follow.
    assert record["text"] == "Seoul and Moscow"
    assert span_view(record) == [("Actor", 10, 16, "Moscow")]


def test_every_problem_in_an_ann_file_is_reported():
    ann = (
        "T1\tActor 0 13\tSergei Lavrow\n"
        "T2\tActor zero 13\tSergei Lavrov\n"
        "T3\tActor 0 13\tSergei Lavrov\n"
        "T3\tActor 0 13\tSergei Lavrov\n"
        "R1\tsaid_by Arg1:T3 Arg2:T9\n"
        "A1\tverdict R1 false\n"
        "E1\tMeeting:T3 Agent:T3\n"
        "*\tEquiv T1 T3\n"
        "X1\twhat\n"
        "R2\tsaid_by T3 T1\n"
    )
    items = read_all(make_zip({"doc.txt": TEXT, "doc.ann": ann}))
    assert [str(error) for _, error in items] == [
        "doc.ann line 1: T1: text 'Sergei Lavrow' does not match 'Sergei Lavrov' at 0–13 of doc.txt",
        "doc.ann line 2: T2: offsets must be two whole numbers, found 'zero 13'",
        "doc.ann line 4: duplicate annotation id T3",
        "doc.ann line 7: E1: events (E lines) are not supported",
        "doc.ann line 8: equivalence (*) lines are not supported",
        "doc.ann line 9: unknown annotation line starting 'X1'",
        "doc.ann line 10: R2: expected 'R<n>\\ttype Arg1:T<a> Arg2:T<b>'",
        "doc.ann line 5: R1 Arg2: T9 does not exist in this file",
        "doc.ann line 6: attribute verdict: R1 is not a text-bound (T) annotation; "
        "only spans can be linked, annotated or noted",
    ]


def test_ann_text_may_show_line_breaks_as_spaces():
    text = "Sergei\nLavrov said\r\nso."
    ann = "T1\tActor 0 13\tSergei Lavrov\nT2\tCue 14 21\tsaid  s\n"
    ((location, record),) = read_all(make_zip({"doc.txt": text, "doc.ann": ann}))
    assert span_view(record) == [("Actor", 0, 13, "Sergei\nLavrov"), ("Cue", 14, 21, "said\r\ns")]
    assert check_record(record, location) == []


def test_txt_without_ann_reads_with_no_set_and_ann_without_txt_is_an_error():
    data = make_zip({"lonely.txt": "Only text.", "orphan.ann": "T1\tActor 0 4\tOnly\n",
                     "__MACOSX/._lonely.txt": b"\x00\x05", "notes.md": "ignored"})
    assert outcome(read_all(data)) == [("lonely", "record"), ("orphan.ann", "orphan.ann: no matching orphan.txt")]
    assert read_all(data)[0][1]["annotations"] == []


def test_same_document_name_in_two_folders_is_an_error():
    data = make_zip({"a/doc.txt": "one", "b/doc.txt": "two"})
    assert outcome(read_all(data)) == [("b/doc.txt", "b/doc.txt: same document name as a/doc.txt"),
                                       ("doc", "record")]


def test_annotator_option_names_the_set():
    ((_, record),) = read_all(make_zip({"doc1.txt": TEXT, "doc1.ann": ANN}), annotator="annotator2")
    assert record["annotations"][0]["annotator"] == "annotator2"


def test_write_produces_txt_ann_pairs_and_annotation_conf():
    record = seed_record()
    record["annotations"][0]["spans"][0]["label"] = "Named Actor"
    with zipfile.ZipFile(io.BytesIO(write_all([record]))) as archive:
        assert archive.namelist() == ["seed-000.txt", "seed-000.ann", "annotation.conf"]
        assert archive.read("seed-000.txt").decode() == record["text"]
        ann = archive.read("seed-000.ann").decode().splitlines()
        conf = archive.read("annotation.conf").decode()
    assert ann[0] == "T1\tNamed_Actor 176 189\tSergei Lavrov"
    assert "R1\tclaimed_by Arg1:T4 Arg2:T2" in ann
    assert "A3\tverdict T4 mostly-true" in ann and "A4\tcheckworthy T4" in ann
    assert "N1\tReference T1 Factmark:1\tSergei Lavrov" in ann
    assert "N2\tReference T1 Wikidata:Q1234\tSergei Lavrov" in ann
    assert "#1\tAnnotatorNotes T3\tSame person as Kim In Chol." in ann
    assert conf.startswith("[entities]\nNamed_Actor\nActor\nClaim\nQuote\nCue\n\n[relations]\n")
    assert "said_by\tArg1:Quote, Arg2:Actor\n" in conf
    assert "verdict\tArg:Claim, Value:mostly-true\n" in conf
    assert "checkworthy\tArg:Claim\n" in conf


def test_write_then_read_keeps_spans_relations_attributes_entities_and_notes():
    record = seed_record()
    ((location, back),) = read_all(write_all([record]))
    assert check_record(back, location) == []
    assert back["text"] == record["text"]
    assert back["annotations"][0]["spans"] == record["annotations"][0]["spans"]
    assert back["annotations"][0]["relations"] == record["annotations"][0]["relations"]
    assert [(e["id"], e["name"], e["wikidata"]) for e in back["entities"]] == [
        (1, "Sergei Lavrov", "Q1234"), (2, "Kim In Chol", "")]


def test_write_makes_file_names_safe_and_unique():
    items = [{"id": name, "text": "x"} for name in ("../../etc/passwd", "a b", "a_b", "A_B", "", "CON", "é")]
    with zipfile.ZipFile(io.BytesIO(write_all(items))) as archive:
        names = [name for name in archive.namelist() if name.endswith(".txt")]
    assert names == ["etc_passwd.txt", "a_b.txt", "a_b-2.txt", "A_B-3.txt", "document.txt", "_CON.txt",
                     "document-2.txt"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_random_texts_and_spans_survive_write_then_read(record):
    ((location, back),) = read_all(write_all([record]))
    assert back["text"] == record["text"]
    assert span_view(back) == span_view(record)
    assert relation_view(back) == relation_view(record)
    assert check_record(back, location) == []


def test_write_streams_one_document_at_a_time():
    endless = ({"id": f"doc{n}", "text": f"article {n} " * 200} for n in itertools.count())
    chunks = brat.write(endless)
    sizes = [len(next(chunks)) for _ in range(5)]
    assert all(0 < size < 2000 for size in sizes)  # one compressed .txt/.ann pair each, not the archive


def test_module_constants():
    assert (brat.CONTENT_TYPE, brat.EXTENSION) == ("application/zip", "zip")


def test_reads_from_a_stream_that_cannot_seek():
    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self._data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            chunk = self._data.read(len(buffer))
            buffer[:len(chunk)] = chunk
            return len(chunk)

    items = list(brat.read(Pipe(make_zip({"doc1.txt": TEXT, "doc1.ann": ANN}))))
    assert outcome(items) == [("doc1", "record")]


def test_entries_with_no_name_are_ignored():
    assert outcome(read_all(make_zip({".": "x", "doc1.txt": TEXT}))) == [("doc1", "record")]


def test_numbers_int_cannot_read_are_reported_not_crashed_on():
    ann = ("T1\tActor ² 13\tSergei Lavrov\n"  # "²".isdigit(), but int("²") fails
           f"T2\tCue 14 {'9' * 5000}\tsaid\n")
    assert outcome(read_all(make_zip({"doc1.txt": TEXT, "doc1.ann": ann}))) == [
        ("doc1.ann line 1", "doc1.ann line 1: T1: offsets must be two whole numbers, found '² 13'"),
        ("doc1.ann line 2", "doc1.ann line 2: T2: offsets '14 99999999999999999999999999999999999999999999999999"
                            "999999…' are far beyond the end of doc1.txt"),
    ]


def test_ids_that_are_not_ascii_numbers_are_renumbered():
    ann = "T²\tActor 0 13\tSergei Lavrov\nN1\tReference T² Factmark:²\tSergei Lavrov\n"
    ((location, record),) = read_all(make_zip({"doc1.txt": TEXT, "doc1.ann": ann}))
    (span,) = record["annotations"][0]["spans"]
    assert (span["id"], span["entity"]) == (1, 1)
    assert [(entity["id"], entity["name"]) for entity in record["entities"]] == [(1, "Sergei Lavrov")]
    assert check_record(record, location) == []


def test_zip_headers_zipfile_cannot_read_are_reported_not_crashed_on():
    plain = make_zip({"doc1.txt": TEXT})
    version = bytearray(plain)  # the central directory asks for a zip version zipfile lacks
    version[version.find(b"PK\x01\x02") + 6] = 0xFF
    offset = bytearray(plain)  # the central directory says it starts 1000 bytes further than it does
    end = offset.rfind(b"PK\x05\x06")
    offset[end + 16:end + 20] = (int.from_bytes(offset[end + 16:end + 20], "little") + 1000).to_bytes(4, "little")
    name = make_zip({"docé.txt": TEXT}).replace("docé".encode(), b"doc\xff\xff")  # flagged UTF-8, is not

    assert outcome(read_all(bytes(version))) == [
        ("zip", "zip: this zip file cannot be read (zip file version 25.5); zip it again")]
    assert outcome(read_all(bytes(offset))) == [
        ("doc1.txt", "doc1.txt: cannot be read from the zip: negative seek value -1000")]
    assert outcome(read_all(name)) == [("zip", "zip: a file name in the zip is not UTF-8 (byte 0xff); zip it again")]
