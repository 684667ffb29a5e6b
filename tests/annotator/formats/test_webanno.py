import io
import json
import zipfile

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings

from annotator.formats import webanno
from annotator.formats.common import FormatError, check_record, make_record, make_relation, make_set, make_span
from annotator.formats.webanno.escaping import escape_text, escape_value, unescape_text, unescape_value
from annotator.models import AnnotationSet, Relation, Span
from tests import factories as db

from .samples import records, relation_view, seed_record, span_view

# Files written by hand from INCEpTION's "WebAnno TSV 3.3 File format" description.

NAMED_ENTITIES = (
    "#FORMAT=WebAnno TSV 3.3\n"
    "#T_SP=de.tudarmstadt.ukp.dkpro.core.api.lexmorph.type.pos.POS|PosValue\n"
    "#T_SP=de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity|identifier|value\n"
    "\n\n"
    "#Text=Ms. Haag plays Elianti .\n"
    "1-1\t0-3\tMs.\tNNP\t*[1]|*[2]\tPER[1]|PERpart[2]\n"
    "1-2\t4-8\tHaag\tNNP\t*[1]\tPER[1]\n"
    "1-3\t9-14\tplays\tVBD\t_\t_\n"
    "1-4\t15-22\tElianti\tNNP\thttp://www.wikidata.org/entity/Q42\tWORK\n"
    "1-5\t23-24\t.\t.\t_\t_\n"
)

# Sub-tokens, an emoji (two UTF-16 units), escaped characters in #Text and in values, a tab
# and a line break inside a sentence, a multi-token annotation stacked with a single-token
# one, and a relation whose source is picked out by its [n_m] ids.
CUSTOM = (
    "#FORMAT=WebAnno TSV 3.3\n"
    "#T_SP=webanno.custom.Claim|label|verdict\n"
    "#T_RL=webanno.custom.Link|label|BT_webanno.custom.Claim\n"
    "\n\n"
    "#Sentence.id=s1\n"
    "#Text=Musk 🚀 says:\\tC:\\\\x is\n"
    "#Text=fine .\n"
    "1-1\t0-4\tMusk\ta\\|b \\[x\\]\\_y\\*[1]|Actor[2]\t\\->\\;[1]|*[2]\t_\t_\t\n"
    "1-2\t5-7\t🚀\ta\\|b \\[x\\]\\_y\\*[1]\t\\->\\;[1]\t_\t_\t\n"
    "1-3\t8-12\tsays\ta\\|b \\[x\\]\\_y\\*[1]\t\\->\\;[1]\t_\t_\t\n"
    "1-3.1\t8-11\tsay\tCue\t*\tcue\\_of\t1-1[2_0]\t\n"
    "1-4\t12-13\t:\t_\t_\t_\t_\t\n"
    "1-5\t14-18\tC:\\\\x\t_\t_\t_\t_\t\n"
    "1-6\t19-21\tis\t_\t_\t_\t_\t\n"
    "1-7\t22-26\tfine\tClaim\ttrue\t_\t_\t\n"
    "1-8\t27-28\t.\t_\t_\t_\t_\t\n"
)
CUSTOM_TEXT = "Musk 🚀 says:\tC:\\x is\nfine ."

CHAIN = (
    "#FORMAT=WebAnno TSV 3.3\n"
    "#T_CH=de.tudarmstadt.ukp.dkpro.core.api.coref.type.CoreferenceLink|referenceType|referenceRelation\n"
    "\n\n"
    "#Text=He shot himself with his revolver.\n"
    "1-1\t0-2\tHe\tpr[1]\tcoref->1-1\n"
    "1-2\t3-7\tshot\t_\t_\n"
    "1-3\t8-15\thimself\tpr[1]\tcoref->1-2\n"
    "1-4\t16-20\twith\t_\t_\n"
    "1-5\t21-24\this\tpr[1]\t*->1-3\n"
    "1-6\t25-33\trevolver\t_\t_\n"
    "1-7\t33-34\t.\t_\t_\n"
)

