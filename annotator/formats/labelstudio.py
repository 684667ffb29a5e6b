"""Label Studio JSON export (text tasks with ``Labels`` and ``Relations``).

Read and written. Every annotation that is not cancelled, and every prediction, becomes
an annotation set: labelled regions become spans, relations relations, per-region
results attributes or the note, and the task's data the meta. Reading refuses, with its
task number, a file that is not a JSON array of tasks, a task without its text, a region
without a label or integer offsets, a relation without a label or with an end that is
no region, and flags or users of the wrong type. Entity links are not carried.

The file is a JSON array of tasks::

    [{"id": 12, "data": {"text": "...", "title": "..."},
      "annotations": [{"id": 3, "completed_by": 1, "ground_truth": false, "result": [
          {"id": "wI2ROWhgC4", "type": "labels", "from_name": "label", "to_name": "text",
           "value": {"start": 0, "end": 5, "text": "Seoul", "labels": ["Actor"]}},
          {"type": "relation", "from_id": "a1", "to_id": "wI2ROWhgC4", "direction": "right",
           "labels": ["said_by"]}]}],
      "predictions": [{"model_version": "v1", "result": [...]}]}]

Rules chosen here:

- Each annotation becomes an annotation set; cancelled annotations (``was_cancelled``)
  are skipped. ``ground_truth`` maps to ``gold``. Both flags must be booleans (or absent),
  and ``completed_by`` a user id or an object with a ``username`` or ``email``; other
  values are reported, not guessed at.
- The annotator is ``completed_by["username"]`` or ``["email"]`` when ``completed_by``
  is an object, else the e-mail in ``created_username`` (``"a@b.org, 1"``), else the
  user id as a string.
- **Predictions** become extra annotation sets whose annotator is ``"predictions"``, marked as
  machine output (``"suggestions": true``, ``"source"``: the ``model_version``, ``"predictions"``
  without one; each span's ``score`` the result's or the prediction's score), which the import
  puts into the suggestion layer, never into a set; on writing, a set with that annotator, or
  marked so, goes back into ``"predictions"`` with its source as the ``model_version``.
- Result ids are strings; they become integer span ids numbered 1, 2, … across the
  task, so they are unique within the record. A region with several labels becomes one
  span per label (relations attach to the first).
- Per-region ``choices`` (and ``textarea``, ``number``, ``rating``…) results sharing a
  region's id become span attributes named after their ``from_name`` (a single choice
  becomes a string); a region's ``meta.text`` (or a per-region textarea named ``note``)
  becomes the note. Results not tied to a region (document-level choices) are ignored.
- Relations: ``labels`` give the type (one relation per label, a relation without a
  label or with a label that is not a text is an error), ``direction "left"`` swaps the
  ends, ``"bi"`` is read as ``"right"``.
- ``start``/``end`` are code points; ``offsets="utf16"`` converts from/to UTF-16 units,
  which older Label Studio frontends produced for text with emoji. The region's own
  ``text`` is kept as the span text, so drifted offsets show up in ``check_record``.
- ``data`` keys other than the text, ``title`` and ``external_id`` go into ``meta`` (and
  the task's own ``meta`` object is merged in). The record id is ``data["external_id"]``,
  else the task id.
- Writing: attribute values become choices (booleans as ``"true"``/``"false"``, so they
  read back as strings); entity links are not carried. ``created_username`` holds the
  annotator name, and ``completed_by`` is written as ``{"email": …}`` only for names in
  the ``annotator_emails`` mapping, because Label Studio refuses unknown users on import.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from .common import (
    FormatError,
    Utf16Offsets,
    canonical_record,
    check_offset_units,
    decode_utf8,
    dump_json,
    foreign_annotations,
    is_int,
    is_key,
    make_record,
    make_relation,
    make_set,
    make_span,
    quote,
    read_offset,
    too_big_to_parse,
)

CONTENT_TYPE = "application/json"
EXTENSION = "json"

PREDICTIONS = "predictions"
NOTE = "note"


def read(stream: BinaryIO, *, text_key: str = "text",
         offsets: str = "codepoints") -> Iterator[tuple[str, dict | FormatError]]:
    """Yield ``("task N", record)`` or ``("task N", FormatError)``; N counts tasks from 1.

    ``text_key`` is the ``data`` key holding the text (``$text`` in the labelling config).
    """
    check_offset_units(offsets)
    try:
        content = decode_utf8(stream.read(), "file")
        tasks = json.loads(content)
    except FormatError as error:
        yield "file", error
        return
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        yield "file", _json_lines_hint(content) or FormatError("file", message)
        return
    except (ValueError, RecursionError) as exc:
        yield "file", FormatError("file", too_big_to_parse(exc))
        return
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        yield "file", FormatError("file", "expected a JSON array of tasks")
        return
    for number, task in enumerate(tasks, 1):
        location = f"task {number}"
        foreign = foreign_annotations(task, "labelstudio", location)
        if foreign is not None:
            yield location, foreign
            continue
        errors: list[FormatError] = []
        record = _record(task, number, location, text_key, offsets, errors)
        if errors:
            for error in errors:
                yield location, error
        else:
            yield location, record


def _json_lines_hint(content: str) -> FormatError | None:
    """For a JSON-lines file (one object a line, not an array of tasks): the refusal naming the
    format its first line looks like, if it carries another format's annotations."""
    try:
        first = json.loads(content.lstrip().split("\n", 1)[0])
    except (ValueError, RecursionError):
        return None
    return foreign_annotations(first, "labelstudio", "line 1")


