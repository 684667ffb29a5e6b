"""Plain-text import: files or folders of ``.txt``, one article per file.

The whole batch is checked before anything is saved: a file that is not UTF-8,
is empty or is larger than the limit refuses the batch with a message naming the
file.  Articles whose text is already in the project are skipped and reported.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import Article, Project
from .text import content_hash, normalise

DATE_PREFIX = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})(?:\s+|\Z)")
SENTENCE_END = re.compile(r"[.!?…][”\"’')\]]*(?=\s|\Z)")
TITLE_LENGTH = 120


class ImportRefused(Exception):
    """Nothing was saved; ``errors`` lists every file that caused it."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class Source:
    name: str
    data: bytes


@dataclass
class ParsedText:
    text: str
    title: str
    published: dt.date | None


@dataclass
class TextImportReport:
    """What a plain-text import created, and the files it skipped as duplicates."""

    created: list[Article] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # messages naming each duplicate


def parse_text(raw: str) -> ParsedText:
    """Normalise a plain-text article and read its leading ``date YYYY-MM-DD``."""
    text = normalise(raw).text
    published = None
    match = DATE_PREFIX.match(text)
    if match:
        published = dt.date.fromisoformat(match.group(1))  # ValueError for 2021-13-40
        text = text[match.end():]
    text = text.strip()
    return ParsedText(text=text, title=make_title(text), published=published)


def make_title(text: str) -> str:
    """The first sentence, shortened to a line at a word boundary."""
    first_line = text.split("\n", 1)[0].strip()
    match = SENTENCE_END.search(first_line)
    sentence = first_line[: match.end()] if match else first_line
    return shorten(sentence.rstrip("."), TITLE_LENGTH) or "Untitled"


def shorten(text: str, limit: int) -> str:
    """``text`` in NFC, cut to at most ``limit`` characters at the last space that fits, ending
    with "…" when cut (mid-word only when a single word is longer than half the limit)."""
    text = unicodedata.normalize("NFC", text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if text[limit - 1] != " " and space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def sources_from_paths(paths: Iterable[str | Path]) -> list[Source]:
    """Read ``.txt`` files, expanding folders (sorted, recursively)."""
    files: list[Path] = []
    missing = []
    for raw_path in paths:
        path = Path(raw_path)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.txt") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(f"{path}: no such file or folder")
    if missing:
        raise ImportRefused(missing)
    limit = settings.FACTMARK_MAX_IMPORT_BYTES
    sources, errors = [], []
    for path in files:
        size = path.stat().st_size
        if size > limit:
            errors.append(f"{path}: {size:,} bytes is larger than the limit of {limit:,} bytes")
            continue
        sources.append(Source(name=str(path), data=path.read_bytes()))
    if errors:
        raise ImportRefused(errors)
    return sources


def _unique_external_id(stem: str, taken: set[str]) -> str:
    candidate = stem[:200] or "article"
    n = 2
    while candidate in taken:
        candidate = f"{stem[:190]}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def import_texts(
    project: Project,
    sources: list[Source],
    *,
    progress: Callable[[int, int, str], None] | None = None,
) -> TextImportReport:
    """Import every source as an article of ``project``, all or nothing."""
    limit = settings.FACTMARK_MAX_IMPORT_BYTES
    parsed: list[tuple[Source, ParsedText]] = []
    errors = []
    for source in sources:
        if len(source.data) > limit:
            errors.append(f"{source.name}: {len(source.data):,} bytes is larger than the limit of {limit:,} bytes")
            continue
        try:
            raw = source.data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            errors.append(f"{source.name}: not UTF-8 text (byte {exc.start} cannot be read)")
            continue
        try:
            result = parse_text(raw)
        except ValueError:
            errors.append(f"{source.name}: the leading date is not a real date (use date YYYY-MM-DD)")
            continue
        if not result.text:
            errors.append(f"{source.name}: the file is empty")
            continue
        parsed.append((source, result))
    if not sources:
        errors.append("No .txt files were given.")
    if errors:
        raise ImportRefused(errors)

    report = TextImportReport()
    with transaction.atomic():
        known = dict(project.articles.values_list("content_hash", "external_id"))
        taken = set(project.articles.values_list("external_id", flat=True))
        for n, (source, result) in enumerate(parsed, 1):
            digest = content_hash(result.text)
            if digest in known:
                report.skipped.append(f"{source.name}: same text as article “{known[digest]}”, skipped")
                if progress:
                    progress(n, len(parsed), f"{source.name}: duplicate, skipped")
                continue
            stem = Path(source.name).stem
            article = Article.objects.create(
                project=project,
                external_id=_unique_external_id(stem, taken),
                title=result.title,
                text=result.text,
                published=result.published,
                meta={"filename": Path(source.name).name},
                content_hash=digest,
                length=len(result.text),
            )
            known[digest] = article.external_id
            report.created.append(article)
            if progress:
                progress(n, len(parsed), f"{source.name}: “{article.short_title}”")
    return report
