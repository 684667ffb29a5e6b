"""Zip archives for the formats that come as one (brat, WebAnno TSV): opening one a
user uploaded, with every way it can be unreadable told in words, its unpacked size
checked before anything is read, and adding a file to one being written."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator

from .common import FormatError


def open_archive(stream, *, not_a_zip: str = "not a zip file") -> zipfile.ZipFile | FormatError:
    """The zip in ``stream`` (which must be seekable), or why it cannot be read."""
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError):
        return FormatError("zip", not_a_zip)
    except UnicodeDecodeError as exc:  # a name flagged as UTF-8 that is not
        return FormatError(
            "zip", f"a file name in the zip is not UTF-8 (byte {exc.object[exc.start]:#04x}); zip it again"
        )
    except (NotImplementedError, ValueError) as exc:  # a format zipfile does not read; offsets out of the file
        return FormatError("zip", f"this zip file cannot be read ({exc}); zip it again")


def too_large(members: list[zipfile.ZipInfo], max_bytes: int) -> FormatError | None:
    """The refusal of an archive whose files unpack to more than ``max_bytes``."""
    total = sum(info.file_size for info in members)
    if total > max_bytes:
        return FormatError("zip", f"uncompressed size {total} bytes exceeds the limit of {max_bytes} bytes")
    return None


def read_archive(stream, max_bytes: int, read_members: Callable, *,
                 not_a_zip: str = "not a zip file") -> Iterator[tuple[str, dict | FormatError]]:
    """Open the zip in ``stream``, refuse it when it cannot be read or unpacks to more than
    ``max_bytes``, else yield what ``read_members(archive, members)`` yields for its files."""
    archive = open_archive(stream, not_a_zip=not_a_zip)
    if isinstance(archive, FormatError):
        yield "zip", archive
        return
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        refusal = too_large(members, max_bytes)
        if refusal:
            yield "zip", refusal
            return
        yield from read_members(archive, members)


def add_file(archive: zipfile.ZipFile, name: str, data: bytes, stamp: tuple) -> None:
    """Add ``data`` as ``name``, compressed, readable by everyone once unpacked."""
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)
