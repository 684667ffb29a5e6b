"""Imported machine output goes to the suggestion layer, never into an annotation set that would pose as
a person (docs/design.md, rule 9). Three ways in, all through the dataset import's checks:

- a record's ``suggestions`` (spans with a ``score`` and a ``source``, ``entity`` a knowledge-base name)
  and ``suggested_relations`` (between suggestion ids), as the JSONL export with suggestions writes them;
- a set the file marks as machine output (``"suggestions": true``, with its ``source``): Label Studio
  ``predictions``, ``model_version`` as the source;
- any set of a file imported "as suggestions", and the sets a file leaves without an annotator when the
  import names none (the file's name is then the source).

:func:`fold_record` turns a record's ``suggestions`` into such a set before the record is checked, so
its offsets are normalised, checked and mapped like any span's; :func:`machine_scores` reads each
suggestion's score, source and entity name back once the set has been checked.
"""

from __future__ import annotations

import math
from typing import Any

from ..formats.common import is_int
from ..models import Entity, SuggestedRelation, Suggestion

MACHINE = "suggestions"  # the key that marks a set of a record as machine output
DEFAULT_SCORE = 1.0  # a file that gives no score: it proposed the span without saying how sure it was
MAX_SOURCE = 100


def fold_record(record: dict) -> tuple[dict, list[str]]:
    """``record`` with its ``suggestions`` and ``suggested_relations`` as one machine set, and the
    problems of their shape."""
    items, links = record.get("suggestions"), record.get("suggested_relations")
    if items is None and links is None:
        return record, []
    errors = []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        return record, ["suggestions must be a list of objects"]
    if links is not None and (not isinstance(links, list) or not all(isinstance(link, dict) for link in links)):
        return record, ["suggested_relations must be a list of objects"]
    text = record.get("text") if isinstance(record.get("text"), str) else ""
    spans = []
    for item in items:
        start, end = item.get("start"), item.get("end")
        span_text = item.get("text")
        if span_text is None and is_int(start) and is_int(end):
            span_text = text[start:end]
        spans.append({"id": item.get("id"), "label": item.get("label"), "start": start, "end": end,
                      "text": span_text, "attributes": item.get("attributes") or {}, "entity": None, "note": "",
                      "score": item.get("score"), "source": item.get("source"),
                      "entity_name": item.get("entity")})
    relations = [{"type": link.get("type"), "source": link.get("source"), "target": link.get("target"),
                  "score": link.get("score")} for link in links or []]
    machine = {"annotator": None, "gold": False, "status": "submitted", "spans": spans, "relations": relations,
               MACHINE: True, "source": None}
    folded = {key: value for key, value in record.items() if key not in ("suggestions", "suggested_relations")}
    folded["annotations"] = [*(record.get("annotations") or []), machine]
    return folded, errors


def is_machine(data: dict) -> bool:
    return data.get(MACHINE) is True


def _score(value: Any) -> float | None:
    if value is None:
        return DEFAULT_SCORE
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value) if 0 <= value <= 1 else None


def machine_scores(data: dict, source: str, entity_names: set[str]) -> tuple[dict[Any, tuple], list[str]]:
    """``{span id: (score, source, entity name)}`` of a machine set, and what is wrong with them."""
    found, errors = {}, []
    set_source = data.get("source") if isinstance(data.get("source"), str) and data.get("source") else source
    for item in data.get("spans") or []:
        where = f"suggestion {item.get('id')!r}"
        score = _score(item.get("score"))
        if score is None:
            errors.append(f"{where}: score must be a number from 0 to 1, found {item.get('score')!r}")
        own = item.get("source")
        if own is not None and (not isinstance(own, str) or not own or len(own) > MAX_SOURCE):
            errors.append(f"{where}: source must be a name of at most {MAX_SOURCE} characters")
            own = None
        name = item.get("entity_name")
        if name is not None and (not isinstance(name, str) or name not in entity_names):
            errors.append(f"{where}: entity {name!r} is not in the project's knowledge base or the record's "
                          "entities")
            name = None
        found[item.get("id")] = (score if score is not None else DEFAULT_SCORE, (own or set_source)[:MAX_SOURCE],
                                 name)
    for link in data.get("relations") or []:
        if link.get("score") is not None and _score(link.get("score")) is None:
            errors.append(f"suggested relation {link.get('source')!r}→{link.get('target')!r}: score must be a "
                          "number from 0 to 1")
    return found, errors


def save_machine_sets(project, machine: list, labels: dict[str, int], types: dict[str, int],
                      entities: dict[str, int], report) -> None:
    """Write checked machine sets (``(planned article, planned set)`` pairs, articles saved) as imported
    suggestions. A source imported again onto an article replaces what it proposed there before."""
    articles = {doc.article_id for doc, _ in machine}
    sources = {data.machine["spans"].get(span.file_id, (None, data.source))[1] for _, data in machine
               for span in data.spans} | {data.source for _, data in machine}
    Suggestion.objects.filter(article_id__in=articles, imported=True, source__in=sources).delete()
    names = {span_info[2] for _, data in machine for span_info in data.machine["spans"].values() if span_info[2]}
    known = dict(entities)
    missing = names - set(known)
    if missing:
        known.update(Entity.objects.filter(project=project, name__in=missing).values_list("name", "pk"))
    rows: dict[tuple, Suggestion] = {}
    ids: list[tuple[object, dict, tuple]] = []
    for doc, data in machine:
        places = {}
        for span in data.spans:
            score, source, name = data.machine["spans"].get(span.file_id, (DEFAULT_SCORE, data.source, None))
            entity = known.get(name) if name else known.get(span.entity) if span.entity else None
            place = (doc.article_id, labels[span.label], span.start, span.end, source)
            rows.setdefault(place, Suggestion(
                article_id=doc.article_id, label_id=labels[span.label], start=span.start, end=span.end,
                text=span.text, score=score, source=source, imported=True, entity_id=entity,
                attributes=span.attributes))
            places[span.file_id] = place
        ids.append((doc, data, places))
    Suggestion.objects.bulk_create(list(rows.values()), batch_size=500)
    links = {}
    for doc, data, places in ids:
        for kind, source, target in data.relations:
            first, second = rows[places[source]], rows[places[target]]
            if first.pk == second.pk:
                continue
            score = _score(data.machine["relations"].get((kind, source, target)))
            links.setdefault((types[kind], first.pk, second.pk), SuggestedRelation(
                article_id=doc.article_id, type_id=types[kind], source_id=first.pk, target_id=second.pk,
                score=score if score is not None else DEFAULT_SCORE))
    SuggestedRelation.objects.bulk_create(list(links.values()), batch_size=500)
    report.suggestions += len(rows)
    report.suggested_relations += len(links)
