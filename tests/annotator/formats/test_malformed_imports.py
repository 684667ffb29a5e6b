"""Malformed files in every readable format: an import refuses them with a list of errors,
never crashes on them and never saves part of them (docs/design.md, rule 4).

Each example starts from a valid file of one format and breaks it: values of the wrong
type where offsets, labels, ids or relation ends belong, keys left out, values wrapped in
lists or objects, deep nesting, huge or negative numbers, ``NaN``, bad UTF-8, truncation,
odd zip entry names, ``.ann`` lines with fields missing, CSV rows with cells missing. The
only outcomes allowed are a saved import or :class:`ImportRefused` with nothing saved.
The examples are derandomised, so every run checks the same files.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import warnings
import zipfile
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.datasets import ImportRefused, import_records
from annotator.formats import READABLE
from annotator.models import AnnotationSet, Entity, Label, Relation, RelationType, Span
from articles.models import Article
from tests.factories import make_project

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

TEXT = "“Russia is a key partner,” said Jong Ui Young. Sergei Lavrov agreed 🚀 in Moscow."
QUOTE, CUE, SPEAKER, LAVROV = (0, 26), (27, 31), (32, 45), (47, 60)


def at(span: tuple[int, int]) -> str:
    return TEXT[span[0]:span[1]]


# --- valid files, one per format ------------------------------------------------------------

JSONL = [{
    "id": "talks", "title": "Moscow talks", "text": TEXT, "meta": {"source": "Kommersant", "published": "2021-10-28"},
    "annotations": [{"annotator": "annotator1", "gold": False, "status": "submitted", "spans": [
        {"id": 1, "label": "Quote", "start": QUOTE[0], "end": QUOTE[1], "text": at(QUOTE),
         "attributes": {"type": "direct"}, "entity": None, "note": ""},
        {"id": 2, "label": "Actor", "start": SPEAKER[0], "end": SPEAKER[1], "text": at(SPEAKER),
         "attributes": {"kind": "person"}, "entity": 5, "note": "Foreign minister"},
    ], "relations": [{"type": "said_by", "source": 1, "target": 2}]}],
    "entities": [{"id": 5, "name": "Jong Ui Young", "kind": "person", "aliases": ["Jung Ui Young"],
                  "wikidata": "Q42"}],
}]

DOCCANO = [
    {"id": 1287, "text": TEXT, "entities": [
        {"id": 3391, "label": "Quote", "start_offset": QUOTE[0], "end_offset": QUOTE[1]},
        {"id": 3392, "label": "Actor", "start_offset": SPEAKER[0], "end_offset": SPEAKER[1]},
        {"id": 3393, "label": "Cue", "start_offset": CUE[0], "end_offset": CUE[1]},
    ], "relations": [{"id": 51, "from_id": 3391, "to_id": 3392, "type": "said_by"},
                     {"id": 52, "from_id": 3391, "to_id": 3393, "type": "cue"}],
     "Comments": [], "source": "Kommersant", "meta": {"published": "2021-10-28"}},
    {"id": 1288, "text": "Kim In Chol criticized the United States.", "label": [[0, 11, "Actor"], [27, 40, "Actor"]]},
]


def region(region_id: str, span: tuple[int, int], label: str, **extra) -> dict:
    return {"id": region_id, "type": "labels", "from_name": "label", "to_name": "text",
            "value": {"start": span[0], "end": span[1], "text": at(span), "labels": [label]}, **extra}


LABEL_STUDIO = [{
    "id": 101, "data": {"text": TEXT, "title": "Moscow talks", "source": "Kommersant"},
    "annotations": [
        {"id": 9, "completed_by": 1, "created_username": "annotator1@example.org, 1", "was_cancelled": False,
         "ground_truth": False, "result": [
             region("q1", QUOTE, "Quote"),
             region("a1", SPEAKER, "Actor", meta={"text": ["South Korean FM"]}),
             region("c1", CUE, "Cue"),
             {"id": "q1", "type": "choices", "from_name": "type", "to_name": "text",
              "value": {"start": QUOTE[0], "end": QUOTE[1], "text": at(QUOTE), "choices": ["direct"]}},
             {"id": "a1", "type": "textarea", "from_name": "note", "to_name": "text", "value": {"text": ["FM"]}},
             {"from_id": "q1", "to_id": "a1", "type": "relation", "direction": "right", "labels": ["said_by"]},
             {"from_id": "c1", "to_id": "q1", "type": "relation", "direction": "left", "labels": ["cue"]},
         ]},
        {"id": 10, "completed_by": {"id": 2, "email": "rev@example.org"}, "ground_truth": True,
         "result": [region("x7", LAVROV, "Actor")]},
    ],
    "predictions": [{"id": 4, "model_version": "ner-v2", "result": [region("p1", LAVROV, "Actor")]}],
    "meta": {"batch": 3},
}]

BRAT_TEXT = "Sergei Lavrov said Seoul is a partner.\nKim In Chol criticized the United States 🇺🇸.\n"
BRAT_ANN = [
    "T1\tActor 0 13\tSergei Lavrov",
    "T2\tCue 14 18\tsaid",
    "T3\tQuote 19 37\tSeoul is a partner",
    "T4\tActor 39 50\tKim In Chol",
    "T5\tClaim 39 82\tKim In Chol criticized the United States 🇺🇸",
    "R1\tsaid_by Arg1:T3 Arg2:T1",
    "R2\tclaimed_by Arg1:T5 Arg2:T4\t",
    "A1\ttype T3 indirect",
    "A2\tcheckworthy T5",
    "M3\tverdict T5 mostly-false",
    "N1\tReference T1 Wikidata:Q1234\tSergei Lavrov",
    "N2\tReference T4 Factmark:12\tKim In Chol",
    "#1\tAnnotatorNotes T4\tAlso spelled Kim In Chul",
]
BRAT = {"news/doc1.txt": BRAT_TEXT, "news/doc1.ann": "\n".join(BRAT_ANN) + "\n",
        "news/doc2.txt": "A quiet day in Seoul.", "news/annotation.conf": "[entities]\nActor\n"}

CSV_ROWS = [
    ["id", "title", "text", "source", "url", "published", "author", "language", "section"],
    ["seed-1", "Seoul counts on Moscow", "Jong Ui Young\r\ncompleted his visit.", "Kommersant",
     "https://example.org/1", "2021-10-28", "", "en", "World"],
    ["seed-2", "No meta", "Kim In Chol criticized the United States.", "", "", "", "", "", ""],
]


# --- what goes where a value belongs ---------------------------------------------------------

DEEP = "\x00deep\x00"  # replaced by arrays nested deeper than any parser's stack
NESTED = "\x00nested\x00"  # replaced by arrays nested nearly as deep as Python's recursion limit
HUGE = "\x00huge\x00"  # replaced by an integer longer than Python converts from text
SPLICED = {json.dumps(DEEP): "[" * 5000 + "]" * 5000, json.dumps(NESTED): "[" * 900 + "]" * 900,
           json.dumps(HUGE): "9" * 5000}
VALUES = [None, True, False, 0, -1, -7, 1.5, -0.0, 1e308, float("nan"), float("-inf"), 2**64, 10**30,
          "", " ", "nan", "NaN", "1", "-1", "0x10", "²", "T1", "Actor", "said_by", "person", "Q42", "Q" + "1" * 30,
          "\x00", "\ud800", "x" * 300,
          [], {}, [1], [None], [[0, 5, "Actor"]], [0, 5], {"id": 1}, {"start": 0, "end": 5}, ["Actor", ["x"]],
          json.loads("[" * 20 + "1" + "]" * 20), DEEP, NESTED, HUGE]
KEYS = ["id", "text", "title", "meta", "label", "labels", "entities", "relations", "annotations", "spans",
        "start", "end", "start_offset", "end_offset", "from_id", "to_id", "source", "target", "type", "data",
        "predictions", "result", "value", "choices", "from_name", "completed_by", "created_username",
        "ground_truth", "was_cancelled", "external_id", "direction", "annotator", "gold", "status", "entity",
        "attributes", "note", "name", "kind", "aliases", "wikidata", "published", "url", "score"]


def paths(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*path, index))
    return found


def get(tree: Any, path: tuple) -> Any:
    for step in path:
        tree = tree[step]
    return tree


def put(tree: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    get(tree, path[:-1])[path[-1]] = value
    return tree


@st.composite
def broken_tree(draw, tree: Any) -> Any:
    """``tree`` (a parsed JSON document) with one to four things changed."""
    tree = copy.deepcopy(tree)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths(tree)))
        value = get(tree, path)
        change = draw(st.sampled_from(["replace", "drop", "wrap in list", "wrap in object", "graft", "add key",
                                       "duplicate"]))
        if change == "replace":
            tree = put(tree, path, copy.deepcopy(draw(st.sampled_from(VALUES))))
        elif change == "drop" and path:
            del get(tree, path[:-1])[path[-1]]
        elif change == "wrap in list":
            tree = put(tree, path, [value])
        elif change == "wrap in object":
            tree = put(tree, path, {"value": value})
        elif change == "graft":  # a piece of the same file where another belongs
            tree = put(tree, path, copy.deepcopy(get(tree, draw(st.sampled_from(paths(tree))))))
        elif change == "add key" and isinstance(value, dict):
            value[draw(st.sampled_from(KEYS))] = copy.deepcopy(draw(st.sampled_from(VALUES)))
        elif change == "duplicate" and isinstance(value, list) and value:
            value.append(copy.deepcopy(draw(st.sampled_from(value))))
    return tree


def dump(value: Any) -> str:
    text = json.dumps(value)  # ASCII only, so that a lone surrogate is written as \ud800
    for placeholder, replacement in SPLICED.items():
        text = text.replace(placeholder, replacement)
    return text


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """``data``, or ``data`` cut short, with a byte that is not UTF-8, a BOM or CRLF line ends."""
    change = draw(st.sampled_from(["none", "none", "truncate", "bad byte", "bom", "crlf", "empty"]))
    if change == "truncate":
        return data[:draw(st.integers(0, max(len(data) - 1, 0)))]
    if change == "bad byte":
        position = draw(st.integers(0, len(data)))
        return data[:position] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"])) + data[position:]
    if change == "bom":
        return b"\xef\xbb\xbf" + data
    if change == "crlf":
        return data.replace(b"\n", b"\r\n")
    if change == "empty":
        return b""
    return data


def jsonl_bytes(lines: Any) -> bytes:
    return "".join(dump(line) + "\n" for line in (lines if isinstance(lines, list) else [lines])).encode("utf-8")


@st.composite
def jsonl_files(draw, sample: list[dict]) -> bytes:
    return draw(damaged(jsonl_bytes(draw(broken_tree(sample)))))


@st.composite
def label_studio_files(draw) -> bytes:
    return draw(damaged(dump(draw(broken_tree(LABEL_STUDIO))).encode("utf-8")))


# --- brat: .ann lines and zip entries ----------------------------------------------------------

ANN_TOKENS = ["", " ", "-1", "0", "999999", "9" * 5000, "²", "١٢", "1;2", "0 5;6 8", "T1", "T99", "T²", "R1", "A1",
              "N1", "#1", "Arg1:", "Arg1:T1", "Arg2:T99", "Arg1:R1", ":", "Actor", "Place", "said_by", "Factmark:",
              "Factmark:²", "Factmark:99999999999999999999999", "Wikidata:Q", "Wikidata:", "Wikidata:Q" + "1" * 30,
              "x\ty", "*", "E1", "\x00", "\u2028"]
ANN_LINES = ["R9\tsaid_by Arg1:T1", "R9\tsaid_by Arg1 Arg2", "R9\tsaid_by", "R9", "T9", "T9\tActor", "T9\tActor 5",
             "T9\tActor 5 x\tx", "T9\tActor 0 5;6 8\tx", "T²\tActor 0 6\tSergei", "A9\tflag", "A9", "A9\tflag R1",
             "N9\tReference", "N9\tReference T1 nocolon", "N9\tReference T1 Factmark:²\tx", "#9\tAnnotatorNotes",
             "#9\tAnnotatorNotes R1\tx", "E1\tEvent:T1", "*\tAlias T1 T4", "X1\tfoo", "\t", "\t\t\t",
             "T1\tActor 0 13\tSergei Lavrov"]
ZIP_NAMES = [".", "..", "../doc1.txt", "/abs/doc1.txt", "C:doc1.txt", "news\\doc1.ann", "doc1.TXT", "doc1.ann.txt",
             "__MACOSX/news/doc1.txt", "news/._doc1.txt", "other/doc1.txt", ".txt", ".ann", "x" * 250 + ".txt",
             "doc\x00.txt", "doc1", "annotation.conf", "news/", "news/doc1.ann/", "α/δ.ann"]


@st.composite
def ann_lines(draw) -> list[str]:
    """The lines of ``BRAT_ANN`` with one to four tokens, fields or lines changed."""
    lines = list(BRAT_ANN)
    for _ in range(draw(st.integers(1, 4))):
        change = draw(st.sampled_from(["token", "drop token", "drop field", "drop line", "add line", "same id"]))
        if change == "add line" or not lines:
            lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(ANN_LINES)))
            continue
        number = draw(st.integers(0, len(lines) - 1))
        if change == "drop line":
            del lines[number]
            continue
        fields = [field.split(" ") for field in lines[number].split("\t")]
        field, token = draw(st.sampled_from([(f, t) for f, tokens in enumerate(fields) for t in range(len(tokens))]))
        if change == "token":
            fields[field][token] = draw(st.sampled_from(ANN_TOKENS))
        elif change == "drop token":
            del fields[field][token]
        elif change == "drop field":
            del fields[field]
        else:  # the id of another line
            fields[0] = [draw(st.sampled_from(lines)).split("\t")[0]]
        lines[number] = "\t".join(" ".join(tokens) for tokens in fields)
    return lines


def zip_bytes(files: list[tuple[str, bytes | str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the same name twice is one of the changes
        for name, content in files:
            archive.writestr(zipfile.ZipInfo(name), content)
    return buffer.getvalue()


@st.composite
def brat_files(draw) -> bytes:
    """``BRAT`` with its .ann changed, entries renamed, added or damaged, and the zip itself damaged."""
    files: list[tuple[str, bytes]] = [(name, content.encode("utf-8")) for name, content in BRAT.items()]
    files[1] = ("news/doc1.ann", ("\n".join(draw(ann_lines())) + "\n").encode("utf-8", "surrogatepass"))
    for _ in range(draw(st.integers(0, 2))):
        change = draw(st.sampled_from(["rename", "add", "damage", "duplicate"]))
        index = draw(st.integers(0, len(files) - 1))
        name, content = files[index]
        if change == "rename":
            files[index] = (draw(st.sampled_from(ZIP_NAMES)), content)
        elif change == "add":
            files.append((draw(st.sampled_from(ZIP_NAMES)), content))
        elif change == "damage":
            files[index] = (name, draw(damaged(content)))
        else:
            files.append((name, content))
    data = zip_bytes(files)
    change = draw(st.sampled_from(["none", "none", "truncate", "flip", "flip in a header"]))
    if change == "truncate":
        data = data[:draw(st.integers(0, len(data) - 1))]
    elif change in ("flip", "flip in a header"):
        position = draw(st.integers(0, len(data) - 1))
        if change == "flip in a header":  # versions, flags, sizes, name lengths, offsets
            headers = [index for index in range(len(data)) if data.startswith(b"PK", index)]
            position = min(draw(st.sampled_from(headers)) + draw(st.integers(4, 45)), len(data) - 1)
        data = data[:position] + bytes([data[position] ^ draw(st.integers(1, 255))]) + data[position + 1:]
    return data


# --- CSV ---------------------------------------------------------------------------------------

CELLS = ["", " ", "text", "id", "TEXT", "external_id", "=1+1", "\x00", "x" * 300, "2021-13-45", "not a url",
         "javascript:alert(1)", '"', 'a"b', "\r", "\n", "x;y", "\t", "é", "\ud800"]


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode("utf-8", "surrogatepass")


@st.composite
def csv_files(draw) -> bytes:
    """``CSV_ROWS`` with cells, rows or columns changed, written with any delimiter or by hand."""
    rows = [list(row) for row in CSV_ROWS]
    for _ in range(draw(st.integers(1, 4))):
        change = draw(st.sampled_from(["cell", "drop cell", "add cell", "drop row", "duplicate row", "drop column"]))
        row = draw(st.integers(0, len(rows) - 1)) if rows else None
        if row is None:
            break
        column = draw(st.integers(0, len(rows[row]))) if change == "add cell" else (
            draw(st.integers(0, len(rows[row]) - 1)) if rows[row] else None)
        if change == "cell" and column is not None:
            rows[row][column] = draw(st.sampled_from(CELLS))
        elif change == "drop cell" and column is not None:
            del rows[row][column]
        elif change == "add cell":
            rows[row].insert(column, draw(st.sampled_from(CELLS)))
        elif change == "drop row":
            del rows[row]
        elif change == "duplicate row":
            rows.append(list(rows[row]))
        elif change == "drop column" and column is not None:
            for cells in rows:
                if column < len(cells):
                    del cells[column]
    if draw(st.booleans()):
        data = csv_bytes(rows, draw(st.sampled_from([",", ";", "\t"])))
    else:  # written by hand: quotes left unbalanced
        data = "".join(",".join(cells) + "\r\n" for cells in rows).encode("utf-8", "surrogatepass")
    return draw(damaged(data))


# --- WebAnno TSV: token lines, columns and zip entries --------------------------------------------

WEBANNO_TEXT = "“Russia is a key partner,” said Jong Ui Young 🚀."
WEBANNO_ROWS = [
    ("1-1", "0-1", "“", "Quote[1]", "direct[1]", "*[1]", "_", "_"),
    ("1-2", "1-7", "Russia", "Quote[1]", "direct[1]", "*[1]", "_", "_"),
    ("1-2.1", "1-4", "Rus", "Actor", "*", "person", "_", "_"),
    ("1-3", "8-10", "is", "Quote[1]", "direct[1]", "*[1]", "_", "_"),
    ("1-4", "11-12", "a", "Quote[1]", "direct[1]", "*[1]", "_", "_"),
    ("1-5", "13-16", "key", "Quote[1]", "direct[1]", "*[1]", "_", "_"),
    ("1-6", "17-24", "partner", "Quote[1]", "direct[1]", "*[1]", "_", "_"),
    ("1-7", "24-25", ",", "Quote[1]", "direct[1]", "*[1]", "_", "_"),
    ("1-8", "25-26", "”", "Quote[1]", "direct[1]", "*[1]", "_", "_"),
    ("1-9", "27-31", "said", "Cue", "*", "*", "cue", "1-1"),
    ("1-10", "32-36", "Jong", "Actor[2]", "*[2]", "person[2]", "said\\_by", "1-1"),
    ("1-11", "37-39", "Ui", "Actor[2]", "*[2]", "person[2]", "_", "_"),
    ("1-12", "40-45", "Young", "Actor[2]", "*[2]", "person[2]", "_", "_"),
    ("1-13", "46-48", "🚀", "_", "_", "_", "_", "_"),
    ("1-14", "48-49", ".", "_", "_", "_", "_", "_"),
]
WEBANNO_LINES = ["#FORMAT=WebAnno TSV 3.3", "#T_SP=webanno.custom.Span|label|type|kind",
                 "#T_RL=webanno.custom.Relation|label|BT_webanno.custom.Span", "", "",
                 "#Text=" + WEBANNO_TEXT, *("\t".join(row) + "\t" for row in WEBANNO_ROWS)]
WEBANNO = {"annotation/talks.txt/anna.tsv": "\n".join(WEBANNO_LINES) + "\n",
           "annotation/talks.txt/ben.tsv": "\n".join(WEBANNO_LINES) + "\n",
           "curation/talks.txt/CURATION_USER.tsv": "\n".join(WEBANNO_LINES) + "\n",
           "source/talks.txt": WEBANNO_TEXT, "exportedproject.json": "{}"}
TSV_FIELDS = ["", " ", "_", "*", "*[1]", "*[2]", "[1]", "X[99]", "X[0]", "X[1_2]", "X[", "X\\]", "1-1", "1-9",
              "1-1[0_1]", "1-1[9_9]", "1-1.1", "0-0", "5-3", "0-99", "-1", "1-", "9" * 30 + "-" + "9" * 31, "²-³", "\\",
              "\\_", "|", "a|b", "|||", "->", "*->1-1", "x->9-9", "coref->1-1[2]", "😊", "\x00", "\ud800", "\u2028",
              "BT_"]
TSV_LINES = ["", "#Text=", "#Text=extra words", "#T_SP=webanno.custom.Late|x", "#T_RL=x|BT_y",
             "#FORMAT=WebAnno TSV 3.3", "#Sentence.id=s1", "1-9\t0-4\tThis", "1-1.5\t0-0\t\t*\t*\t*\t_\t_", "\t\t\t",
             "2-1\t60-61\tx\t_\t_\t_\t_\t_", "1-15\t49-49\t\tActor\t*\t*\t_\t_",
             "#T_CH=webanno.custom.Ref|referenceType|referenceRelation"]


@st.composite
def webanno_lines(draw) -> list[str]:
    """``WEBANNO_LINES`` with one to four fields or lines changed."""
    lines = list(WEBANNO_LINES)
    for _ in range(draw(st.integers(1, 4))):
        change = draw(st.sampled_from(["field", "field", "drop field", "add field", "drop line", "add line",
                                       "duplicate line"]))
        number = draw(st.integers(0, len(lines) - 1)) if lines else None
        if change == "add line" or number is None:
            lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(TSV_LINES)))
        elif change == "drop line":
            del lines[number]
        elif change == "duplicate line":
            lines.insert(number, lines[number])
        else:
            fields = lines[number].split("\t")
            index = draw(st.integers(0, len(fields) - (0 if change == "add field" else 1)))
            if change == "field":
                fields[index] = draw(st.sampled_from(TSV_FIELDS))
            elif change == "drop field":
                del fields[index]
            else:
                fields.insert(index, draw(st.sampled_from(TSV_FIELDS)))
            lines[number] = "\t".join(fields)
    return lines


@st.composite
def webanno_files(draw) -> bytes:
    """A single TSV or INCEpTION's project zip, with its lines, entries or bytes changed."""
    tsv = ("\n".join(draw(webanno_lines())) + "\n").encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        return draw(damaged(tsv))
    files: list[tuple[str, bytes]] = [(name, content.encode("utf-8")) for name, content in WEBANNO.items()]
    changed = draw(st.integers(0, 2))
    files[changed] = (files[changed][0], draw(damaged(tsv)))
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from([*ZIP_NAMES, "annotation/talks.txt/", "annotation/x.tsv", "source/talks.txt",
                                     "curation/talks.txt/a.tsv", "annotation/talks.txt/anna.tsv", "a/b/c/d.tsv"]))
        files.append((name, draw(st.sampled_from([tsv, b"", b"\xff"]))))
    data = zip_bytes(files)
    if draw(st.booleans()):
        position = draw(st.integers(0, len(data) - 1))
        data = data[:position] + bytes([data[position] ^ draw(st.integers(1, 255))]) + data[position + 1:]
    return data


