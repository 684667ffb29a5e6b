"""Tests of annotator.agreement.metrics: hand-worked cases and cross-checks against reference packages."""

import math
import random

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from annotator.agreement.metrics import (
    OUTSIDE,
    ArticleSets,
    SpanRef,
    cohen_kappa,
    f1,
    krippendorff_alpha_nominal,
    project_agreement,
    span_f1,
    token_labels,
    tokenize,
    verdict_agreement,
)
from annotator.benchmarks.agreement_corpus import benchmark_corpus

METRICS = ("span_f1_exact", "span_f1_overlap", "kappa_token", "alpha_token")
SEEDS = range(8)


def claim(start, end, verdict=None):
    return SpanRef("Claim", start, end, (("verdict", verdict),) if verdict else ())


def reference_alpha(rows):
    """krippendorff.alpha on coders x units rows of labels, None for missing."""
    values = sorted({v for row in rows for v in row if v is not None}, key=str)
    code = {v: i for i, v in enumerate(values)}
    data = np.array([[np.nan if v is None else code[v] for v in row] for row in rows], dtype=float)
    return krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")


# ---------------------------------------------------------------------------
# tokenize and token_labels


def test_tokenize_words_and_single_punctuation():
    text = "U.S. spends $700bn, \u201chuge\u201d — Moon Jae-in said.\n\nCafé 👍🏽"
    tokens = tokenize(text)
    assert [text[s:e] for s, e in tokens] == [
        "U", ".", "S", ".", "spends", "$", "700bn", ",", "\u201c", "huge", "\u201d", "—",
        "Moon", "Jae", "-", "in", "said", ".", "Café", "👍", "🏽",
    ]  # fmt: skip


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "word", " a  b ", "x,y", "snake_case_word"])
def test_tokenize_matches_the_regex(text):
    import re

    assert tokenize(text) == [m.span() for m in re.finditer(r"\w+|[^\w\s]", text)]


def test_token_labels_longest_span_wins_and_partial_tokens_count():
    text = 'Lavrov said "Seoul will act" today.'
    tokens = tokenize(text)  # Lavrov said " Seoul will act " today .
    spans = [
        SpanRef("Actor", 0, 6),  # Lavrov
        SpanRef("Quote", 12, 28),  # "Seoul will act"
        SpanRef("Actor", 13, 18),  # Seoul, inside the quote
        SpanRef("Cue", 8, 9),  # one character of "said" still covers the token
    ]
    assert token_labels(tokens, spans) == [
        "Actor", "Cue", "Quote", "Quote", "Quote", "Quote", "Quote", OUTSIDE, OUTSIDE,
    ]  # fmt: skip
    assert token_labels(tokens, spans, label="Actor") == [
        "Actor", "O", "O", "Actor", "O", "O", "O", "O", "O",
    ]  # fmt: skip
    assert token_labels(tokens, spans, ["Actor", "Cue"]) == [
        "Actor", "Cue", "O", "Actor", "O", "O", "O", "O", "O",
    ]  # fmt: skip


def test_token_labels_ties_go_to_the_earlier_start_then_the_label_name():
    text = "a b c d"
    tokens = tokenize(text)
    # Equal lengths: "Quote" starts earlier than "Actor" and takes token b.
    assert token_labels(tokens, [SpanRef("Actor", 2, 5), SpanRef("Quote", 0, 3)]) == [
        "Quote",
        "Quote",
        "Actor",
        "O",
    ]
    # Same offsets: the label name that sorts first.
    assert token_labels(tokens, [SpanRef("Quote", 0, 3), SpanRef("Claim", 0, 3)]) == ["Claim", "Claim", "O", "O"]


def test_token_labels_ignores_empty_and_whitespace_spans():
    tokens = tokenize("a   b")
    assert token_labels(tokens, [SpanRef("Actor", 2, 2), SpanRef("Actor", 1, 4)]) == ["O", "O"]


# ---------------------------------------------------------------------------
# span F1


def test_f1_of_nothing_is_none():
    assert f1(0, 0, 0) is None
    assert f1(0, 3, 0) == 0.0
    assert f1(2, 1, 1) == pytest.approx(4 / 6)