def _annotator(annotation: dict) -> str | None:
    completed_by = annotation.get("completed_by")
    if isinstance(completed_by, dict):
        for key in ("username", "email"):
            if completed_by.get(key):
                return str(completed_by[key])
    created = annotation.get("created_username")
    if isinstance(created, str) and created.strip():
        return created.split(",")[0].strip()
    if completed_by is not None and not isinstance(completed_by, dict):
        return str(completed_by)
    return None


def _sound_annotation(item: dict, where: str, error) -> bool:
    """Whether the flags and the user of an annotation (or prediction) have the types Label
    Studio writes; each one that does not is reported."""
    sound = True
    for key in ("was_cancelled", "ground_truth"):
        if not isinstance(item.get(key), bool | None):
            error(f"{where}: {key} must be true or false, found {quote(item.get(key))}")
            sound = False
    completed_by = item.get("completed_by")
    names = [completed_by.get("username"), completed_by.get("email")] if isinstance(completed_by, dict) \
        else [completed_by]
    if not all(name is None or isinstance(name, str) or is_int(name) for name in names):
        error(f"{where}: completed_by must be a user id or an object with a username or an email, "
              f"found {quote(completed_by)}")
        sound = False
    return sound


def _record(task: Any, number: int, location: str, text_key: str, offsets: str,
            errors: list[FormatError]) -> dict | None:
    def error(message: str) -> None:
        errors.append(FormatError(location, message))

    if not isinstance(task, dict):
        error("a task must be an object")
        return None
    data = task.get("data")
    if not isinstance(data, dict):
        error("no \"data\" object (JSON-MIN and CSV exports are not supported: export as JSON)")
        return None
    text = data.get(text_key)
    if not isinstance(text, str):
        error(f"data has no {text_key!r} string")
        return None
    converter = Utf16Offsets(text) if offsets == "utf16" else None

    meta = {key: value for key, value in data.items() if key not in (text_key, "title", "external_id")}
    if isinstance(task.get("meta"), dict):
        meta.update(task["meta"])
    record_id = data.get("external_id")
    if record_id is None or record_id == "":
        record_id = task.get("id", number)
    title = data.get("title")

    annotation_sets = _annotation_sets(task, text, converter, location, errors)
    return make_record(id=str(record_id), title=title if isinstance(title, str) else "", text=text, meta=meta,
                       annotations=annotation_sets)


def _annotation_sets(task: dict, text: str, converter: Utf16Offsets | None, location: str,
                     errors: list[FormatError]) -> list[dict]:
    """One annotation set per annotation that is not cancelled, then one per prediction."""
    def error(message: str) -> None:
        errors.append(FormatError(location, message))

    span_ids = itertools.count(1)
    annotation_sets = []
    for kind, items in (("annotation", task.get("annotations")), ("prediction", task.get("predictions"))):
        if items is None:
            continue
        if not isinstance(items, list):
            error(f"\"{kind}s\" must be a list")
            continue
        for index, item in enumerate(items, 1):
            where = f"{kind} {index}"
            if not isinstance(item, dict):
                error(f"{where} must be an object")
                continue
            if not _sound_annotation(item, where, error) or item.get("was_cancelled"):
                continue
            reader = _ResultReader(text, converter, span_ids, where, location, errors)
            spans, relations = reader.read(item.get("result"))
            if kind == "prediction":
                annotation_sets.append(_prediction_set(item, reader, spans, relations))
            else:
                gold = bool(item.get("ground_truth"))
                annotation_sets.append(make_set(annotator=_annotator(item), gold=gold, spans=spans,
                                                relations=relations))
    return annotation_sets


