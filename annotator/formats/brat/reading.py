"""brat standoff, reading a zip of ``NAME.txt`` / ``NAME.ann`` pairs into records.

:func:`read` opens the archive (spooling a stream that cannot seek), pairs the members by
name and yields one record per ``.txt``, its ``.ann`` read by :class:`.ann.AnnReader`. It
refuses, each with an error naming the zip or the member: a file that is not a zip or
cannot be read, an archive whose uncompressed size exceeds ``max_bytes``, absolute or
``..`` paths (zip slip), two members for the same document, an ``.ann`` without its
``.txt`` and members that are not UTF-8; it ignores ``__MACOSX/``, ``._*`` and every file
that is neither ``.txt`` nor ``.ann``. A document with any error yields no record.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import BinaryIO

from ..common import FormatError, make_record
from ..zips import read_archive
from .ann import AnnReader

MAX_BYTES = 200 * 1024 * 1024

_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError, zlib.error,
                EOFError, OSError, ValueError)


def _unsafe(name: str) -> bool:
    parts = re.split(r"[\\/]", name)
    return name.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", name)) or ".." in parts


def read(stream: BinaryIO, *, max_bytes: int = MAX_BYTES,
         annotator: str | None = None) -> Iterator[tuple[str, dict | FormatError]]:
    """Yield ``(name, record)`` per document, or ``(where, FormatError)`` for each problem.

    ``annotator`` names the annotation set of every document.
    """
    if getattr(stream, "seekable", lambda: False)():
        yield from _read_zip(stream, max_bytes, annotator)
        return
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as spooled:  # zipfile needs to seek
        shutil.copyfileobj(stream, spooled)
        spooled.seek(0)
        yield from _read_zip(spooled, max_bytes, annotator)


def _read_zip(stream: BinaryIO, max_bytes: int, annotator: str | None) -> Iterator[tuple[str, dict | FormatError]]:
    return read_archive(stream, max_bytes, lambda archive, members: _read_archive(archive, members, annotator))


def _read_archive(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo],
                  annotator: str | None) -> Iterator[tuple[str, dict | FormatError]]:
    documents: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for info in members:
        name = info.filename
        if _unsafe(name):
            yield name, FormatError(name, "unsafe path in zip (absolute, or with a '..' component)")
            continue
        path = PurePosixPath(name.replace("\\", "/"))
        ignored = not path.parts or path.parts[0] == "__MACOSX" or path.name.startswith("._")  # no name: "."
        if ignored or path.suffix not in (".txt", ".ann"):
            continue
        document = documents.setdefault(path.stem, {})
        if path.suffix in document:
            yield name, FormatError(name, f"same document name as {document[path.suffix].filename}")
            continue
        document[path.suffix] = info

    for stem, document in documents.items():
        txt_info, ann_info = document.get(".txt"), document.get(".ann")
        if txt_info is None:
            yield ann_info.filename, FormatError(ann_info.filename, f"no matching {stem}.txt")
            continue
        try:
            text, shift = _read_text(archive, txt_info)
            content = _read_text(archive, ann_info)[0] if ann_info is not None else None
        except FormatError as error:
            yield error.location, error
            continue
        entities: list[dict] = []
        annotation_sets = []
        if content is not None:
            errors: list[FormatError] = []
            reader = AnnReader(ann_info.filename, txt_info.filename, text, shift, errors)
            annotation_set, entities = reader.read(content, annotator)
            if errors:
                for error in errors:
                    yield error.location, error
                continue
            annotation_sets.append(annotation_set)
        yield stem, make_record(id=stem, text=text, annotations=annotation_sets, entities=entities)


def _read_text(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, int]:
    """The member's text and how many characters a dropped byte-order mark took (0 or 1)."""
    try:
        data = archive.read(info)
    except _READ_ERRORS as exc:
        raise FormatError(info.filename, f"cannot be read from the zip: {exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(info.filename, f"not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
                                         f"{exc.start}); save the file as UTF-8") from None
    if text.startswith("\ufeff"):
        return text[1:], 1
    return text, 0