AMBIGUOUS_RELATION = (
    "#FORMAT=WebAnno TSV 3.3\n"
    "#T_SP=de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity|value\n"
    "#T_RL=webanno.custom.Relation|value|BT_de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity\n"
    "\n\n"
    "#Text=This is a test .\n"
    "1-1\t0-4\tThis\t*\t_\t_\n"
    "1-2\t5-7\tis\t_\t_\t_\n"
    "1-3\t8-9\ta\t_\t_\t_\n"
    "1-4\t10-14\ttest\t_\t_\t_\n"
    "1-5\t15-16\t.\t*[1]|*[2]\t*\t1-1[0_1]\n"
)

# Two sentences with a gap between them, a span across the sentence break, no features.
CROSS_SENTENCE = (
    "#FORMAT=WebAnno TSV 3.3\n"
    "#T_SP=webanno.custom.SimpleSpan|\n"
    "\n\n"
    "#Text=He loves her .\n"
    "1-1\t0-2\tHe\t_\t\n"
    "1-2\t3-8\tloves\t_\t\n"
    "1-3\t9-12\ther\t*[1]\t\n"
    "1-4\t13-14\t.\t*[1]\t\n"
    "\n"
    "#Text=She loves him .\n"
    "2-1\t16-19\tShe\t*[1]\t\n"
    "2-2\t20-25\tloves\t_\t\n"
    "2-3\t26-29\thim\t_\t\n"
    "2-4\t30-31\t.\t_\t\n"
)


def read_all(data: bytes, **options):
    return list(webanno.read(io.BytesIO(data), **options))


def only_record(data: bytes | str, **options) -> dict:
    items = read_all(data.encode("utf-8") if isinstance(data, str) else data, **options)
    errors = [str(item) for _, item in items if isinstance(item, FormatError)]
    assert not errors, errors
    ((location, record),) = items
    assert check_record(record, location) == []
    return record


def errors_of(data: bytes | str, **options) -> list[str]:
    items = read_all(data.encode("utf-8") if isinstance(data, str) else data, **options)
    assert all(isinstance(item, FormatError) for _, item in items), "a broken file must yield no record"
    return [str(item) for _, item in items]


