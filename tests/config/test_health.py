"""/healthz and /readyz answer load balancers without a login."""

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder


@pytest.mark.django_db
def test_healthz_answers_without_a_login_or_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ready_when_the_database_answers_and_migrations_are_applied(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_says_which_migrations_are_missing(client):
    MigrationRecorder(connection).migration_qs.filter(app="annotator", name="0002_workflow_state").delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reason"] == "migrations not applied"
    assert "annotator.0002_workflow_state" in response.json()["pending"]


@pytest.mark.django_db
def test_readyz_answers_503_when_the_database_does_not(client, monkeypatch):
    from django.db import DatabaseError

    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["reason"] == "database: DatabaseError"
