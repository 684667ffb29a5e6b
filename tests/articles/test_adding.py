"""Articles given as data (``articles.adding``): the plain-text import's normalisation and
duplicate rules, all or nothing."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articles.adding import MAX_BATCH, ArticlesRefused, NewArticle, add_articles
from articles.models import Article
from articles.text import normalise, normalised_text
from tests.factories import make_article, make_project


@given(st.text(alphabet=st.sampled_from(["a", "e", "\u0301", "\u0308", "\r", "\n", " ", "\u1100", "\u1161",
                                         "\uac00", "\u11a8", "👍", "\U0001f1f0"]), max_size=40))
def test_normalised_text_is_what_normalise_gives(raw):
    assert normalised_text(raw) == normalise(raw).text


@pytest.mark.django_db
def test_a_batch_is_checked_whole_before_anything_is_saved():
    project = make_project()
    make_article(project, "Already here.", external_id="taken")
    with pytest.raises(ArticlesRefused) as refused:
        add_articles(project, [NewArticle(text="Fine."), NewArticle(text=" \n "),
                               NewArticle(text="Other text.", external_id="taken")])
    assert [(e["item"], e["field"]) for e in refused.value.errors] == [(1, "text"), (2, "external_id")]
    assert project.articles.count() == 1
    with pytest.raises(ArticlesRefused):
        add_articles(project, [NewArticle(text=f"{n}") for n in range(MAX_BATCH + 1)])


@pytest.mark.django_db
def test_duplicates_are_skipped_and_titles_made():
    project = make_project()
    make_article(project, "Already here.", external_id="first")
    report = add_articles(project, [NewArticle(text="Already here."), NewArticle(text="New one! And more."),
                                    NewArticle(text="New one! And more.\r\n")])
    assert [a.title for a in report.created] == ["New one!"]
    assert [(s["item"], s["external_id"]) for s in report.skipped] == [(0, "first"), (2, report.created[0].external_id)]
    assert Article.objects.filter(project=project).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("item, field", [
    (NewArticle(text="Seoul\x00Moscow"), "text"),
    (NewArticle(text="Seoul", title="a\x00b"), "title"),
    (NewArticle(text="Seoul", author="\ud800"), "author"),
    (NewArticle(text="Seoul", meta={"tags": ["ok", "bad\x00"]}), "meta"),
    (NewArticle(text="Seoul", meta={"score": float("nan")}), "meta"),
])
def test_what_no_database_can_store_is_refused_by_field(item, field):
    """PostgreSQL refuses NUL in text and JSON, and NaN in JSON; SQLite stores them. Both
    databases answer the same: a problem named by its field, nothing saved."""
    project = make_project()
    with pytest.raises(ArticlesRefused) as refused:
        add_articles(project, [NewArticle(text="Fine text."), item])
    assert [(error["item"], error["field"]) for error in refused.value.errors] == [(1, field)]
    assert "cannot be stored" in refused.value.errors[0]["message"]
    assert not Article.objects.filter(project=project).exists()