def make_zip(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return buffer.getvalue()


def spans_of(record: dict, set_index: int = 0) -> list[tuple]:
    return [(s["label"], s["start"], s["end"], s["text"], s["attributes"])
            for s in record["annotations"][set_index]["spans"]]


# --- reading files in the shape of the specification ----------------------------------------------


def test_named_entities_multi_token_and_stacked_with_entity_links():
    record = only_record(NAMED_ENTITIES, name="haag")
    assert record["id"] == "haag" and record["text"] == "Ms. Haag plays Elianti ."
    named = [span for span in spans_of(record) if span[0] not in ("NNP", "VBD", ".")]
    assert named == [("PER", 0, 8, "Ms. Haag", {}), ("PERpart", 0, 3, "Ms.", {}), ("WORK", 15, 22, "Elianti", {})]
    pos = [span[:4] for span in spans_of(record) if span[0] in ("NNP", "VBD", ".")]
    assert pos[:3] == [("NNP", 0, 3, "Ms."), ("NNP", 4, 8, "Haag"), ("VBD", 9, 14, "plays")]
    (entity,) = record["entities"]
    assert (entity["name"], entity["wikidata"]) == ("Elianti", "Q42")
    (work,) = [s for s in record["annotations"][0]["spans"] if s["label"] == "WORK"]
    assert work["entity"] == entity["id"]
    assert record["annotations"][0]["annotator"] is None


def test_custom_layer_sub_tokens_emoji_escapes_and_a_disambiguated_relation():
    record = only_record(CUSTOM)
    assert record["text"] == CUSTOM_TEXT
    assert spans_of(record) == [
        ("a|b [x]_y*", 0, 11, "Musk 🚀 says", {"verdict": "->;"}),
        ("Actor", 0, 4, "Musk", {}),
        ("Cue", 7, 10, "say", {}),
        ("Claim", 21, 25, "fine", {"verdict": "true"}),
    ]
    assert relation_view(record) == [("cue_of", ("Actor", 0, 4), ("Cue", 7, 10))]


def test_relation_ids_pick_one_of_stacked_annotations():
    record = only_record(AMBIGUOUS_RELATION)
    spans = record["annotations"][0]["spans"]
    assert [(s["label"], s["start"], s["end"]) for s in spans] == [
        ("NamedEntity", 0, 4), ("NamedEntity", 15, 16), ("NamedEntity", 15, 16)]
    (relation,) = record["annotations"][0]["relations"]
    assert (relation["type"], relation["source"], relation["target"]) == ("Relation", spans[0]["id"], spans[1]["id"])


def test_chains_become_spans_joined_by_relations():
    record = only_record(CHAIN)
    assert spans_of(record) == [("Coreference", 0, 2, "He", {"referenceType": "pr"}),
                                ("Coreference", 8, 15, "himself", {"referenceType": "pr"}),
                                ("Coreference", 21, 24, "his", {"referenceType": "pr"})]
    assert relation_view(record) == [("coref", ("Coreference", 0, 2), ("Coreference", 8, 15)),
                                     ("coref", ("Coreference", 8, 15), ("Coreference", 21, 24))]


def test_cross_sentence_span_and_the_gap_between_sentences():
    record = only_record(CROSS_SENTENCE)
    assert record["text"] == "He loves her .\n She loves him ."  # as INCEpTION fills a gap
    assert spans_of(record) == [("SimpleSpan", 9, 19, "her .\n She", {})]


def test_emoji_offsets_in_utf16_as_in_inceptions_own_test_file():
    data = ("#FORMAT=WebAnno TSV 3.3\n#T_SP=webanno.custom.Span|value\n\n\n#Text=I like it 😊 .\n"
            "1-1\t0-1\tI\t_\t\n1-2\t2-6\tlike\t_\t\n1-3\t7-9\tit\t_\t\n1-4\t10-12\t😊\t*\t\n1-5\t13-14\t.\tok\t\n")
    record = only_record(data)
    assert spans_of(record) == [("Span", 10, 11, "😊", {}), ("ok", 12, 13, ".", {})]


def test_crlf_line_ends_and_a_byte_order_mark_are_read():
    record = only_record(("\ufeff" + CHAIN.replace("\n", "\r\n")).encode("utf-8"))
    assert len(record["annotations"][0]["spans"]) == 3


def test_escaping_follows_inceptions_rules():
    value = "a\\b[c]|d_e->f;g\th\ni*"
    assert escape_value(value) == "a\\\\b\\[c\\]\\|d\\_e\\->f\\;g\\th\\ni\\*"
    assert unescape_value(escape_value(value)) == value
    text = "tab\there\\ \x01 \r\n"
    assert escape_text(text) == "tab\\there\\\\ \\\x01 \\r\\n"
    assert unescape_text(escape_text(text)) == text
    assert unescape_value("\\q") == "\\q"  # a backslash before anything else stays


# --- INCEpTION's project export -----------------------------------------------------------------


def test_project_export_zip_one_article_with_a_set_per_user_and_gold():
    text = "He loves her. She loves him."
    anna = ("#FORMAT=WebAnno TSV 3.3\n#T_SP=webanno.custom.Actor|label\n\n\n"
            "#Text=He loves her.\n1-1\t0-2\tHe\tPerson\t\n1-2\t3-8\tloves\t_\t\n1-3\t9-12\ther\t_\t\n"
            "1-4\t12-13\t.\t_\t\n\n"
            "#Text=She loves him.\n2-1\t14-17\tShe\t_\t\n2-2\t18-23\tloves\t_\t\n2-3\t24-27\thim\tPerson\t\n"
            "2-4\t27-28\t.\t_\t\n")
    ben = anna.replace("He\tPerson", "He\t_").replace("She\t_", "She\tPerson")
    project = {"annotation_documents": [{"name": "doc1.txt", "user": "anna", "state": "FINISHED"},
                                        {"name": "doc1.txt", "user": "ben", "state": "IN_PROGRESS"}]}
    data = make_zip({"exportedproject123.json": json.dumps(project), "source/doc1.txt": text,
                     "annotation/doc1.txt/anna.tsv": anna, "annotation/doc1.txt/ben.tsv": ben,
                     "curation/doc1.txt/CURATION_USER.tsv": anna, "annotation_ser/doc1.txt/anna.ser": b"\x00",
                     "source/empty.txt": "Nothing annotated here."})
    items = read_all(data)
    (record, empty) = [item for _, item in items]
    assert (record["id"], record["text"]) == ("doc1.txt", text)  # the source text fills the gap exactly
    assert [(s["annotator"], s["gold"], s["status"]) for s in record["annotations"]] == [
        ("anna", False, "submitted"), ("ben", False, "in_progress"), (None, True, "submitted")]
    assert span_view(record, 0) == [("Person", 0, 2, "He"), ("Person", 24, 27, "him")]
    assert span_view(record, 1) == [("Person", 14, 17, "She"), ("Person", 24, 27, "him")]
    assert (empty["id"], empty["text"], empty["annotations"]) == ("empty.txt", "Nothing annotated here.", [])


def test_a_zip_of_plain_tsv_files_gives_one_document_each():
    data = make_zip({"corpus/chain.tsv": CHAIN, "corpus/custom.tsv": CUSTOM})
    records = [item for _, item in read_all(data, annotator="wire")]
    assert [(r["id"], r["annotations"][0]["annotator"]) for r in records] == [("chain", "wire"), ("custom", "wire")]


# --- writing and round trips ---------------------------------------------------------------------


def write_zip(items) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(webanno.write(items))))
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def round_trip(record: dict) -> dict:
    data = b"".join(webanno.write([record]))
    return only_record(data)


