import pytest

from articles.models import Role

from .factories import make_article, make_project, make_user


@pytest.fixture
def annotator(db):
    return make_user("ann")


@pytest.fixture
def other_annotator(db):
    return make_user("ann2")


@pytest.fixture
def reviewer(db):
    return make_user("rev")


@pytest.fixture
def manager(db):
    return make_user("boss")


@pytest.fixture
def outsider(db):
    return make_user("outsider")


@pytest.fixture
def project(annotator, other_annotator, reviewer, manager):
    return make_project(
        slug="news",
        name="Newsroom",
        members=[
            (annotator, Role.ANNOTATOR),
            (other_annotator, Role.ANNOTATOR),
            (reviewer, Role.REVIEWER),
            (manager, Role.MANAGER),
        ],
    )


@pytest.fixture
def article(project):
    return make_article(project, external_id="seed")


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs a second per login; tests check behaviour, not key stretching."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached reports are keyed on database state, which tests roll back and rebuild."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
