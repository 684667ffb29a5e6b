"""WebAnno TSV 3.x, reading: one TSV file, or a zip such as INCEpTION's project export.

:func:`read` looks at the first bytes: a zip is read member by member (spooled first when
the stream cannot seek), anything else is one TSV document. In a zip,
``annotation/<document>/<user>.tsv`` is that user's set of the document,
``curation/<document>/<user>.tsv`` its gold set, ``source/<document>`` its original text
(used when the TSV sentences are found in it at their offsets, and for a document no TSV
annotates), and any other ``.tsv`` a document of its own (named by the file) whose set
belongs to ``annotator``. The ``annotation_documents`` of INCEpTION's
``exportedproject*.json`` give each user's set its status (``FINISHED`` → submitted,
``IN_PROGRESS`` → in progress, ``NEW`` → new); without them a set is submitted.
INCEpTION's other members (the rest of that JSON, ``annotation_ser/``, logs), ``__MACOSX/``
and ``._*`` are ignored. A document with any problem yields no
record; every problem names the member and line.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath
from typing import BinaryIO

from ..common import FormatError, make_record, make_set
from ..zips import read_archive
from .tsv import TsvReader, link_entities

MAX_BYTES = 200 * 1024 * 1024
GOLD_USER = "CURATION_USER"  # INCEpTION's name for the curated (gold) annotations
NOBODY = "INITIAL_CAS"  # INCEpTION's name for a document's annotations before anyone worked on it

# INCEpTION's annotation document states (in exportedproject*.json) as Factmark set statuses.
STATES = {"NEW": "new", "IN_PROGRESS": "in_progress", "FINISHED": "submitted"}
_PROJECT_JSON = re.compile(r"(?:[^/]+/)?exportedproject[^/]*\.json")

_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError, zlib.error,
                EOFError, OSError, ValueError)


@dataclass
class _Document:
    name: str
    sets: list[tuple[str | None, bool, zipfile.ZipInfo]] = field(default_factory=list)
    states: dict[str, str] = field(default_factory=dict)  # user -> Factmark status, from the project's JSON
    source: zipfile.ZipInfo | None = None


def read(stream: BinaryIO, *, annotator: str | None = None, max_bytes: int = MAX_BYTES,
         name: str | None = None) -> Iterator[tuple[str, dict | FormatError]]:
    """Yield ``(where, record)`` per document, or ``(where, FormatError)`` for each problem.

    ``annotator`` owns the set of a single TSV file (and of any ``.tsv`` in a zip that is not
    in INCEpTION's layout); ``name`` is a single file's document id (default: the stream's
    file name without its extension, else ``document``).
    """
    if not getattr(stream, "seekable", lambda: False)():
        with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as spooled:
            shutil.copyfileobj(stream, spooled)
            spooled.seek(0)
            yield from read(spooled, annotator=annotator, max_bytes=max_bytes, name=name or _stream_name(stream))
        return
    start = stream.tell()
    magic = stream.read(4)
    stream.seek(start)
    if magic[:2] == b"PK":
        yield from _read_zip(stream, max_bytes, annotator)
        return
    data = stream.read(max_bytes + 1)
    document = name or _stream_name(stream) or "document"
    if len(data) > max_bytes:
        yield document, FormatError(document, f"larger than the limit of {max_bytes} bytes")
        return
    yield from _document(document, [(annotator, False, document, data, "submitted")], None)


def _stream_name(stream: BinaryIO) -> str | None:
    for candidate in (stream, getattr(stream, "raw", None)):
        name = getattr(candidate, "name", None)
        if isinstance(name, str) and name:
            return PurePosixPath(PureWindowsPath(name).as_posix()).stem or None
    return None


def _unsafe(name: str) -> bool:
    parts = re.split(r"[\\/]", name)
    return name.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", name)) or ".." in parts


def _read_zip(stream: BinaryIO, max_bytes: int, annotator: str | None) -> Iterator[tuple[str, dict | FormatError]]:
    return read_archive(stream, max_bytes, lambda archive, members: _read_archive(archive, members, annotator),
                        not_a_zip="not a zip file, nor a WebAnno TSV file")


def _read_archive(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo],
                  annotator: str | None) -> Iterator[tuple[str, dict | FormatError]]:
    documents: dict[str, _Document] = {}
    for info in members:
        problem = _sort_member(info, documents, annotator)
        if problem is not None:
            yield info.filename, problem
    states = _states(archive, members)
    for document in documents.values():
        document.states = states.get(document.name, {})
    if not documents:
        brat = any(info.filename.endswith(".ann") for info in members)
        yield "zip", FormatError("zip", "no WebAnno TSV file (.tsv) in this zip" + (
            "; it holds brat files (.ann): import it as brat" if brat else ""))
    for document in documents.values():
        yield from _zip_document(archive, document)


def _states(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> dict[str, dict[str, str]]:
    """Document -> user -> status, from the ``annotation_documents`` of INCEpTION's project JSON;
    empty when the zip has none or it cannot be read (every set is then ``submitted``)."""
    states: dict[str, dict[str, str]] = {}
    for info in members:
        if not _PROJECT_JSON.fullmatch(info.filename):
            continue
        try:
            project = json.loads(archive.read(info))
        except (*_READ_ERRORS, RecursionError, UnicodeDecodeError):
            continue
        documents = project.get("annotation_documents") if isinstance(project, dict) else None
        for item in documents if isinstance(documents, list) else []:
            if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("user"), str):
                status = STATES.get(item.get("state"))
                if status is not None:
                    states.setdefault(item["name"], {})[item["user"]] = status
    return states


def _sort_member(info: zipfile.ZipInfo, documents: dict[str, _Document], annotator: str | None) -> FormatError | None:
    """File a member under its document; an error for an unsafe or repeated one."""
    name = info.filename
    if _unsafe(name):
        return FormatError(name, "unsafe path in zip (absolute, or with a '..' component)")
    path = PurePosixPath(name.replace("\\", "/"))
    if not path.parts or path.parts[0] == "__MACOSX" or path.name.startswith("._"):
        return None
    folders = path.parts[:-1]
    if len(folders) >= 2 and folders[-2] in ("annotation", "curation") and path.suffix == ".tsv":
        gold = folders[-2] == "curation"
        user = None if gold or path.stem == NOBODY else path.stem
        entry = (user, gold, info)
        document = documents.setdefault(folders[-1], _Document(folders[-1]))
    elif folders and folders[-1] == "source":
        document = documents.setdefault(path.name, _Document(path.name))
        if document.source is not None:
            return FormatError(name, f"a second source for {path.name}")
        document.source = info
        return None
    elif path.suffix == ".tsv":
        entry = (annotator, False, info)
        document = documents.setdefault(path.stem, _Document(path.stem))
    else:
        return None
    if any(user == entry[0] and gold == entry[1] for user, gold, _ in document.sets):
        return FormatError(name, f"a second file for the same {'gold set' if entry[1] else 'user'} of "
                                 f"{document.name}")
    document.sets.append(entry)
    return None


def _zip_document(archive: zipfile.ZipFile, document: _Document) -> Iterator[tuple[str, dict | FormatError]]:
    try:
        files = [(user, gold, info.filename, archive.read(info), document.states.get(user or "", "submitted"))
                 for user, gold, info in document.sets]
        source = archive.read(document.source) if document.source is not None else None
    except _READ_ERRORS as exc:
        yield document.name, FormatError(document.name, f"cannot be read from the zip: {exc}")
        return
    try:
        source_text = source.decode("utf-8").removeprefix("\ufeff") if source is not None else None
    except UnicodeDecodeError:
        source_text = None  # an original in another format (PDF, XML…): the TSV text stands
    if not files:
        if source_text is not None:
            yield document.name, make_record(id=document.name, text=source_text)
        return
    yield from _document(document.name, files, source_text)


def _document(name: str, files: list[tuple[str | None, bool, str, bytes, str]],
              source: str | None) -> Iterator[tuple[str, dict | FormatError]]:
    """One record from the TSV files of one document, or every problem in them."""
    errors: list[FormatError] = []
    text: str | None = None
    first = ""
    sets = []
    for user, gold, member, data, status in files:
        try:
            content = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            errors.append(FormatError(member, f"not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
                                              f"{exc.start}); save the file as UTF-8"))
            continue
        found = _read_tsv(member if len(files) > 1 or member != name else "", content, source, errors)
        if found is None:
            continue
        if text is not None and found[0] != text:
            errors.append(FormatError(member, f"its text differs from the text of {first}"))
            continue
        text, first = found[0], first or member
        sets.append(make_set(annotator=user, gold=gold, status=status, spans=found[1], relations=found[2]))
    if errors:
        for error in errors:
            yield error.location, error
        return
    entities = link_entities(sets)
    yield name, make_record(id=name, text=text or "", annotations=sets, entities=entities)


def _read_tsv(member: str, content: str, source: str | None,
              errors: list[FormatError]) -> tuple[str, list[dict], list[dict]] | None:
    found: list[FormatError] = []
    reader = TsvReader(member, found)
    text = reader.text(source) if reader.read(content) and not found else None
    result = None
    if text is not None:
        spans, relations = reader.annotations(text)
        result = (text, spans, relations)
    errors.extend(found)
    return None if found else result
