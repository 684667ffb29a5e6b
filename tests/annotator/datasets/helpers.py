"""What the dataset tests share: a sample text, records made on it, and the calls that import
and export them."""

import io
import json

from annotator.datasets import export_records, import_records
from annotator.formats import READABLE
from annotator.formats.common import make_record, make_set, make_span

TEXT = "Sergei Lavrov said Seoul is a partner. Kim In Chol criticized the United States."


def span(needle, label, *, id, text=TEXT, occurrence=0, **fields):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return make_span(id=id, label=label, start=start, end=start + len(needle), text=needle, **fields)


def lines(*records) -> bytes:
    return b"".join(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n" for record in records)


def run_import(project, data: bytes, fmt="jsonl", *, user=None, name="corpus.jsonl", **options):
    return import_records(project, READABLE[fmt].read(io.BytesIO(data)), user=user, source_name=name, **options)


def exported(project, **filters) -> list[dict]:
    return list(export_records(project, user=None, **filters))


def simple_record(record_id="r1", *, annotator="ann", spans=None, relations=None, text=TEXT, meta=None):
    spans = spans if spans is not None else [span("Sergei Lavrov", "Actor", id=1), span("said", "Cue", id=2)]
    return make_record(id=record_id, text=text, title="Talks", meta=meta,
                       annotations=[make_set(annotator=annotator, spans=spans, relations=relations or [])])