# --- the checks ----------------------------------------------------------------------------------

MODELS = (Article, AnnotationSet, Span, Relation, Entity, Label, RelationType)


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in MODELS)


def import_outcome(fmt: str, data: bytes, add_labels: bool, **options) -> str:
    """Import ``data`` into a new project: ``"saved"`` or ``"refused"`` (nothing saved)."""
    project = make_project()
    before = counts()
    try:
        import_records(project, READABLE[fmt].read(io.BytesIO(data), **options), user=None, source_name="upload",
                       add_labels=add_labels)
    except ImportRefused as refused:
        assert refused.errors and all(isinstance(error, str) and error for error in refused.errors)
        assert counts() == before, "a refused import saved something"
        return "refused"
    return "saved"


@pytest.mark.parametrize("fmt, data", [
    ("jsonl", jsonl_bytes(JSONL)),
    ("doccano", jsonl_bytes(DOCCANO)),
    ("labelstudio", dump(LABEL_STUDIO).encode("utf-8")),
    ("brat", zip_bytes(list(BRAT.items()))),
    ("csv", csv_bytes(CSV_ROWS)),
    ("webanno", zip_bytes([(name, content.encode("utf-8")) for name, content in WEBANNO.items()])),
    ("webanno", ("\n".join(WEBANNO_LINES) + "\n").encode("utf-8")),
])
def test_the_files_the_examples_start_from_import(fmt, data):
    assert import_outcome(fmt, data, add_labels=False) == "saved"