def _prediction_set(item: dict, reader: _ResultReader, spans: list, relations: list) -> dict:
    """A prediction as a set marked as machine output, with its model as the source and its scores."""
    prediction = make_set(annotator=PREDICTIONS, spans=spans, relations=relations)
    version = item.get("model_version")
    prediction["suggestions"] = True
    prediction["source"] = str(version)[:100] if version not in (None, "") else PREDICTIONS
    default = _score(item.get("score"))
    results = item.get("result") if isinstance(item.get("result"), list) else []
    scores = {str(r.get("id")): _score(r.get("score")) for r in results if isinstance(r, dict)}
    for region_id, region_spans in reader.regions.items():
        score = scores.get(region_id) if scores.get(region_id) is not None else default
        if score is not None:
            for span in region_spans:
                span["score"] = score
    return prediction


def _score(value: Any) -> float | None:
    """A score Label Studio gives, if it is a number from 0 to 1."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        return None
    return float(value)


@dataclass
class _ResultReader:
    """Reads one annotation's (or prediction's) ``result`` list: one method per result type.

    ``labels`` results (regions) are read first, so that the other results, which point at
    regions, may come before them in the list: ``relation`` results link two regions, and
    any other type (``choices``, ``textarea``, ``number``, ``rating``…) tied to a region
    becomes an attribute (or the note) of the region's spans.
    """

    text: str
    converter: Utf16Offsets | None
    span_ids: Iterator[int]  # shared by every annotation of the task, so span ids are unique in the record
    where: str  # "annotation 2", "prediction 1"
    location: str  # "task 3"
    errors: list[FormatError]
    spans: list[dict] = field(default_factory=list)
    regions: dict[str, list[dict]] = field(default_factory=dict)  # result id → its spans (one per label)
    relations: list[dict] = field(default_factory=list)

    def read(self, results: Any) -> tuple[list, list]:
        """Spans and relations of the ``result`` list."""
        if results is None:
            results = []
        if not isinstance(results, list):
            self.error("\"result\" must be a list")
            return [], []
        results = [item for item in results if isinstance(item, dict)]
        for item in results:
            if item.get("type") == "labels":
                self._labels(item)
        for item in results:
            kind = item.get("type")
            if kind == "relation":
                self._relation(item)
            elif kind != "labels":
                self._region_result(item, kind)
        return self.spans, self.relations

    def error(self, message: str) -> None:
        self.errors.append(FormatError(self.location, f"{self.where}: {message}"))

    def _offset(self, value: Any, what: str) -> int | None:
        return read_offset(value, f"{self.where}: {what}", self.converter, self.errors, self.location)

    def _labels(self, item: dict) -> None:
        """A labelled region: one span per label, its ``meta.text`` as the note."""
        region = f"region {item.get('id')!r}"
        value = item.get("value")
        if not isinstance(value, dict):
            self.error(f"{region} has no \"value\"")
            return
        start = self._offset(value.get("start"), f"{region} start")
        end = self._offset(value.get("end"), f"{region} end")
        labels = value.get("labels")
        if not isinstance(labels, list) or not labels or not all(isinstance(label, str) for label in labels):
            self.error(f"{region} has no label")
            return
        if start is None or end is None:
            return
        span_text = value.get("text")
        if not isinstance(span_text, str):
            span_text = self.text[start:end]
        note = ""
        meta = item.get("meta")
        if isinstance(meta, dict) and isinstance(meta.get("text"), list):
            note = "\n".join(str(line) for line in meta["text"])
        for label in labels:
            span = make_span(id=next(self.span_ids), label=label, start=start, end=end, text=span_text, note=note)
            self.spans.append(span)
            self.regions.setdefault(str(item.get("id")), []).append(span)

    def _relation(self, item: dict) -> None:
        """A relation between two regions: one per label, ``direction "left"`` swapping the ends."""
        ends = []
        for key in ("from_id", "to_id"):
            region_spans = self.regions.get(str(item.get(key)))
            if not region_spans:
                self.error(f"relation {key} {item.get(key)!r} is not a labelled region of this annotation")
            else:
                ends.append(region_spans[0]["id"])
        labels = item.get("labels")
        if not isinstance(labels, list) or not labels:
            self.error(f"relation {item.get('from_id')!r}→{item.get('to_id')!r} has no label; "
                       "Factmark relations are typed")
            return
        if not all(isinstance(label, str) for label in labels):
            self.error(f"relation {item.get('from_id')!r}→{item.get('to_id')!r}: labels must be texts, "
                       f"found {quote(labels)}")
            return
        if len(ends) != 2:
            return
        source, target = ends if item.get("direction") != "left" else ends[::-1]
        self.relations.extend(make_relation(str(label), source, target) for label in labels)

    def _region_result(self, item: dict, kind: Any) -> None:
        """Any other result sharing a region's id: an attribute named after its ``from_name``, or the
        note (a ``textarea`` named ``note``). Results tied to no region are ignored."""
        region_spans = self.regions.get(str(item.get("id")))
        value = item.get("value")
        if not region_spans or not isinstance(value, dict) or not isinstance(item.get("from_name"), str):
            return
        if not is_key(kind):
            self.error(f"region {item.get('id')!r}: the type of its {item['from_name']!r} result must be a text, "
                       f"found {quote(kind)}")
            return
        attribute = value.get("text" if kind == "textarea" else kind)
        if kind == "textarea" and item["from_name"] == NOTE:
            note = "\n".join(map(str, attribute)) if isinstance(attribute, list) else str(attribute or "")
            for span in region_spans:
                span["note"] = note
            return
        if isinstance(attribute, list) and len(attribute) == 1:
            attribute = attribute[0]
        for span in region_spans:
            span["attributes"][item["from_name"]] = attribute


def _choice(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def write(records: Iterable[dict], *, from_name: str = "label", to_name: str = "text",
          offsets: str = "codepoints", annotator_emails: dict[str, str] | None = None) -> Iterator[bytes]:
    """Yield a JSON array of tasks, one task per chunk.

    ``from_name``/``to_name`` must match the ``Labels``/``Text`` names of the Label Studio
    labelling config the file is imported into.
    """
    check_offset_units(offsets)
    emails = annotator_emails or {}
    yield b"["
    for number, record in enumerate(records, 1):
        record = canonical_record(record, f"record {number}")
        text = record["text"]
        converter = Utf16Offsets(text) if offsets == "utf16" else None
        data: dict[str, Any] = {"text": text}
        if record["title"]:
            data["title"] = record["title"]
        data["external_id"] = record["id"]
        reserved = ("text", "title", "external_id")
        data.update((key, value) for key, value in record["meta"].items() if key not in reserved)
        task: dict[str, Any] = {"id": number, "data": data}
        clashes = {key: value for key, value in record["meta"].items() if key in reserved}
        if clashes:
            task["meta"] = clashes
        annotations, predictions = [], []
        for index, annotation_set in enumerate(record["annotations"], 1):
            result = _result(annotation_set, converter, from_name, to_name)
            annotator = annotation_set["annotator"]
            if annotator == PREDICTIONS or annotation_set.get("suggestions") is True:
                version = annotation_set.get("source") or "factmark"
                predictions.append({"id": index, "model_version": version, "result": result})
                continue
            annotation: dict[str, Any] = {"id": index}
            if annotator is not None:
                if annotator in emails:
                    annotation["completed_by"] = {"email": emails[annotator]}
                annotation["created_username"] = annotator
            annotation.update(ground_truth=bool(annotation_set["gold"]), was_cancelled=False, result=result)
            annotations.append(annotation)
        task["annotations"] = annotations
        task["predictions"] = predictions
        yield (("\n" if number == 1 else ",\n") + dump_json(task)).encode("utf-8")
    yield b"\n]\n"


def _result(annotation_set: dict, converter: Utf16Offsets | None, from_name: str, to_name: str) -> list[dict]:
    result = []
    for span in annotation_set["spans"]:
        region_id = str(span["id"])
        start, end = span["start"], span["end"]
        if converter is not None:
            start, end = converter.to_utf16(start), converter.to_utf16(end)
        item: dict[str, Any] = {
            "id": region_id, "type": "labels", "from_name": from_name, "to_name": to_name,
            "value": {"start": start, "end": end, "text": span["text"], "labels": [span["label"]]},
        }
        if span["note"]:
            item["meta"] = {"text": [span["note"]]}
        result.append(item)
        for name, value in span["attributes"].items():
            if value is None:
                continue
            choices = [_choice(v) for v in value] if isinstance(value, list) else [_choice(value)]
            result.append({
                "id": region_id, "type": "choices", "from_name": name, "to_name": to_name,
                "value": {"start": start, "end": end, "text": span["text"], "choices": choices},
            })
    for relation in annotation_set["relations"]:
        result.append({"from_id": str(relation["source"]), "to_id": str(relation["target"]),
                       "type": "relation", "direction": "right", "labels": [relation["type"]]})
    return result
