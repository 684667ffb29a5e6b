"""The recommenders on hard cases: plain Python, no database."""

from annotator.suggestions import claims
from annotator.suggestions.common import KnownEntity
from annotator.suggestions.engine import Recommenders
from annotator.suggestions.kb import KnowledgeBase
from annotator.suggestions.memory import Memory, Remembered
from annotator.suggestions.quotes import QuoteFinder, find_quotes
from annotator.suggestions.variants import Variants, fold

PEOPLE = [KnownEntity(1, "Jong Ui Young"), KnownEntity(2, "Sergei Lavrov", ["Lavrov"]),
          KnownEntity(3, "Moon Jae-in"), KnownEntity(4, "Kim In Chol"),
          KnownEntity(5, "Korea", kind="state"), KnownEntity(6, "Volodymyr Zelenskyy")]


def texts(text, proposals):
    return [text[p.start:p.end] for p in proposals]


# --- knowledge base


def test_kb_finds_names_and_aliases_as_whole_words_linked_to_their_entity():
    text = "Sergei Lavrov met Jong Ui Young. Lavrov said little; Lavrovsky did not."
    found = KnowledgeBase(PEOPLE).find(text)
    assert texts(text, found) == ["Sergei Lavrov", "Jong Ui Young", "Lavrov"]
    assert [p.entity for p in found] == [2, 1, 2]
    assert found[0].score > found[2].score  # a name scores above an alias
    assert found[0].attributes == {"kind": "person"}


def test_kb_prefers_the_longest_name_and_skips_names_inside_longer_names():
    text = "Lavrov and Sergei Lavrov read the Korea Herald in South Korea, not in Korea."
    found = KnowledgeBase(PEOPLE).find(text)
    # "Lavrov" inside "Sergei Lavrov" is one match, not two; "Korea Herald" and "South Korea" are other names.
    assert texts(text, found) == ["Lavrov", "Sergei Lavrov", "Korea"]
    assert found[-1].start == text.rindex("Korea")


def test_kb_keeps_a_title_next_to_a_name_out_of_it():
    text = "President Moon Jae-in and Foreign Minister Jong Ui Young."
    assert texts(text, KnowledgeBase(PEOPLE).find(text)) == ["Moon Jae-in", "Jong Ui Young"]


def test_kb_ignores_case_with_a_lower_score_but_never_matches_lower_case_words():
    text = "SERGEI LAVROV arrived. the korea question."
    found = KnowledgeBase(PEOPLE).find(text)
    assert texts(text, found) == ["SERGEI LAVROV"]
    assert found[0].score < 0.9


def test_kb_costs_one_automaton_whatever_its_size():
    many = [KnownEntity(i, f"Person{i} Family{i}", [f"P{i} F{i}"]) for i in range(10, 5000)]
    kb = KnowledgeBase(PEOPLE + many)
    text = "Person4321 Family4321 met Sergei Lavrov."
    assert [p.entity for p in kb.find(text)] == [4321, 2]


# --- spelling variants


def test_fold_brings_romanisations_together():
    assert fold("Jung Ui Young") == fold("Jong Ui Young")
    assert fold("Kim In Chul") == fold("Kim In Chol")
    assert fold("Moon Jae In") == fold("Moon Jae-in")


def test_variants_find_transliterations_hyphens_diacritics_and_case():
    text = ("Jung Ui Young met Kim In Chul and Moon Jae In. Later Vólodymyr Zelenskyy and "
            "KIM IN CHOL spoke; Sergei Lavrov too.")
    exact = KnowledgeBase(PEOPLE).find(text)
    found = Variants(PEOPLE).find(text, exact)
    by_text = {text[p.start:p.end]: p.entity for p in found}
    assert by_text == {"Jung Ui Young": 1, "Kim In Chul": 4, "Moon Jae In": 3, "Vólodymyr Zelenskyy": 6}
    assert all(p.score < 0.9 for p in found)
    # The upper-case spelling is found by the knowledge base, with a lower score.
    assert "KIM IN CHOL" in texts(text, exact)


def test_variants_take_a_lone_family_name_after_a_title_and_then_alone():
    text = "Moon waited. With President Moon coming to power, Moon rose. Minister Park agreed. In Chol we trust."
    found = Variants(PEOPLE).find(text)
    assert [(text[p.start:p.end], p.start, p.entity, p.score) for p in found] == [
        ("Moon", 28, 3, 0.55), ("Moon", 50, 3, 0.6)]


