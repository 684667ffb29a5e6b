"""brat standoff, writing: a zip with a ``.txt``/``.ann`` pair per record and ``annotation.conf``.

:func:`write` streams the archive member by member. Each ``.ann`` holds the record's first
annotation set as T, R, A, N then ``#`` lines; the title, meta, other annotation sets,
entity kinds and aliases are not carried, since brat has no place for them. Names lose
their whitespace and text fields their line breaks, as brat requires; the rules are in
the package docstring.
"""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Iterable, Iterator

from ..common import StreamBuffer, canonical_record, entities_by_id, first_set
from ..zips import add_file

# Every character str.splitlines() breaks on: none may appear inside an .ann line.
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_WHITESPACE = re.compile(r"\s")
_UNSAFE_STEM = re.compile(r"[^A-Za-z0-9._-]")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}


def _flat(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text)


def _name(value: str) -> str:
    """A brat type, relation or attribute name: no whitespace."""
    return _WHITESPACE.sub("_", value)


def _stem(record_id: str, used: set[str]) -> str:
    stem = _UNSAFE_STEM.sub("_", record_id).strip("._")[:100] or "document"
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    candidate, number = stem, 2
    while candidate.casefold() in used:
        candidate, number = f"{stem}-{number}", number + 1
    used.add(candidate.casefold())
    return candidate


class _Config:
    """What annotation.conf must declare, collected while writing."""

    def __init__(self) -> None:
        self.entities: dict[str, None] = {}
        self.relations: dict[str, tuple[dict, dict]] = {}
        self.attributes: dict[str, tuple[dict, dict]] = {}

    def render(self) -> str:
        def join(values: dict) -> str:
            return "|".join(values)

        lines = ["[entities]", *self.entities, "", "[relations]"]
        lines += [f"{kind}\tArg1:{join(sources)}, Arg2:{join(targets)}"
                  for kind, (sources, targets) in self.relations.items()]
        lines += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", ""]
        lines += ["[events]", "", "[attributes]"]
        for name, (labels, values) in self.attributes.items():
            lines.append(f"{name}\tArg:{join(labels)}" + (f", Value:{join(values)}" if values else ""))
        return "\n".join(lines) + "\n"


def _ann(record: dict, config: _Config) -> str:
    """The .ann text of a record's first annotation set: T, R, A, N then # lines."""
    annotation_set = first_set(record) or {"spans": [], "relations": []}
    entities = entities_by_id(record)
    text_bound, relations, attributes, norms, notes = [], [], [], [], []
    labels = {}
    for span in annotation_set["spans"]:
        label = _name(span["label"])
        labels[span["id"]] = label
        config.entities[label] = None
        text_bound.append(f"T{span['id']}\t{label} {span['start']} {span['end']}\t{_flat(span['text'])}")
    for relation in annotation_set["relations"]:
        kind = _name(relation["type"])
        sources, targets = config.relations.setdefault(kind, ({}, {}))
        sources[labels.get(relation["source"], "<ENTITY>")] = None
        targets[labels.get(relation["target"], "<ENTITY>")] = None
        arguments = f"Arg1:T{relation['source']} Arg2:T{relation['target']}"
        relations.append(f"R{len(relations) + 1}\t{kind} {arguments}")
    for span in annotation_set["spans"]:
        target = f"T{span['id']}"
        for name, value in span["attributes"].items():
            if value is None or value is False or value == "":
                continue
            name = _name(name)
            allowed_labels, values = config.attributes.setdefault(name, ({}, {}))
            allowed_labels[labels[span["id"]]] = None
            if value is True:
                attributes.append(f"A{len(attributes) + 1}\t{name} {target}")
            else:
                value = _name(value if isinstance(value, str) else str(value))
                values[value] = None
                attributes.append(f"A{len(attributes) + 1}\t{name} {target} {value}")
        entity = entities.get(span["entity"]) if span["entity"] is not None else None
        if entity is not None:
            name = _flat(entity.get("name") or "")
            norms.append(f"N{len(norms) + 1}\tReference {target} Factmark:{entity['id']}\t{name}")
            if entity.get("wikidata"):
                norms.append(f"N{len(norms) + 1}\tReference {target} Wikidata:{entity['wikidata']}\t{name}")
        if span["note"]:
            notes.append(f"#{len(notes) + 1}\tAnnotatorNotes {target}\t{_flat(span['note'])}")
    return "".join(line + "\n" for line in (*text_bound, *relations, *attributes, *norms, *notes))


def write(records: Iterable[dict]) -> Iterator[bytes]:
    """Yield a zip archive in pieces: one ``.txt``/``.ann`` pair per record, then ``annotation.conf``."""
    sink = StreamBuffer()
    stamp = time.localtime()[:6]
    config = _Config()
    used: set[str] = set()
    with zipfile.ZipFile(sink, "w") as archive:
        for number, record in enumerate(records, 1):
            record = canonical_record(record, f"record {number}")
            stem = _stem(record["id"], used)
            add_file(archive, f"{stem}.txt", record["text"].encode("utf-8"), stamp)
            add_file(archive, f"{stem}.ann", _ann(record, config).encode("utf-8"), stamp)
            yield sink.drain()
        add_file(archive, "annotation.conf", config.render().encode("utf-8"), stamp)
    yield sink.drain()