def test_identical_sets_score_one():
    spans = [claim(0, 10, "true"), SpanRef("Actor", 3, 7), SpanRef("Actor", 3, 7), SpanRef("Quote", 20, 40)]
    for mode in ("exact", "overlap"):
        tp, fp, fn = span_f1(spans, list(reversed(spans)), mode=mode)
        assert (tp, fp, fn) == (4, 0, 0)
        assert f1(tp, fp, fn) == 1.0


def test_disjoint_spans_score_zero():
    a = [SpanRef("Actor", 0, 5), SpanRef("Claim", 10, 20)]
    b = [SpanRef("Actor", 5, 9), SpanRef("Claim", 20, 30), SpanRef("Quote", 0, 30)]
    for mode in ("exact", "overlap"):
        assert span_f1(a, b, mode=mode) == (0, 2, 3)
        assert f1(*span_f1(a, b, mode=mode)) == 0.0


def test_partial_overlap_worked_example():
    a = [claim(0, 10), claim(20, 30), SpanRef("Actor", 40, 45)]
    b = [claim(0, 10), claim(25, 35), SpanRef("Actor", 50, 55), SpanRef("Quote", 60, 70)]
    # exact: only Claim [0,10) matches -> tp 1, fp 2, fn 3, F1 = 2/(2+2+3) = 2/7
    assert span_f1(a, b) == (1, 2, 3)
    assert f1(*span_f1(a, b)) == pytest.approx(2 / 7)
    # overlap: Claim [20,30) and [25,35) share [25,30) -> tp 2, fp 1, fn 2, F1 = 4/(4+1+2) = 4/7;
    # the actors do not touch and the quote has no partner.
    assert span_f1(a, b, mode="overlap") == (2, 1, 2)
    assert f1(*span_f1(a, b, mode="overlap")) == pytest.approx(4 / 7)
    # per label: claims only -> exact 1/1/1, overlap 2/0/0
    assert span_f1(a, b, label="Claim") == (1, 1, 1)
    assert span_f1(a, b, mode="overlap", label="Claim") == (2, 0, 0)
    assert span_f1(a, b, mode="overlap", label="Quote") == (0, 0, 1)
    assert span_f1(a, b, mode="overlap", label="Cue") == (0, 0, 0)


def test_overlap_matching_is_one_to_one_and_prefers_the_largest_overlap():
    # a1=[0,10) overlaps b1=[5,12) by 5 and b2=[0,6) by 6; a2=[8,20) overlaps only b1, by 4.
    # Largest first pairs a1-b2 (6), then a2-b1 (4): two matches. Pairing a1-b1 first would leave one.
    a = [SpanRef("Actor", 0, 10), SpanRef("Actor", 8, 20)]
    b = [SpanRef("Actor", 5, 12), SpanRef("Actor", 0, 6)]
    assert span_f1(a, b, mode="overlap") == (2, 0, 0)
    # One long span against two short ones inside it: one match only.
    assert span_f1([SpanRef("Quote", 0, 100)], [SpanRef("Quote", 0, 10), SpanRef("Quote", 50, 60)], mode="overlap") == (
        1,
        0,
        1,
    )
    # Touching half-open ranges do not overlap.
    assert span_f1([SpanRef("Cue", 0, 5)], [SpanRef("Cue", 5, 9)], mode="overlap") == (0, 1, 1)


def test_span_f1_rejects_unknown_mode():
    with pytest.raises(ValueError):
        span_f1([], [], mode="fuzzy")


@pytest.mark.parametrize("seed", SEEDS)
def test_span_f1_is_symmetric_and_overlap_bounds_exact(seed):
    rng = random.Random(seed)

    def spans():
        out = []
        for _ in range(rng.randint(0, 40)):
            start = rng.randrange(0, 200)
            out.append(SpanRef(rng.choice("AB"), start, start + rng.randint(1, 30)))
        return out

    for _ in range(30):
        a, b = spans(), spans()
        for mode in ("exact", "overlap"):
            tp, fp, fn = span_f1(a, b, mode=mode)
            assert span_f1(b, a, mode=mode) == (tp, fn, fp)
            assert tp + fp == len(a) and tp + fn == len(b)
        assert span_f1(a, b, mode="overlap")[0] >= span_f1(a, b)[0]