def test_the_sample_article_round_trips_with_every_span_attribute_and_relation():
    original = seed_record()
    back = round_trip(original)
    assert back["id"] == original["id"] and back["text"] == original["text"]
    assert span_view(back) == span_view(original)
    assert relation_view(back) == relation_view(original)
    as_text = {True: "true", False: "false"}  # the import makes them yes/no again for a yes/no attribute
    assert sorted(map(repr, (s["attributes"] for s in back["annotations"][0]["spans"]))) == sorted(
        map(repr, ({name: as_text.get(value, value) for name, value in s["attributes"].items()}
                   for s in original["annotations"][0]["spans"])))
    linked = {s["text"]: s["entity"] for s in back["annotations"][0]["spans"] if s["entity"] is not None}
    assert linked["Kim In Chol"] == linked["Kim In Chul"] != linked["Sergei Lavrov"]
    (lavrov,) = [e for e in back["entities"] if e["id"] == linked["Sergei Lavrov"]]
    assert lavrov["wikidata"] == "Q1234"


def test_writes_inceptions_layout_with_a_tsv_per_set():
    text = "Kim said 🚀 “go”.\n\nLavrov agreed."
    spans = [make_span(id=1, label="Actor", start=0, end=3, text="Kim"),
             make_span(id=2, label="Quote", start=9, end=15, text="🚀 “go”", attributes={"type": "direct"}),
             make_span(id=3, label="Actor", start=18, end=24, text="Lavrov")]
    record = make_record(id="talks/1", text=text, annotations=[
        make_set(annotator="anna", spans=spans, relations=[make_relation("said_by", 2, 1)]),
        make_set(annotator=None, gold=True, spans=spans[:1]),
        make_set(annotator=None, spans=spans[2:])])
    files = write_zip([record])
    assert list(files) == ["source/talks_1", "annotation/talks_1/anna.tsv", "curation/talks_1/CURATION_USER.tsv",
                           "annotation/talks_1/INITIAL_CAS.tsv"]
    lines = files["annotation/talks_1/anna.tsv"].split("\n")
    assert lines[:5] == ["#FORMAT=WebAnno TSV 3.3", "#T_SP=webanno.custom.Span|label|type",
                         "#T_RL=webanno.custom.Relation|label|BT_webanno.custom.Span", "", ""]
    assert lines[5:8] == ["#Text=Kim said 🚀 “go”.", "#Text=", "#Text="]
    assert "1-3\t9-11\t🚀\tQuote[1]\tdirect[1]\t_\t_\t" in lines  # UTF-16 offsets
    assert "1-1\t0-3\tKim\tActor\t*\tsaid\\_by\t1-3\t" in lines  # UTF-16 offsets
    back = [item for _, item in read_all(b"".join(webanno.write([record])))]
    assert [(s["annotator"], s["gold"]) for s in back[0]["annotations"]] == [("anna", False), (None, True),
                                                                               (None, False)]
    assert back[0]["text"] == text and span_view(back[0]) == span_view(record)


