"""The suggestion layer in the database: storing, staleness, accepting and rejecting, the reads, the
commands. Suggestions are nobody's set (docs/design.md, rule 9)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from annotator.errors import ServiceError
from annotator.models import (
    AnnotationSet,
    Entity,
    Event,
    Relation,
    Span,
    SuggestedRelation,
    Suggestion,
    SuggestionDecision,
    SuggestionState,
)
from annotator.suggestions.decide import suggestion_accept, suggestion_reject
from annotator.suggestions.reads import suggestions_for
from annotator.suggestions.store import save_settings, suggest_articles
from tests.factories import annotate, make_article, make_set

pytestmark = pytest.mark.django_db

TEXT = ("Foreign Minister Jong Ui Young met Sergei Lavrov in Moscow.\n\n"
        "“Russia and Korea are strategic partners in the region,” said Jung Ui Young. "
        "Washington spends more than $ 700 billion on weapons.")


@pytest.fixture
def setup(project, annotator):
    jong = Entity.objects.create(project=project, name="Jong Ui Young")
    Entity.objects.create(project=project, name="Sergei Lavrov")
    article = make_article(project, TEXT)
    suggest_articles(project)
    own = make_set(article, annotator)
    return article, own, jong


def quote_of(article):
    return Suggestion.objects.get(article=article, label__name="Quote")


def test_suggest_stores_each_recommender_and_links_quote_speaker_and_cue(setup):
    article, _own, jong = setup
    sources = set(Suggestion.objects.filter(article=article).values_list("source", flat=True))
    assert sources == {"knowledge-base", "spelling-variants", "quotes", "claim-signals"}
    quote = quote_of(article)
    links = {r.type.name: r.target for r in SuggestedRelation.objects.filter(source=quote)}
    assert links["said_by"].text == "Jung Ui Young" and links["said_by"].entity == jong
    assert links["cue"].text == "said"
    assert not AnnotationSet.objects.filter(article=article, user__username__in=["imported", "predictions"]).exists()


def test_suggestions_are_recomputed_only_when_stale_and_keep_their_rows(setup, project):
    article, _own, _ = setup
    before = dict(Suggestion.objects.filter(article=article).values_list("text", "pk"))
    report = suggest_articles(project)
    assert (report.articles, report.fresh) == (0, 1)
    Entity.objects.create(project=project, name="Washington", kind="state")  # the knowledge base changed
    report = suggest_articles(project)
    assert report.articles == 1
    after = dict(Suggestion.objects.filter(article=article).values_list("text", "pk"))
    assert after["Washington"] and all(after[text] == pk for text, pk in before.items())
    save_settings(project, disabled=["claim-signals"], cue_words=["quipped"])
    suggest_articles(project)
    assert not Suggestion.objects.filter(article=article, source="claim-signals").exists()


def test_imported_suggestions_survive_recomputation(setup, project):
    article, _own, _ = setup
    label = project.labels.get(name="Claim")
    Suggestion.objects.create(article=article, label=label, start=0, end=7, text=article.text[:7], score=0.5,
                              source="model-v1", imported=True)
    suggest_articles(project, force=True)
    assert Suggestion.objects.filter(article=article, source="model-v1").exists()


def test_database_refuses_bad_suggestions(setup, project):
    article, _own, _ = setup
    label = project.labels.get(name="Actor")
    for fields in ({"start": 5, "end": 5}, {"score": 1.5}, {"source": ""}):
        values = {"start": 0, "end": 3, "score": 0.5, "source": "x"} | fields
        with pytest.raises(IntegrityError), transaction.atomic():
            Suggestion.objects.create(article=article, label=label, text="x", **values)


def test_accepting_a_quote_brings_its_speaker_and_cue_in_one_call(setup, annotator):
    article, own, jong = setup
    quote = quote_of(article)
    accepted = suggestion_accept(suggestion=quote, annotation_set=own, user=annotator)
    assert accepted.span.text == quote.text and accepted.span.attributes == {"type": "direct"}
    texts = sorted(span.text for span in own.spans.all())
    assert texts == sorted([quote.text, "said", "Jung Ui Young"])
    speaker = own.spans.get(text="Jung Ui Young")
    assert speaker.entity == jong
    assert sorted(r.type.name for r in Relation.objects.filter(annotation_set=own)) == ["cue", "said_by"]
    event = Event.objects.get(object_type="span", object_id=accepted.span.pk, action="create")
    assert event.data["suggestion"] == {"id": quote.pk, "source": "quotes", "score": quote.score}
    assert SuggestionDecision.objects.filter(user=annotator, choice="accepted").count() == 3
    # Accepting again changes nothing.
    again = suggestion_accept(suggestion=quote, annotation_set=own, user=annotator)
    assert again.span == accepted.span and own.spans.count() == 3


def test_relations_follow_when_their_other_end_is_accepted_later(setup, annotator):
    article, own, _ = setup
    quote = quote_of(article)
    speaker = SuggestedRelation.objects.get(source=quote, type__name="said_by").target
    cue = SuggestedRelation.objects.get(source=quote, type__name="cue").target
    suggestion_reject(suggestion=speaker, user=annotator)
    suggestion_reject(suggestion=cue, user=annotator)
    suggestion_accept(suggestion=quote, annotation_set=own, user=annotator)
    assert own.spans.count() == 1  # the rejected speaker and cue stay out
    # The annotator changes their mind about the speaker: the link comes with it.
    suggestion_accept(suggestion=speaker, annotation_set=own, user=annotator)
    assert [r.type.name for r in Relation.objects.filter(annotation_set=own)] == ["said_by"]


def test_rejections_are_remembered_per_annotator(setup, annotator, other_annotator):
    article, _own, _ = setup
    actor = Suggestion.objects.filter(article=article, label__name="Actor").first()
    suggestion_reject(suggestion=actor, user=annotator)
    assert actor not in suggestions_for(article, annotator)
    assert actor in suggestions_for(article, other_annotator)
    suggest_articles(article.project, force=True)
    assert actor not in suggestions_for(article, annotator)


def test_accept_and_reject_refuse_bad_input_and_change_nothing(setup, annotator, other_annotator, outsider, project):
    article, own, _ = setup
    quote = quote_of(article)
    theirs = make_set(article, other_annotator)
    gold = make_set(article, None)
    for target in (theirs, gold):
        with pytest.raises(ServiceError):
            suggestion_accept(suggestion=quote, annotation_set=target, user=annotator)
    elsewhere = make_set(make_article(project, TEXT + " More.", external_id="other"), annotator)
    with pytest.raises(ServiceError):
        suggestion_accept(suggestion=quote, annotation_set=elsewhere, user=annotator)
    with pytest.raises(ServiceError):
        suggestion_reject(suggestion=quote, user=outsider)
    own.status = "submitted"
    own.save()
    with pytest.raises(ServiceError):
        suggestion_accept(suggestion=quote, annotation_set=own, user=annotator)
    assert not Span.objects.filter(annotation_set__article=article).exists()
    assert not SuggestionDecision.objects.exists()


def test_an_accepted_suggestion_cannot_be_rejected(setup, annotator):
    article, own, _ = setup
    quote = quote_of(article)
    suggestion_accept(suggestion=quote, annotation_set=own, user=annotator)
    with pytest.raises(ServiceError):
        suggestion_reject(suggestion=quote, user=annotator)


def test_suggestions_for_costs_one_query_and_hides_what_the_user_decided(setup, annotator):
    article, own, _ = setup
    everything = suggestions_for(article, annotator)
    suggestion_accept(suggestion=quote_of(article), annotation_set=own, user=annotator)
    with CaptureQueriesContext(connection) as queries:
        left = suggestions_for(article, annotator)
        [(s.label.name, s.entity and s.entity.name) for s in left]
    assert len(queries) == 1
    assert len(left) == len(everything) - 3


def test_team_memory_suggests_what_the_team_submitted(project, annotator):
    first = make_article(project, "Yonhap reported the talks in detail.", external_id="one")
    annotate(first, annotator, ("Actor", "Yonhap"))
    second = make_article(project, "Later Yonhap said more about it.", external_id="two")
    suggest_articles(project)
    memory = Suggestion.objects.get(article=second, source="team-memory")
    assert (memory.label.name, memory.text, memory.score) == ("Actor", "Yonhap", pytest.approx(2 / 3, abs=1e-3))
    # What was tagged in an article is not suggested back to that article.
    assert not Suggestion.objects.filter(article=first, source="team-memory").exists()


def test_suggestions_never_count_as_a_set(setup, project):
    article, _own, _ = setup
    assert AnnotationSet.objects.filter(article=article).count() == 1
    assert SuggestionState.objects.filter(article=article).exists()


def test_suggest_command_prints_counts_per_recommender(project):
    Entity.objects.create(project=project, name="Sergei Lavrov")
    article = make_article(project, TEXT)
    out, err = StringIO(), StringIO()
    call_command("suggest", project.slug, "--article", str(article.pk), stdout=out, stderr=err)
    assert "knowledge-base" in out.getvalue() and "Computed 1 article(s)" in out.getvalue()
    assert "suggest" in err.getvalue()


def test_evaluate_command_prints_and_dumps_the_table(setup, project, annotator):
    article, own, _ = setup
    gold = make_set(article, None)
    suggestion_accept(suggestion=quote_of(article), annotation_set=own, user=annotator)
    for span in own.spans.all():
        Span.objects.create(annotation_set=gold, label=span.label, start=span.start, end=span.end, text=span.text)
    out = StringIO()
    call_command("evaluate_suggestions", project.slug, "--json", stdout=out)
    table = json.loads(out.getvalue())
    quotes = next(r for r in table["rows"] if r["recommender"] == "quotes" and r["label"] == "Quote")
    assert quotes["precision"] == 1.0 and quotes["recall"] == 1.0
    out = StringIO()
    call_command("evaluate_suggestions", project.slug, "--against", "submitted", stdout=out)
    assert "Quotes whose suggested speaker is right" in out.getvalue()


def test_refresh_if_stale_recomputes_only_after_a_change(setup, project):
    from annotator.suggestions.store import refresh_if_stale

    article, _own, _ = setup
    assert refresh_if_stale(article) is False
    Entity.objects.create(project=project, name="Moscow", kind="state")
    assert refresh_if_stale(article) is True
    assert Suggestion.objects.filter(article=article, text="Moscow").exists()


def test_settings_refuse_unknown_recommenders(project):
    with pytest.raises(ServiceError, match="no recommender called"):
        save_settings(project, disabled=["crystal-ball"], cue_words=[])