# ---------------------------------------------------------------------------
# kappa and alpha


def test_cohen_kappa_hand_worked():
    # 10 items; agree on 7 (4 yes, 3 no). x: 6 yes/4 no, y: 5 yes/5 no.
    # p_o = 0.7, p_e = 0.6*0.5 + 0.4*0.5 = 0.5, kappa = 0.2/0.5 = 0.4
    x = ["y"] * 6 + ["n"] * 4
    y = ["y"] * 4 + ["n", "n"] + ["n"] * 3 + ["y"]
    assert cohen_kappa(x, y) == pytest.approx(0.4)


def test_cohen_kappa_degenerate_and_empty():
    assert cohen_kappa(["O"] * 5, ["O"] * 5) == 1.0
    assert cohen_kappa([], []) is None
    with pytest.raises(ValueError):
        cohen_kappa(["a"], ["a", "b"])


@pytest.mark.parametrize("seed", SEEDS)
def test_cohen_kappa_matches_sklearn(seed):
    rng = random.Random(seed)
    for _ in range(10):
        n = rng.randint(2, 300)
        values = ["O", "Claim", "Actor", "Quote", "Cue"][: rng.randint(2, 5)]
        x = [rng.choice(values) for _ in range(n)]
        # correlated: y copies x most of the time
        y = [v if rng.random() < 0.7 else rng.choice(values) for v in x]
        if len(set(x) | set(y)) < 2:
            continue
        assert cohen_kappa(x, y) == pytest.approx(cohen_kappa_score(x, y), abs=1e-3)


def test_krippendorff_alpha_hand_worked():
    # The example from Krippendorff's "Computing Krippendorff's alpha-reliability" (nominal: 0.691).
    rows = [
        [None, None, None, None, None, 3, 4, 1, 2, 1, 1, 3, 3, None, 3],
        [1, None, 2, 1, 3, 3, 4, 3, None, None, None, None, None, None, None],
        [None, None, 2, 1, 3, 4, 4, None, 2, 1, 1, 3, 3, None, 4],
    ]
    units = [[row[u] for row in rows if row[u] is not None] for u in range(15)]
    assert krippendorff_alpha_nominal(units) == pytest.approx(0.691358, abs=1e-6)


def test_krippendorff_alpha_degenerate_and_unpairable():
    assert krippendorff_alpha_nominal([["a"], ["b"], []]) is None
    assert krippendorff_alpha_nominal([["a", "a"], ["a", "a", "a"], ["b"]]) == 1.0
    assert krippendorff_alpha_nominal([["a", "a"], ["b", "b"]]) == 1.0
    assert krippendorff_alpha_nominal([["a", "b"], ["b", "a"]]) < 0


@pytest.mark.parametrize("seed", SEEDS)
def test_krippendorff_alpha_matches_the_package_with_missing_values(seed):
    rng = random.Random(seed)
    for _ in range(10):
        coders = rng.randint(2, 5)
        n_units = rng.randint(2, 200)
        values = ["O", "Claim", "Actor", "Quote"][: rng.randint(2, 4)]
        truth = [rng.choice(values) for _ in range(n_units)]
        rows = [
            [None if rng.random() < 0.25 else (t if rng.random() < 0.75 else rng.choice(values)) for t in truth]
            for _ in range(coders)
        ]
        units = [[row[u] for row in rows if row[u] is not None] for u in range(n_units)]
        pairable = [v for unit in units if len(unit) >= 2 for v in unit]
        if len(set(pairable)) < 2:
            continue
        assert krippendorff_alpha_nominal(units) == pytest.approx(reference_alpha(rows), abs=1e-3)


# ---------------------------------------------------------------------------
# verdicts