def test_variants_take_a_lone_last_name_of_a_name_mentioned_before():
    people = [KnownEntity(1, "Olaf Scholz"), KnownEntity(2, "Sergei Lavrov")]
    text = "Scholz arrived. Olaf Scholz said so; then Scholz left and Lavrov stayed."
    found = Variants(people).find(text, KnowledgeBase(people).find(text))
    assert [(text[p.start:p.end], p.start, p.entity) for p in found] == [("Scholz", text.rindex("Scholz"), 1)]


def test_a_split_quote_may_carry_a_few_more_words_in_its_attribution():
    text = "Volodymyr Zelenskyy spoke. “This is a strong signal,” he wrote on Telegram, “and it will save lives.”"
    _, relations = QuoteFinder().find(text, KnowledgeBase(PEOPLE).find(text))
    assert len([r for r in relations if r.type == "said_by"]) == 2


def test_variants_leave_unrelated_names_alone():
    text = "Ham Sang Wook and Bonnie Jenkins met in Washington."
    assert Variants(PEOPLE).find(text) == []


# --- quotes


def test_quotes_include_their_marks_and_skip_scare_quotes():
    text = 'He proclaimed “nine bridges”, a “road map”. “This is a real quote,” he said. "So is this one," she added.'
    assert [text[s:e] for s, e in find_quotes(text)] == [
        "“nine bridges”", "“road map”", "“This is a real quote,”", '"So is this one,"']
    proposals, _ = QuoteFinder().find(text)
    assert [text[p.start:p.end] for p in proposals if p.label == "Quote"] == [
        "“This is a real quote,”", '"So is this one,"']


def test_names_and_titles_in_quotation_marks_are_not_quotes():
    text = "Seoul pursues the “New Northern Policy” and “The Art of the Deal” while “this is a quote of words”."
    proposals, _ = QuoteFinder().find(text)
    assert [text[p.start:p.end] for p in proposals] == ["“this is a quote of words”"]


def test_a_long_attribution_after_the_quote_still_finds_its_speaker():
    text = "“Washington must abandon its hostile policy,” the first secretary of the DPRK mission Kim In Chol said."
    mentions = KnowledgeBase(PEOPLE).find(text)
    _, relations = QuoteFinder().find(text, mentions)
    speaker = next(r.target for r in relations if r.type == "said_by")
    assert text[speaker[1]:speaker[2]] == "Kim In Chol"


def test_nested_quotes_are_one_quote():
    text = "«Он сказал „нет“ и ушёл домой», — заявил министр. “She called it ‘a disgrace’ twice,” Kim said."
    quotes = [text[s:e] for s, e in find_quotes(text)]
    assert quotes == ["«Он сказал „нет“ и ушёл домой»", "“She called it ‘a disgrace’ twice,”"]


def test_apostrophes_do_not_close_nested_quotes():
    text = "“The Ministry’s line is ‘we won’t move’ on this,” Lavrov said."
    assert [text[s:e] for s, e in find_quotes(text)] == ["“The Ministry’s line is ‘we won’t move’ on this,”"]


def test_a_quote_stays_in_its_paragraph():
    text = "“An opening mark without its end\n\nand “a proper quote of words” here."
    assert [text[s:e] for s, e in find_quotes(text)] == ["“a proper quote of words”"]


def test_cue_and_named_speaker_after_the_quote():
    text = "“To resolve the nuclear issue, they must leave,” said Kim In Chol."
    mentions = KnowledgeBase(PEOPLE).find(text)
    proposals, relations = QuoteFinder().find(text, mentions)
    places = {p.key: text[p.start:p.end] for p in proposals} | {m.key: text[m.start:m.end] for m in mentions}
    assert sorted((r.type, places[r.target]) for r in relations) == [("cue", "said"), ("said_by", "Kim In Chol")]


def test_a_split_quote_is_two_quotes_with_one_speaker_and_cue():
    text = "“We will not leave,” Lavrov said, “not this year and not the next.”"
    mentions = KnowledgeBase(PEOPLE).find(text)
    proposals, relations = QuoteFinder().find(text, mentions)
    quotes = [p for p in proposals if p.label == "Quote"]
    assert [text[p.start:p.end] for p in quotes] == ["“We will not leave,”", "“not this year and not the next.”"]
    said_by = {r.source: text[r.target[1]:r.target[2]] for r in relations if r.type == "said_by"}
    assert said_by == {quotes[0].key: "Lavrov", quotes[1].key: "Lavrov"}
    cues = {r.source: text[r.target[1]:r.target[2]] for r in relations if r.type == "cue"}
    assert set(cues.values()) == {"said"} and len(cues) == 2


