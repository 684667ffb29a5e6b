"""Only formats this server can write are offered: spaCy DocBin needs spaCy, an
optional extra, and is neither offered nor accepted (with what is missing) without it."""

import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from annotator import formats
from annotator.formats import spacy_docbin

pytestmark = pytest.mark.django_db


@pytest.fixture
def without_spacy(monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", None)  # what find_spec answers for a module that is not there


@pytest.fixture
def with_spacy(monkeypatch):
    monkeypatch.setattr(spacy_docbin, "missing", lambda: None)


def test_registry_tells_what_cannot_be_written_here(without_spacy):
    assert formats.unavailable() == {"spacy": "spaCy is not installed on this server (pip install .[spacy])"}
    assert "spacy" not in formats.writable_here() and "jsonl" in formats.writable_here()


def test_datasets_page_does_not_offer_spacy_without_spacy_and_says_why(client, project, annotator, without_spacy):
    client.force_login(annotator)
    body = client.get(reverse("datasets", args=[project.slug])).content.decode()
    assert 'value="jsonl"' in body and 'value="spacy"' not in body
    assert "spaCy DocBin: spaCy is not installed on this server" in body
    response = client.get(reverse("dataset-export", args=[project.slug]), {"format": "spacy", "sets": "all"})
    assert response.status_code == 422
    assert "install the spacy extra" not in response.content.decode()


def test_datasets_page_offers_spacy_when_it_is_installed(client, project, annotator, with_spacy):
    client.force_login(annotator)
    body = client.get(reverse("datasets", args=[project.slug])).content.decode()
    assert 'value="spacy"' in body and 'id="unavailable-formats"' not in body


def test_export_command_says_what_is_missing(project, tmp_path, without_spacy):
    with pytest.raises(CommandError, match=r"The spacy format cannot be written here: spaCy is not installed"):
        call_command("export_dataset", project.slug, "--format", "spacy", "-o", str(tmp_path / "out.spacy"),
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert not (tmp_path / "out.spacy").exists()