def test_verdict_agreement_example():
    a = [
        claim(0, 10, "true"),
        claim(20, 30, "false"),
        claim(40, 50, "half-true"),
        claim(60, 70, "false"),
        claim(80, 90, "true"),  # b marks it at other offsets: not paired
        claim(100, 110),  # no verdict: not paired
        SpanRef("Actor", 0, 10, (("verdict", "true"),)),  # not a claim
    ]
    b = [
        claim(0, 10, "true"),
        claim(20, 30, "false"),
        claim(40, 50, "false"),
        claim(60, 70, "false"),
        claim(80, 95, "true"),
        claim(100, 110, "true"),
        SpanRef("Actor", 0, 10, (("verdict", "false"),)),
    ]
    result = verdict_agreement(a, b)
    # 4 pairs: (true,true) (false,false) (half-true,false) (false,false): agreement 3/4.
    # kappa: p_o = 0.75; a: true 1, false 2, half-true 1; b: true 1, false 3;
    # p_e = (1*1 + 2*3) / 16 = 7/16; kappa = (12/16 - 7/16) / (9/16) = 5/9
    assert result["pairs"] == 4
    assert result["agreement"] == pytest.approx(0.75)
    assert result["kappa"] == pytest.approx(5 / 9)
    assert result["kappa"] == pytest.approx(
        cohen_kappa_score(["true", "false", "half-true", "false"], ["true", "false", "false", "false"])
    )
    assert verdict_agreement(a, []) == {"pairs": 0, "agreement": None, "kappa": None}


# ---------------------------------------------------------------------------
# project_agreement


TEXT = "Moon Jae-in met Sergei Lavrov in Moscow. Lavrov said the talks were useful. Seoul spends $ 700 billion."


def small_project():
    # offsets: "Moon Jae-in" 0-11, "Sergei Lavrov" 16-29, "Moscow" 33-39,
    # "Lavrov" 41-47, "said" 48-52, "the talks were useful" 53-74, "Seoul ... billion." 76-103
    one = [
        SpanRef("Actor", 0, 11),
        SpanRef("Actor", 16, 29),
        SpanRef("Actor", 41, 47),
        SpanRef("Cue", 48, 52),
        SpanRef("Quote", 53, 74),
        claim(76, 103, "false"),
    ]
    two = [
        SpanRef("Actor", 0, 11),
        SpanRef("Actor", 23, 29),
        SpanRef("Actor", 41, 47),
        SpanRef("Quote", 53, 74),
        claim(76, 103, "mostly-false"),
    ]
    three = [SpanRef("Actor", 0, 11), SpanRef("Actor", 41, 47), claim(76, 103, "false")]
    return [
        ArticleSets(TEXT, {"ann1": one, "ann2": two, "ann3": three}),
        ArticleSets(TEXT, {"ann1": one, "ann2": one}),
        ArticleSets(TEXT, {"ann3": two}),  # a single annotator: ignored
        ArticleSets(TEXT, {}),
    ]


def test_project_agreement_shape():
    report = project_agreement(small_project())
    assert set(report) == {"articles", "overall", "labels", "pairs"}
    assert report["articles"] == 2
    assert set(report["overall"]) == {*METRICS, "verdict_agreement"}
    assert set(report["overall"]["verdict_agreement"]) == {"pairs", "agreement", "kappa"}
    assert list(report["labels"]) == ["Actor", "Claim", "Cue", "Quote"]
    for values in report["labels"].values():
        assert set(values) == set(METRICS)
    assert [(p["a"], p["b"]) for p in report["pairs"]] == [("ann1", "ann2"), ("ann1", "ann3"), ("ann2", "ann3")]
    for pair in report["pairs"]:
        assert set(pair) == {"a", "b", *METRICS, "verdict_agreement"}
    for value in [*report["overall"].values(), *report["pairs"][0].values()]:
        if isinstance(value, float):
            assert value == round(value, 4)