def test_a_short_second_part_of_a_split_quote_is_still_a_quote():
    text = "“We will not leave the talks now,” said Sergei Lavrov, “not ever.”"
    proposals, _ = QuoteFinder().find(text, KnowledgeBase(PEOPLE).find(text))
    assert [text[p.start:p.end] for p in proposals if p.label == "Quote"][-1] == "“not ever.”"


def test_a_pronoun_speaker_is_the_last_person_named_outside_quotes():
    text = ("Sergei Lavrov met Jong Ui Young in Moscow. “We talked about Kim In Chol and the weather,” he said.")
    mentions = KnowledgeBase(PEOPLE).find(text)
    _, relations = QuoteFinder().find(text, mentions)
    speaker = next(r.target for r in relations if r.type == "said_by")
    assert text[speaker[1]:speaker[2]] == "Jong Ui Young"


def test_a_title_speaker_is_the_actor_introduced_with_that_title():
    text = ("Foreign Minister Jong Ui Young met Sergei Lavrov. “The talks went well for both sides,” the "
            "minister said.")
    mentions = KnowledgeBase(PEOPLE).find(text)
    proposals, relations = QuoteFinder().find(text, mentions)
    speaker = next(p for p in proposals if p.key == next(r.target for r in relations if r.type == "said_by"))
    assert text[speaker.start:speaker.end] == "the minister"
    assert speaker.entity == 1


def test_speaker_and_cue_before_the_quote_and_according_to():
    text = ("Lavrov said: “Nothing has changed in our position.” According to Yonhap, the talks aimed to "
            "“continue the stalled talks with Pyongyang.”")
    mentions = KnowledgeBase(PEOPLE).find(text)
    proposals, relations = QuoteFinder().find(text, mentions)
    pairs = sorted((text[r.source[1]:r.source[1] + 8], r.type, text[r.target[1]:r.target[2]]) for r in relations)
    assert pairs == [("“Nothing", "cue", "said"), ("“Nothing", "said_by", "Lavrov"),
                     ("“continu", "cue", "According to"), ("“continu", "said_by", "Yonhap")]


def test_the_cue_lexicon_extends_per_project():
    text = "“We shall see about all of that,” Lavrov quipped."
    assert not QuoteFinder().find(text, KnowledgeBase(PEOPLE).find(text))[1]
    _, relations = QuoteFinder(["quipped"]).find(text, KnowledgeBase(PEOPLE).find(text))
    assert {r.type for r in relations} == {"cue", "said_by"}


# --- team memory and claims


def test_memory_scores_by_acceptance_and_rejection():
    memory = Memory([Remembered("Actor", "Yonhap", accepted=3), Remembered("Actor", "Seoul", accepted=1, rejected=4),
                     Remembered("Claim", "$700 billion", accepted=1, rejected=0)])
    text = "Yonhap reported from Seoul: $700 billion. Yonhapnews is another."
    found = memory.find(text)
    assert [(text[p.start:p.end], p.label, p.score) for p in found] == [
        ("Yonhap", "Actor", 0.8), ("$700 billion", "Claim", round(2 / 3, 4))]
    only_here = Memory([Remembered("Actor", "Yonhap", accepted=2, articles={7: 2})])
    assert only_here.find(text, 7) == [] and len(only_here.find(text, 8)) == 1


def test_claims_need_figures_or_two_other_signals():
    text = ("Washington spends more than $ 700 billion a year on weapons. The talks went well. "
            "The launch was the first ever and caused alarm across the region. In 2021 the visit ended.")
    found = claims.find(text)
    assert [text[p.start:p.end][:20] for p in found] == ["Washington spends mo", "The launch was the f"]
    assert found[0].score > 0.5 and found[0].attributes == {"checkworthy": True}


def test_claim_sentences_do_not_end_at_abbreviations_or_decimals():
    text = "The U.S. economy grew 3.5 percent last year, officials said. Next."
    assert [text[s:e] for s, e in claims.sentences(text)][0] == (
        "The U.S. economy grew 3.5 percent last year, officials said.")


# --- the engine


def test_engine_merges_switches_off_and_keeps_speakers_when_names_are_off():
    text = "“We will not leave the talks,” said Kim In Chul. Kim In Chol left."
    everything = Recommenders.build(entities=PEOPLE).run(text)
    assert everything.counts["spelling-variants"] == 1 and everything.counts["knowledge-base"] == 1
    quiet = Recommenders.build(entities=PEOPLE, disabled=["knowledge-base", "spelling-variants", "claim-signals"])
    result = quiet.run(text)
    assert {p.source for p in result.proposals} == {"quotes"}
    assert not any(r.type == "said_by" for r in result.relations)  # its speaker is not proposed: no link
    assert len(result.relations) == 1