OFFSETS = st.sampled_from(["codepoints", "utf16"])


@FUZZ
@given(data=jsonl_files(JSONL), add_labels=st.booleans())
def test_malformed_jsonl_is_refused_or_imported_never_crashed_on(data, add_labels):
    import_outcome("jsonl", data, add_labels)


@FUZZ
@given(data=jsonl_files(DOCCANO), add_labels=st.booleans(), offsets=OFFSETS)
def test_malformed_doccano_is_refused_or_imported_never_crashed_on(data, add_labels, offsets):
    import_outcome("doccano", data, add_labels, offsets=offsets)


@FUZZ
@given(data=label_studio_files(), add_labels=st.booleans(), offsets=OFFSETS)
def test_malformed_label_studio_is_refused_or_imported_never_crashed_on(data, add_labels, offsets):
    import_outcome("labelstudio", data, add_labels, offsets=offsets)


@FUZZ
@given(data=brat_files(), add_labels=st.booleans())
def test_malformed_brat_is_refused_or_imported_never_crashed_on(data, add_labels):
    import_outcome("brat", data, add_labels)


@FUZZ
@given(data=csv_files(), add_labels=st.booleans())
def test_malformed_csv_is_refused_or_imported_never_crashed_on(data, add_labels):
    import_outcome("csv", data, add_labels)


@FUZZ
@given(data=webanno_files(), add_labels=st.booleans())
def test_malformed_webanno_is_refused_or_imported_never_crashed_on(data, add_labels):
    import_outcome("webanno", data, add_labels)