def test_spans_starting_inside_words_and_in_white_space_round_trip():
    text = "  unhappy  days\tend\n"
    spans = [make_span(id=1, label="A", start=2, end=4, text="un"),
             make_span(id=2, label="B", start=4, end=10, text="happy "),
             make_span(id=3, label="A", start=0, end=1, text=" "),
             make_span(id=4, label="C", start=2, end=4, text="un", attributes={"note": "x|y_z*", "n": 3}),
             make_span(id=5, label="D", start=14, end=20, text="s\tend\n")]
    record = make_record(id="w", text=text, annotations=[make_set(annotator="a", spans=spans, relations=[
        make_relation("r", 1, 4), make_relation("r", 4, 1), make_relation("s", 5, 2)])])
    back = round_trip(record)
    assert back["text"] == text
    assert span_view(back) == span_view(record)
    assert relation_view(back) == relation_view(record)
    (tagged,) = [span for span in back["annotations"][0]["spans"] if span["label"] == "C"]
    assert tagged["attributes"] == {"note": "x|y_z*", "n": "3"}  # numbers come back as text


ROUND_TRIP = settings(max_examples=150, deadline=None, derandomize=True,
                      suppress_health_check=[HealthCheck.too_slow])


@ROUND_TRIP
@given(record=records())
def test_any_record_round_trips(record):
    back = round_trip(record)
    assert back["text"] == record["text"]
    assert span_view(back) == span_view(record)
    assert relation_view(back) == relation_view(record)


# --- malformed files: every problem with its file and line, never a crash ----------------------------


def test_a_bad_header_is_refused_on_line_one():
    assert errors_of("#FORMAT=WebAnno TSV 2\n") == [
        "line 1: not WebAnno TSV 3: the first line must be '#FORMAT=WebAnno TSV 3.3', found '#FORMAT=WebAnno TSV 2'"]
    assert errors_of("")[0].startswith("line 1: not WebAnno TSV 3")


@pytest.mark.parametrize("old, new, expected", [
    ("1-2\t4-8\tHaag", "1-2\t4-x\tHaag", "line 8: offsets must be BEGIN-END with BEGIN <= END, found '4-x'"),
    ("1-2\t4-8\tHaag", "1-2\t8-4\tHaag", "line 8: offsets must be BEGIN-END"),
    ("1-3\t9-14\tplays\tVBD\t_\t_", "1-3\t9-14\tplays\tVBD\t_",
     "line 9: expected 6 tab-separated fields (id, offsets, token and 3 annotation column(s) as the header "
     "declares), found 5"),
    ("1-5\t23-24\t.", "1-5\t23-40\t.", "line 11: token 1-5 at 23-40 lies outside its sentence's text (#Text) at 0-24"),
    ("1-2\t4-8\tHaag", "1-2\t4-8\tHague", "line 8: token 1-2 'Hague' does not match the text at 4-8: 'Haag'"),
    ("1-2\t4-8", "1-x\t4-8", "line 8: token id must be SENTENCE-TOKEN or SENTENCE-TOKEN.SUB, found '1-x'"),
    ("1-2\t4-8", "1-1\t4-8", "line 8: token 1-1 appears twice"),
    ("1-2\t4-8", "1-2\t1-8", "line 8: token 1-2 at 1-8 overlaps or comes before token 1-1 at 0-3"),
    ("#Text=Ms. Haag plays Elianti .\n", "", "line 6: token line outside a sentence: no #Text line before it"),
    ("PER[1]|PERpart[2]", "PER[1]|PERpart[1_2]", "line 7: NamedEntity: 'PERpart[1_2]' ends in a relation's"),
])
def test_malformed_token_lines_are_reported_with_their_line(old, new, expected):
    assert old in NAMED_ENTITIES
    errors = errors_of(NAMED_ENTITIES.replace(old, new, 1))
    assert any(error.startswith(expected) for error in errors), errors


