"""An article two annotators submitted, and a reviewer logged in to settle it."""

import pytest

from annotator.models import SetStatus
from tests.factories import make_set


@pytest.fixture
def sets(project, article, annotator, other_annotator):
    project.annotators_per_article = 2
    project.save()
    return (make_set(article, annotator, status=SetStatus.SUBMITTED),
            make_set(article, other_annotator, status=SetStatus.SUBMITTED))


@pytest.fixture
def rv(client, reviewer):
    client.force_login(reviewer)
    return client
