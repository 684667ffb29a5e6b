"""The managers' Suggestions page: the evaluation table, recommenders on and off, the cue lexicon."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator.models import Entity, SuggestionSettings
from annotator.suggestions.store import suggest_articles
from tests.factories import annotate, make_article

pytestmark = pytest.mark.django_db


def test_managers_see_the_table_and_change_the_settings(client, manager, project, annotator):
    Entity.objects.create(project=project, name="Sergei Lavrov")
    article = make_article(project)
    annotate(article, None, ("Actor", "Sergei Lavrov"), status="done")
    suggest_articles(project)
    client.force_login(manager)
    url = reverse("suggestions", args=[project.slug])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="suggestion-quality"' in body and "knowledge-base" in body and "1.00" in body
    assert len(queries) < 25
    response = client.post(reverse("suggestions-settings", args=[project.slug]),
                           {"enabled": ["quotes", "knowledge-base"], "cue_words": "quipped\n\nTweeted\n"})
    assert response.status_code == 302
    saved = SuggestionSettings.objects.get(project=project)
    assert saved.cue_words == ["quipped", "tweeted"]
    assert set(saved.disabled) == {"spelling-variants", "team-memory", "claim-signals"}
    assert "checked" in client.get(url).content.decode()


def test_a_cue_too_long_is_refused_and_nothing_saved(client, manager, project):
    client.force_login(manager)
    response = client.post(reverse("suggestions-settings", args=[project.slug]),
                           {"enabled": ["quotes"], "cue_words": "x" * 60})
    assert response.status_code == 422 and "longer than 40" in response.content.decode()
    assert not SuggestionSettings.objects.exists()


def test_reviewers_are_refused(client, reviewer, project):
    client.force_login(reviewer)
    assert client.get(reverse("suggestions", args=[project.slug])).status_code == 403