def test_a_relation_to_an_undeclared_layer_is_reported_on_its_declaration():
    data = AMBIGUOUS_RELATION.replace("BT_de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity",
                                      "BT_webanno.custom.Nowhere")
    assert errors_of(data) == ["line 3: relation layer webanno.custom.Relation attaches to webanno.custom.Nowhere, "
                               "which this file does not declare as a span layer (#T_SP=webanno.custom.Nowhere|…)"]


@pytest.mark.parametrize("old, new, expected", [
    ("1-1[0_1]", "1-1[0_7]", "line 11: Relation: no NamedEntity annotation [7] on token 1-5"),
    ("1-1[0_1]", "1-9", "line 11: Relation: 1-9 is not a token of this file"),
    ("1-1[0_1]", "1-1", "line 11: Relation: 2 (give a [n_m] id to say which) NamedEntity annotation(s) on token 1-5"),
    ("1-1[0_1]", "1-2[0_1]", "line 11: Relation: no NamedEntity annotation(s) on token 1-2"),
    ("\t*\t1-1[0_1]", "\tx\tnot-a-token", "line 11: Relation: the source of a relation must be a token id"),
    ("|BT_de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity\n\n", "\n\n",
     "line 3: layer webanno.custom.Relation: a relation layer's last column must be BT_"),
])
def test_bad_relation_references_are_reported(old, new, expected):
    errors = errors_of(AMBIGUOUS_RELATION.replace(old, new, 1))
    assert any(error.startswith(expected) for error in errors), errors


def test_chain_and_slot_problems_are_reported():
    assert errors_of(CHAIN.replace("coref->1-2", "coref-1-2"))[0].startswith(
        "line 8: CoreferenceLink: a chain link must read RELATION->CHAIN-LINK")
    slots = ("#FORMAT=WebAnno TSV 3.3\n#T_SP=webanno.custom.Frame|FE|ROLE_webanno.custom.Frame:Roles_"
             "webanno.custom.FrameRolesLink|webanno.custom.Lu\n#T_SP=webanno.custom.Lu|luvalue\n\n\n"
             "#Text=Bob sold .\n1-1\t0-3\tBob\t_\t_\t_\tbob\n1-2\t4-8\tsold\tsale\tseller\t1-1\t_\n"
             "1-3\t9-10\t.\t_\t_\t_\t_\n")
    assert errors_of(slots)[0].startswith("line 8: webanno.custom.Frame: slot feature ROLE_webanno.custom.Frame")


def test_zero_length_and_extra_relation_features_are_refused_not_dropped():
    zero = ("#FORMAT=WebAnno TSV 3.3\n#T_SP=webanno.custom.SimpleSpan|\n\n\n#Text=This is .\n"
            "1-1\t0-4\tThis\t_\t\n1-1.1\t0-0\t\t*\t\n1-2\t5-7\tis\t_\t\n1-3\t8-9\t.\t_\t\n")
    assert errors_of(zero) == ["line 7: SimpleSpan: a zero-length annotation at 0; Factmark spans cover at least "
                               "one character"]
    extra = AMBIGUOUS_RELATION.replace("Relation|value|", "Relation|value|flavor|").replace(
        "\t*\t1-1[0_1]", "\t*\tbasic\t1-1[0_1]").replace("\t_\t_\n", "\t_\t_\t_\n")
    assert errors_of(extra) == ["line 11: Relation: relation feature(s) flavor cannot be kept: a Factmark "
                                "relation carries only its type"]


def test_problems_in_a_zip_name_the_member_and_line():
    data = make_zip({"annotation/doc1/anna.tsv": CHAIN.replace("3-7\tshot", "3-7\tshoot"),
                     "annotation/doc1/ben.tsv": CHAIN, "annotation/doc2/anna.tsv": b"\xff\xfe",
                     "annotation/doc3/anna.tsv": CHAIN, "annotation/doc3/bob.tsv": CROSS_SENTENCE,
                     "../evil.tsv": CHAIN})
    assert errors_of(data) == [
        "../evil.tsv: unsafe path in zip (absolute, or with a '..' component)",
        "annotation/doc1/anna.tsv line 7: token 1-2 'shoot' does not match the text at 3-7: 'shot'",
        "annotation/doc2/anna.tsv: not UTF-8 text (byte 0xff at offset 0); save the file as UTF-8",
        "annotation/doc3/bob.tsv: its text differs from the text of annotation/doc3/anna.tsv",
    ]
    assert errors_of(b"PK\x03\x04 not really a zip") == ["zip: not a zip file, nor a WebAnno TSV file"]
    assert errors_of(make_zip({"doc1.txt": "Hello.", "doc1.ann": "T1\tActor 0 5\tHello\n"})) == [
        "zip: no WebAnno TSV file (.tsv) in this zip; it holds brat files (.ann): import it as brat"]
    assert errors_of('{"id": 1, "text": "Hello."}\n')[0].endswith(
        "this looks like JSON, import it as jsonl, doccano or labelstudio")