def test_project_agreement_values_by_hand():
    report = project_agreement(small_project())
    pairs = {(p["a"], p["b"]): p for p in report["pairs"]}
    # ann1-ann2, article 1: 4 exact matches of 6 vs 5 spans; article 2: 6 of 6.
    # exact: tp 10, fp 2, fn 1 -> 20/23. overlap adds Actor [16,29) ~ [23,29): tp 11, fp 1, fn 0 -> 22/23.
    assert pairs["ann1", "ann2"]["span_f1_exact"] == round(20 / 23, 4)
    assert pairs["ann1", "ann2"]["span_f1_overlap"] == round(22 / 23, 4)
    # ann1-ann3 (article 1 only): tp 3, fp 3, fn 0 -> 6/9
    assert pairs["ann1", "ann3"]["span_f1_exact"] == round(6 / 9, 4)
    # ann2-ann3 (article 1 only): exact tp 3, fp 2, fn 0 -> 6/8; overlap the same.
    assert pairs["ann2", "ann3"]["span_f1_exact"] == 0.75
    assert report["overall"]["span_f1_exact"] == round((20 / 23 + 6 / 9 + 0.75) / 3, 4)
    # verdicts: ann1-ann2 (false, mostly-false) on article 1, (false, false) on article 2
    assert pairs["ann1", "ann2"]["verdict_agreement"]["pairs"] == 2
    assert pairs["ann1", "ann2"]["verdict_agreement"]["agreement"] == 0.5
    assert pairs["ann1", "ann3"]["verdict_agreement"] == {"pairs": 1, "agreement": 1.0, "kappa": 1.0}
    # pooled: 2 + 1 + 1 pairs, 1 + 1 + 0 agreeing
    assert report["overall"]["verdict_agreement"]["pairs"] == 4
    assert report["overall"]["verdict_agreement"]["agreement"] == 0.5
    # Cue: marked by ann1 in both articles, by ann2 only in article 2 (a copy of ann1's set).
    # ann1-ann2: tp 1, fp 1 -> 2/3; ann1-ann3: 0; ann2-ann3: None, skipped. Mean 1/3.
    assert report["labels"]["Cue"]["span_f1_exact"] == round(1 / 3, 4)
    # Claim: everyone marks the same claim: every claim metric is 1.
    assert report["labels"]["Claim"] == dict.fromkeys(METRICS, 1.0)


def test_project_agreement_identical_sets_score_one():
    spans = small_project()[0].sets["ann1"]
    report = project_agreement([ArticleSets(TEXT, {"x": spans, "y": list(spans), "z": list(spans)})] * 3)
    for key in METRICS:
        assert report["overall"][key] == 1.0
        assert report["pairs"][0][key] == 1.0
        for values in report["labels"].values():
            assert values[key] == 1.0
    assert report["overall"]["verdict_agreement"]["agreement"] == 1.0


def test_project_agreement_disjoint_spans():
    a = [SpanRef("Actor", 0, 11), SpanRef("Quote", 53, 74)]
    b = [SpanRef("Actor", 16, 29), SpanRef("Claim", 76, 103)]
    report = project_agreement([ArticleSets(TEXT, {"a": a, "b": b})])
    assert report["overall"]["span_f1_exact"] == 0.0
    assert report["overall"]["span_f1_overlap"] == 0.0
    assert report["overall"]["kappa_token"] < 0.1
    assert report["overall"]["verdict_agreement"] == {"pairs": 0, "agreement": None, "kappa": None}


def test_project_agreement_given_labels_and_empty_input():
    report = project_agreement(small_project(), labels=["Claim", "Relation"])
    assert list(report["labels"]) == ["Claim", "Relation"]
    # Nobody marks "Relation": nothing to compare for F1, trivial agreement on tokens.
    assert report["labels"]["Relation"]["span_f1_exact"] is None
    assert report["labels"]["Relation"]["kappa_token"] == 1.0
    assert report["labels"]["Relation"]["alpha_token"] == 1.0
    # Only claims count, and the claims are identical everywhere.
    assert report["overall"]["span_f1_exact"] == 1.0

    empty = project_agreement([ArticleSets("text", {"solo": []})])
    assert empty == {
        "articles": 0,
        "overall": {
            "span_f1_exact": None,
            "span_f1_overlap": None,
            "kappa_token": None,
            "alpha_token": None,
            "verdict_agreement": {"pairs": 0, "agreement": None, "kappa": None},
        },
        "labels": {},
        "pairs": [],
    }


def mixed_corpus(seed):
    """A benchmark corpus where some articles lost an annotator or two."""
    rng = random.Random(seed)
    corpus = []
    for article in benchmark_corpus(12, annotators=4, spans=12, seed=seed):
        names = sorted(article.sets)
        keep = rng.sample(names, rng.randint(1, len(names)))
        corpus.append(ArticleSets(article.text, {name: article.sets[name] for name in keep}))
    return corpus


