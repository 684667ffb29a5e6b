"""The fast JSONL writer (:mod:`annotator.datasets.jsonl_fast`): the bytes formats.jsonl writes."""

import pytest

from annotator.datasets import export_bytes, export_records
from annotator.formats import READABLE
from tests import factories as db
from tests.annotator.datasets.helpers import TEXT

pytestmark = pytest.mark.django_db


def test_jsonl_export_writes_stored_values_as_the_jsonl_writer_does(project, annotator):
    """Floats in any notation, integers past 64 bits, escapes and non-ASCII text: the export's
    own encoder gives the bytes formats.jsonl writes for the same records."""
    values = [1e16, 1e-07, 0.1, -2.5, 1.0, 10**30, 2**64, -(2**63), "x\u2028y", "\x01\x7f\"\\", "é😀", True, None,
              [1.5, {"k": 2e-05}], {"ñ": 3}]
    article = db.make_article(project, TEXT, external_id="n1", meta={f"k{n}": v for n, v in enumerate(values)})
    plain = db.make_article(project, "A quiet day in Seoul.", external_id="n2", meta={"weight": 0.25})
    lavrov = db.make_entity(project, "Sergei Lavrov", aliases=["Lavrov", "С. Лавров"])
    mine = db.make_set(article, annotator)
    db.make_span(mine, "Actor", "Sergei Lavrov", entity=lavrov, attributes={"kind": "person", "score": 1e-07})
    db.make_span(mine, "Cue", "said", attributes={"weight": 10**30}, note="tab\there")
    db.make_span(db.make_set(plain, annotator), "Actor", "Seoul", attributes={"score": 0.5})

    data = b"".join(export_bytes(project, "jsonl", user=None))
    assert data == b"".join(READABLE["jsonl"].write(export_records(project, user=None)))
    assert b'"score":1e-07' in data and b'"weight":1000000000000000000000000000000' in data
    assert data.decode("utf-8").count("\n") == 2
