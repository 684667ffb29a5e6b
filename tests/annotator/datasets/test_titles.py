"""Titles: a title the imported file gives is kept (doccano ``meta.title``, Label Studio
``data.title``); a title made from the text, or one too long to store, is cut at a word
boundary and ends with an ellipsis."""

import json

import pytest

from articles.importing import make_title
from articles.models import Article
from tests.annotator.datasets.helpers import TEXT, run_import

pytestmark = pytest.mark.django_db

LONG = ("The foreign ministers of Russia and the Republic of Korea met in Moscow on Thursday to discuss "
        "trade routes, energy deliveries and the situation on the peninsula")


def test_made_title_is_cut_at_a_word_boundary_with_an_ellipsis():
    title = make_title(LONG + ".")
    assert len(title) <= 120 and title.endswith("…")
    words = title.removesuffix("…").split()
    assert all(word in LONG.split() for word in words), title  # no word cut in half
    assert LONG.startswith(title.removesuffix("…"))


def test_short_first_sentence_is_the_title_as_it_is():
    assert make_title("Seoul and Moscow talk. More follows.") == "Seoul and Moscow talk"


def test_doccano_meta_title_is_kept(project):
    data = json.dumps({"id": 1, "text": TEXT, "meta": {"title": "Lavrov in Seoul", "source": "Yonhap"},
                       "label": [[0, 13, "Actor"]]}).encode() + b"\n"
    run_import(project, data, "doccano", name="doccano.jsonl")
    assert Article.objects.get(project=project).title == "Lavrov in Seoul"


def test_label_studio_data_title_is_kept(project):
    data = json.dumps([{"id": 5, "data": {"text": TEXT, "title": "Lavrov in Seoul"}, "annotations": []}]).encode()
    run_import(project, data, "labelstudio", name="tasks.json")
    assert Article.objects.get(project=project).title == "Lavrov in Seoul"


def test_file_title_too_long_to_store_is_cut_at_a_word_boundary(project):
    long_title = " ".join([LONG] * 3)
    data = json.dumps({"id": "x", "title": long_title, "text": TEXT}).encode() + b"\n"
    run_import(project, data)
    title = Article.objects.get(project=project).title
    assert len(title) <= 300 and title.endswith("…")
    assert long_title.startswith(title.removesuffix("…")) and long_title[len(title) - 1] == " "


def test_title_from_text_when_the_file_gives_none(project):
    data = json.dumps({"id": "x", "text": LONG + ". Second sentence."}).encode() + b"\n"
    run_import(project, data)
    title = Article.objects.get(project=project).title
    assert title.endswith("…") and LONG.startswith(title.removesuffix("…"))