@pytest.mark.parametrize("seed", range(4))
def test_project_agreement_matches_reference_packages(seed):
    """Rebuild every token figure from token_labels and the reference packages."""
    corpus = mixed_corpus(seed)
    report = project_agreement(corpus)
    compared = [a for a in corpus if len(a.sets) >= 2]
    assert report["articles"] == len(compared)
    annotators = sorted({name for a in compared for name in a.sets})
    labels = sorted({s.label for a in compared for spans in a.sets.values() for s in spans})
    assert list(report["labels"]) == labels

    def per_token(label):
        """Per article: tokens count and {annotator: token labels}."""
        out = []
        for article in compared:
            tokens = tokenize(article.text)
            out.append((len(tokens), {n: token_labels(tokens, s, label=label) for n, s in article.sets.items()}))
        return out

    for label in [None, *labels]:
        data = per_token(label)
        # alpha, all annotators: one row per annotator, None where they did not annotate
        rows = [[v for n_tok, sets in data for v in sets.get(name, [None] * n_tok)] for name in annotators]
        expected_alpha = reference_alpha(rows)
        kappas = []
        pairs = [(a, b) for i, a in enumerate(annotators) for b in annotators[i + 1 :]]
        pair_values = {}
        for a, b in pairs:
            xs = [v for _, sets in data if a in sets and b in sets for v in sets[a]]
            ys = [v for _, sets in data if a in sets and b in sets for v in sets[b]]
            if not xs:
                continue
            if len(set(xs) | set(ys)) > 1:
                kappa = cohen_kappa_score(xs, ys)
                alpha = reference_alpha([xs, ys])
            else:
                kappa = alpha = 1.0
            kappas.append(kappa)
            pair_values[a, b] = (kappa, alpha)
        if label is None:
            assert report["overall"]["alpha_token"] == pytest.approx(expected_alpha, abs=1e-3)
            assert report["overall"]["kappa_token"] == pytest.approx(sum(kappas) / len(kappas), abs=1e-3)
            listed = {(p["a"], p["b"]): p for p in report["pairs"]}
            assert set(listed) == set(pair_values)
            for key, (kappa, alpha) in pair_values.items():
                assert listed[key]["kappa_token"] == pytest.approx(kappa, abs=1e-3)
                assert listed[key]["alpha_token"] == pytest.approx(alpha, abs=1e-3)
        else:
            assert report["labels"][label]["alpha_token"] == pytest.approx(expected_alpha, abs=1e-3)
            assert report["labels"][label]["kappa_token"] == pytest.approx(sum(kappas) / len(kappas), abs=1e-3)


@pytest.mark.parametrize("seed", range(4))
def test_project_agreement_span_f1_is_micro_averaged_per_pair(seed):
    corpus = mixed_corpus(seed)
    report = project_agreement(corpus)
    for pair in report["pairs"]:
        shared = [a.sets for a in corpus if len(a.sets) >= 2 and pair["a"] in a.sets and pair["b"] in a.sets]
        for mode in ("exact", "overlap"):
            counts = [span_f1(sets[pair["a"]], sets[pair["b"]], mode=mode) for sets in shared]
            expected = f1(*(sum(column) for column in zip(*counts, strict=True)))
            assert pair[f"span_f1_{mode}"] == round(expected, 4)


def test_benchmark_corpus_sanity():
    corpus = benchmark_corpus(50)
    assert len(corpus) == 50
    assert all(2000 <= len(a.text) <= 3000 for a in corpus)
    assert all(len(a.sets) == 3 for a in corpus)
    assert all(15 <= len(spans) <= 20 for a in corpus for spans in a.sets.values())
    assert benchmark_corpus(3, seed=7) == benchmark_corpus(3, seed=7)

    report = project_agreement(corpus)
    assert report["articles"] == 50
    assert len(report["pairs"]) == 3
    values = [
        *(report["overall"][k] for k in METRICS),
        *(v[k] for v in report["labels"].values() for k in METRICS),
        *(p[k] for p in report["pairs"] for k in METRICS),
        report["overall"]["verdict_agreement"]["agreement"],
        report["overall"]["verdict_agreement"]["kappa"],
    ]
    for value in values:
        assert value is not None and not math.isnan(value)
        assert -1.0 <= value <= 1.0
    # annotators agree on most spans
    assert report["overall"]["span_f1_overlap"] > 0.7
