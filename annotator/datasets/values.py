"""Single values of an imported record, before any project is looked at: what a value becomes once
stored, and whether it can be stored at all. Text is normalised once (docs/design.md, rule 2:
``\\n`` line endings, NFC) and the offsets of a record's spans are mapped through the same
change (:func:`mapped_record`). A value may hold a character no database stores (NUL, half of a
UTF-16 surrogate pair) or a number no JSON column stores (NaN, infinity), anywhere in nested
lists and objects, which are walked without recursing. The article fields a record carries in
its ``meta`` are taken out and checked (:func:`article_fields`), and a label an import adds gets
attribute definitions inferred from the values its spans carry (:func:`infer_attributes`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from articles.text import normalise

from ..formats.common import is_int

ARTICLE_FIELDS = {"source": 200, "url": 1000, "published": None, "author": 200, "language": 16}
MAX_CHOICES = 30  # an inferred attribute with more distinct values is free text
UNSTORABLE = "contains a character that cannot be stored (NUL, or half of a UTF-16 surrogate pair); remove it"


def normalised(raw: str):
    """``(text, map)``: the normalised text and its offset map, ``None`` when nothing changes."""
    if "\r" not in raw and unicodedata.is_normalized("NFC", raw):
        return raw, None
    result = normalise(raw)
    return result.text, result


def _map_offset(value: Any, mapping, raw_length: int, length: int) -> Any:
    if mapping is None or not is_int(value) or value < 0:
        return value
    if value > raw_length:  # stays out of range by as much as before
        return value - raw_length + length
    return mapping.map(value)


def mapped_record(record: dict, text: str, mapping, raw_length: int) -> dict:
    """``record`` with normalised text, span offsets mapped and span texts normalised."""
    if mapping is None:
        return record
    annotations = []
    for annotation_set in record.get("annotations") or []:
        spans = []
        for span in annotation_set.get("spans") or []:
            span = dict(span)
            span["start"] = _map_offset(span.get("start"), mapping, raw_length, len(text))
            span["end"] = _map_offset(span.get("end"), mapping, raw_length, len(text))
            if isinstance(span.get("text"), str):
                span["text"] = normalised(span["text"])[0]
            spans.append(span)
        annotations.append(dict(annotation_set, spans=spans))
    return dict(record, text=text, annotations=annotations)


def _web_address(value: str) -> bool:
    """An http(s) address with a host: the article page links to it."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in value)


def article_fields(meta: dict, error: Callable[[str], None]) -> tuple[dict, dict]:
    """Article fields taken out of ``meta``, and the rest of it."""
    fields, rest = {}, {}
    for key, value in meta.items():
        if key not in ARTICLE_FIELDS:
            rest[key] = value
            continue
        if value is None or value == "":
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            error(f"meta {key} must be text, found {type(value).__name__}")
            continue
        limit = ARTICLE_FIELDS[key]
        if key == "published":
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                error(f"meta published {value!r} is not a date (use YYYY-MM-DD)")
                continue
        elif len(value) > limit:
            error(f"meta {key} is longer than {limit} characters")
            continue
        elif key == "url" and not _web_address(value):
            error(f"meta url {value[:60]!r} is not an http(s) address")
            continue
        fields[key] = value
    return fields, rest


def infer_attributes(values: dict[str, list]) -> list[dict]:
    """Attribute definitions for a new label from the values its spans carry."""
    definitions = []
    for name, seen in values.items():
        if all(isinstance(value, bool) for value in seen):
            definitions.append({"name": name, "type": "bool"})
            continue
        choices = list(dict.fromkeys(seen))
        if all(isinstance(value, str) for value in seen) and len(choices) <= MAX_CHOICES:
            definitions.append({"name": name, "type": "choice", "choices": choices})
        else:
            definitions.append({"name": name, "type": "text"})
    return definitions
