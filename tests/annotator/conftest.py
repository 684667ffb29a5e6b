"""Projects in known states, shared by the agreement, report and dashboard tests."""

import pytest

from annotator.models import SetStatus
from articles.models import Role
from tests.factories import annotate, make_article, make_project, make_set

CLAIM = "Russia and the Republic of Korea are strategic partners"


@pytest.fixture
def k2_project(annotator, other_annotator, reviewer):
    """Six articles, one in each state, with two annotators per article."""
    project = make_project(
        slug="k2",
        name="Two per article",
        annotators_per_article=2,
        members=[(annotator, Role.ANNOTATOR), (other_annotator, Role.ANNOTATOR), (reviewer, Role.REVIEWER)],
    )
    articles = {name: make_article(project, external_id=name, title=f"Article {name}") for name in
                ["unassigned", "opened", "one-submitted", "both-submitted", "in-review", "done"]}
    make_set(articles["opened"], annotator)
    annotate(articles["one-submitted"], annotator, ("Actor", "Sergei Lavrov"))
    annotate(articles["one-submitted"], other_annotator, ("Actor", "Lavrov"), status=SetStatus.IN_PROGRESS)
    for name in ("both-submitted", "in-review", "done"):
        annotate(articles[name], annotator, ("Actor", "Sergei Lavrov"), ("Claim", "strategic partners"))
        annotate(articles[name], other_annotator, ("Actor", "Sergei Lavrov"))
    annotate(articles["in-review"], None, ("Actor", "Sergei Lavrov"), status=SetStatus.IN_REVIEW)
    annotate(articles["done"], None, ("Actor", "Sergei Lavrov"), status=SetStatus.DONE)
    return project


@pytest.fixture
def two_articles(project, annotator, other_annotator):
    """One article both annotators submitted identically; another where the second is still working."""
    agreed = make_article(project, external_id="agreed")
    for user in (annotator, other_annotator):
        annotate(agreed, user, ("Actor", "Sergei Lavrov"), ("Claim", CLAIM, {"verdict": "true"}))
    open_one = make_article(project, external_id="open")
    annotate(open_one, annotator, ("Actor", "Jong Ui Young"))
    annotate(open_one, other_annotator, ("Actor", "Sergei Lavrov"), status=SetStatus.IN_PROGRESS)
    return agreed, open_one
