"""WebAnno TSV 3.x escaping, as INCEpTION's TSV module defines it.

Two rules, one for ``#Text=`` lines and token text, one for feature values:

- text: a backslash, tab, line feed, form feed, carriage return and backspace become
  ``\\\\``, ``\\t``, ``\\n``, ``\\f``, ``\\r`` and ``\\b``; any other control character
  below U+0020 (but not U+000B) is written after a backslash;
- values: ``\\ [ ] | _ -> ; * `` and tab and line feed get a backslash (``->`` as one unit,
  tab and line feed as ``\\t`` and ``\\n``).

Unescaping goes left to right; a backslash before anything else stays as it is.
"""

from __future__ import annotations

import re

_TEXT_NAMED = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", "\b": "\\b"}
_TEXT_CONTROLS = "".join(chr(code) for code in range(32) if not 7 < code < 14)
_TEXT_ESCAPE = re.compile("[" + re.escape("".join(_TEXT_NAMED) + _TEXT_CONTROLS) + "]")
_TEXT_UNESCAPE = re.compile(r"\\([\\tnfrb" + re.escape(_TEXT_CONTROLS) + "])")
_TEXT_UNNAMED = {"\\": "\\", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "b": "\b"}

_VALUE_ESCAPE = re.compile(r"->|[\\\[\]|_;*\t\n]")
_VALUE_UNESCAPE = re.compile(r"\\(->|[\\\[\]|_;*tn])")
_VALUE_UNNAMED = {"t": "\t", "n": "\n"}


def escape_text(text: str) -> str:
    return _TEXT_ESCAPE.sub(lambda match: _TEXT_NAMED.get(match.group(), "\\" + match.group()), text)


def unescape_text(text: str) -> str:
    return _TEXT_UNESCAPE.sub(lambda match: _TEXT_UNNAMED.get(match.group(1), match.group(1)), text)


def escape_value(value: str) -> str:
    def replace(match: re.Match) -> str:
        found = match.group()
        return {"\t": "\\t", "\n": "\\n"}.get(found, "\\" + found)

    return _VALUE_ESCAPE.sub(replace, value)


def unescape_value(value: str) -> str:
    return _VALUE_UNESCAPE.sub(lambda match: _VALUE_UNNAMED.get(match.group(1), match.group(1)), value)


def split_unescaped(value: str, separator: str) -> list[str]:
    """``value`` cut at each ``separator`` character that no backslash escapes."""
    parts, current, index = [], [], 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            current.append(value[index:index + 2])
            index += 2
            continue
        if char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def ends_unescaped(prefix: str) -> bool:
    """Whether the character after ``prefix`` is not escaped (an even number of backslashes ends it)."""
    return (len(prefix) - len(prefix.rstrip("\\"))) % 2 == 0