# --- end to end ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_dataset_reads_an_inception_export_into_a_project(tmp_path):
    project = db.make_project(slug="inception")
    path = tmp_path / "export.zip"
    path.write_bytes(make_zip({"annotation/custom.txt/anna.tsv": CUSTOM, "annotation/custom.txt/ben.tsv": CUSTOM,
                               "source/custom.txt": CUSTOM_TEXT}))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_dataset", "inception", str(path), "--format", "webanno", "--add-labels",
                 stdout=out, stderr=err)
    sets = AnnotationSet.objects.filter(article__project=project).order_by("user__username")
    assert [s.user.username for s in sets] == ["anna", "ben"]
    assert sorted(Span.objects.filter(annotation_set=sets[0]).values_list("label__name", "start", "end")) == [
        ("Actor", 0, 4), ("Claim", 21, 25), ("Cue", 7, 10), ("a|b [x]_y*", 0, 11)]
    (relation,) = Relation.objects.filter(annotation_set=sets[0])
    assert (relation.source.text, relation.target.text) == ("Musk", "say")


@pytest.mark.django_db
def test_export_dataset_then_import_dataset_carries_sets_gold_attributes_and_relations(tmp_path, annotator):
    source = db.make_project(slug="from")
    text = "Sergei Lavrov said 🚀 Washington spends more than $ 700 billion on weapons."
    article = db.make_article(source, text, external_id="a1")
    mine = db.make_set(article, annotator)
    claim = db.make_span(mine, "Claim", "Washington spends more than $ 700 billion on weapons",
                         attributes={"verdict": "true", "checkworthy": True})
    speaker = db.make_span(mine, "Actor", "Sergei Lavrov")
    db.make_relation(mine, "claimed_by", claim, speaker)
    db.make_span(db.make_set(article, None), "Actor", "Sergei Lavrov")
    archive = tmp_path / "export.zip"
    call_command("export_dataset", "from", "--format", "webanno", "-o", str(archive), stdout=io.StringIO(),
                 stderr=io.StringIO())
    names = zipfile.ZipFile(archive).namelist()
    assert f"annotation/a1/{annotator.username}.tsv" in names and "source/a1" in names
    assert any(name.startswith("curation/a1/") for name in names)

    target = db.make_project(slug="to")
    call_command("import_dataset", "to", str(archive), "--format", "webanno", stdout=io.StringIO(),
                 stderr=io.StringIO())
    sets = AnnotationSet.objects.filter(article__project=target)
    (person,) = [s for s in sets if s.user is not None]
    (imported,) = Span.objects.filter(annotation_set=person, label__name="Claim")
    assert (imported.start, imported.end) == (claim.start, claim.end)
    assert imported.attributes == {"verdict": "true", "checkworthy": True}
    (relation,) = Relation.objects.filter(annotation_set=person)
    assert (relation.type.name, relation.source.text, relation.target.text) == (
        "claimed_by", "Washington spends more than $ 700 billion on weapons", "Sergei Lavrov")
    assert [s.user for s in sets if s.user is None] == [None]


def test_a_relation_layer_types_its_relations_by_its_only_feature():
    data = AMBIGUOUS_RELATION.replace("Relation|value|", "Relation|role|").replace("\t*\t1-1[0_1]",
                                                                                   "\tagent\t1-1[0_1]")
    (relation,) = only_record(data)["annotations"][0]["relations"]
    assert relation["type"] == "agent"
