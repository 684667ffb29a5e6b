"""How the JSONL export writes a record fast and still byte for byte as
:mod:`annotator.formats.jsonl` writes it. The export reads the JSON columns with
:func:`decode_exact`, so that every float in a record is a :class:`JsonFloat` that remembers how
the json module writes it; :func:`jsonl_line` then writes the record with orjson, which writes
strings, integers, booleans, None, objects and lists exactly as the json module does with the
writer's settings (non-ASCII as is, the same escapes, keys in order). A record orjson would
write otherwise (integers past 64 bits, keys that are not strings, …) is written by the json
module itself.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

# What formats.jsonl writes (common.dump_json), without the check for self-containing
# objects, which records built from rows cannot be. See jsonl_line for the fast way.
_JSONL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
# orjson writes str, int, bool, None, dict and list as _JSONL does (non-ASCII as is, the
# same escapes, keys in order); anything else goes to _orjson_default or, failing that,
# to _JSONL itself.
_ORJSON_OPTIONS = (orjson.OPT_APPEND_NEWLINE | orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME
                   | orjson.OPT_PASSTHROUGH_DATACLASS)


class JsonFloat(float):
    """A number read from a JSON column for the JSONL export: written exactly as the json
    module writes a float (``repr``, or ``NaN``/``Infinity``), which orjson does not do."""


def decode_exact(raw: str) -> Any:
    """``json.loads``, every float (and ``NaN``, ``Infinity``) a :class:`JsonFloat`."""
    return json.loads(raw, parse_float=JsonFloat, parse_constant=JsonFloat)


def _orjson_default(value: Any) -> Any:
    if type(value) is JsonFloat:
        if math.isfinite(value):
            return orjson.Fragment(float.__repr__(value))
        return orjson.Fragment("NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity")
    raise TypeError  # not for orjson: jsonl_line hands the record to the json module


def jsonl_line(record: dict) -> bytes:
    """The record's line as formats.jsonl writes it, byte for byte.

    Every float in an exported record is a :class:`JsonFloat` (the JSON columns are read with
    :func:`decode_exact`); orjson refuses anything it would not write as the json module
    does (other floats' subclasses, integers past 64 bits, keys that are not strings, …),
    and those records are written by the json module itself.
    """
    try:
        return orjson.dumps(record, default=_orjson_default, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return (_JSONL.encode(record) + "\n").encode("utf-8")
