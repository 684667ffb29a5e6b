import itertools

from annotator.formats import conll
from annotator.formats.common import make_record, make_set, make_span

from .samples import seed_record


def record_with(text, *spans):
    made = [make_span(id=n, label=label, start=start, end=end, text=text[start:end])
            for n, (label, start, end) in enumerate(spans, 1)]
    return make_record(id="r", text=text, annotations=[make_set(spans=made)])


def lines_of(*records, **options):
    return b"".join(conll.write(records, **options)).decode().split("\n")


def tagged(*records, **options):
    return [line.split(" ")[0] + "/" + line.split(" ")[-1] for line in lines_of(*records, **options)
            if line and not line.startswith("-DOCSTART-")]


def test_tokenizer_splits_words_and_single_punctuation():
    text = "Lavrov's $ 700-billion 🇺🇦!"
    assert [text[s:e] for s, e in conll.tokenize(text)] == [
        "Lavrov", "'", "s", "$", "700", "-", "billion", "🇺", "🇦", "!"]


def test_line_format_and_document_start():
    lines = lines_of(record_with("Sergei Lavrov spoke.", ("Actor", 0, 13)))
    assert lines == ["-DOCSTART- -X- -X- O", "", "Sergei -X- _ B-Actor", "Lavrov -X- _ I-Actor",
                     "spoke -X- _ O", ". -X- _ O", "", ""]


def test_overlap_longer_span_wins_and_loser_is_dropped_wholly():
    text = "President Moon Jae-in met Sergei Lavrov."
    record = record_with(
        text,
        ("Actor", 10, 21),       # Moon Jae-in
        ("Claim", 0, 21),        # President Moon Jae-in: longer, wins over the Actor
        ("Actor", 26, 39),       # Sergei Lavrov
        ("Cue", 33, 39),         # Lavrov: overlaps the longer Actor, dropped wholly
    )
    assert tagged(record) == ["President/B-Claim", "Moon/I-Claim", "Jae/I-Claim", "-/I-Claim", "in/I-Claim",
                              "met/O", "Sergei/B-Actor", "Lavrov/I-Actor", "./O"]


def test_overlap_ties_go_to_the_earlier_start_then_the_label_name():
    text = "aa bb cc"
    assert tagged(record_with(text, ("Actor", 3, 8), ("Quote", 0, 5))) == [
        "aa/B-Quote", "bb/I-Quote", "cc/O"]
    assert tagged(record_with(text, ("Quote", 0, 5), ("Actor", 0, 5))) == [
        "aa/B-Actor", "bb/I-Actor", "cc/O"]


def test_adjacent_spans_each_start_with_b():
    text = "Moon Jae-in Lavrov"
    assert tagged(record_with(text, ("Actor", 0, 11), ("Actor", 12, 18))) == [
        "Moon/B-Actor", "Jae/I-Actor", "-/I-Actor", "in/I-Actor", "Lavrov/B-Actor"]


def test_labels_option_keeps_one_layer():
    text = "Sergei Lavrov said so."
    record = record_with(text, ("Actor", 0, 13), ("Cue", 14, 18))
    assert tagged(record, labels=["Cue"]) == ["Sergei/O", "Lavrov/O", "said/B-Cue", "so/O", "./O"]


def test_label_names_with_spaces_become_underscores():
    assert tagged(record_with("Seoul", ("Named Actor", 0, 5))) == ["Seoul/B-Named_Actor"]


def test_sentences_split_at_end_punctuation_before_capital_or_newline_and_at_blank_lines():
    text = "He left. She stayed! Why? no split here. Next\nline stays\n\nNew paragraph"
    lines = lines_of(record_with(text))
    sentences, current = [], []
    for line in lines[2:]:
        if line:
            current.append(line.split(" ")[0])
        elif current:
            sentences.append(" ".join(current))
            current = []
    assert sentences == ["He left .", "She stayed !", "Why ? no split here .", "Next line stays",
                         "New paragraph"]


def test_documents_are_separated_by_docstart():
    lines = lines_of(record_with("One."), record_with("Two."))
    assert lines == ["-DOCSTART- -X- -X- O", "", "One -X- _ O", ". -X- _ O", "",
                     "-DOCSTART- -X- -X- O", "", "Two -X- _ O", ". -X- _ O", "", ""]


def test_seed_article_tags_actor_and_quote():
    result = tagged(seed_record())
    assert "Kim/B-Actor" in result and "Chol/I-Actor" in result
    start = result.index("“/B-Quote")
    assert result[start + 1:start + 4] == ["To/I-Quote", "resolve/I-Quote", "the/I-Quote"]
    assert "said/B-Cue" in result


def test_write_streams_one_document_per_chunk():
    chunks = conll.write(record_with(f"Article {n}.") for n in itertools.count())
    assert next(chunks).startswith(b"-DOCSTART-")
    assert b"Article -X- _ O\n1 -X- _ O" in next(chunks)


def test_module_constants():
    assert conll.EXTENSION == "conll"
    assert conll.CONTENT_TYPE.startswith("text/plain")
