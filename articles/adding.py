"""Adding articles given as data (title, text and metadata), as the API does: one, or a
batch of up to ``MAX_BATCH`` in one request.

The rules are those of the plain-text import (``articles.importing``): the text is
normalised once (docs/design.md, rule 2) and stripped, the title defaults to its first
sentence, and an article whose text is already in the project (or earlier in the batch)
is skipped and reported, not added twice.  The batch is checked whole before anything is
saved and every bad item is reported with its index and field (rule 4): all or nothing.
An external id is unique in its project: a new one is made from the text's hash when the
item has none, and an id that another text already holds refuses the item.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from .importing import make_title
from .models import Article, Project
from .text import content_hash, normalised_text, not_finite, unstorable, unstorable_at

MAX_BATCH = 1000
TEXT_FIELDS = ("text", "title", "external_id", "source", "url", "author", "language")
TITLE_MAX = Article._meta.get_field("title").max_length
EXTERNAL_ID_MAX = Article._meta.get_field("external_id").max_length


class ArticlesRefused(Exception):
    """Nothing was saved; ``errors`` holds ``{"item", "field", "message"}`` for every problem."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


@dataclass
class NewArticle:
    """One article as given: only ``text`` is required."""

    text: str
    title: str = ""
    external_id: str = ""
    source: str = ""
    url: str = ""
    published: dt.date | None = None
    author: str = ""
    language: str = "en"
    meta: dict = field(default_factory=dict)


@dataclass
class AddReport:
    created: list[Article] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {"item", "external_id", "message"}


def _checked(index: int, item: NewArticle, errors: list[dict]) -> tuple[str, str] | None:
    """The normalised text and its title, or None with the problems added to ``errors``."""
    bad_fields = [name for name in TEXT_FIELDS if unstorable_at(getattr(item, name) or "") is not None]
    for name in bad_fields:
        errors.append({"item": index, "field": name, "message": "This contains a character that cannot be "
                       "stored (NUL, or half of a UTF-16 surrogate pair); remove it."})
    if unstorable(item.meta) or not_finite(item.meta):
        bad_fields.append("meta")
        errors.append({"item": index, "field": "meta", "message": "The metadata holds a character or a number that "
                       "cannot be stored (NUL, half of a surrogate pair, NaN or infinity); remove it."})
    if bad_fields:
        return None
    limit = settings.FACTMARK_MAX_IMPORT_BYTES
    if len(item.text.encode("utf-8")) > limit:
        errors.append({"item": index, "field": "text", "message": f"The text is larger than {limit:,} bytes."})
        return None
    text = normalised_text(item.text).strip()
    if not text:
        errors.append({"item": index, "field": "text", "message": "The text is empty."})
        return None
    title = " ".join(item.title.split())[:TITLE_MAX] or make_title(text)
    return text, title


def add_articles(project: Project, items: list[NewArticle]) -> AddReport:
    """Add ``items`` to ``project``, all or nothing; raises ArticlesRefused."""
    if not items:
        raise ArticlesRefused([{"item": None, "field": "articles", "message": "Give at least one article."}])
    if len(items) > MAX_BATCH:
        raise ArticlesRefused([{"item": None, "field": "articles",
                                "message": f"At most {MAX_BATCH} articles in one request, not {len(items)}."}])
    errors: list[dict] = []
    checked = [_checked(index, item, errors) for index, item in enumerate(items)]
    report = AddReport()
    with transaction.atomic():
        known = dict(project.articles.values_list("content_hash", "external_id"))
        given = [item.external_id.strip() for item in items if item.external_id.strip()]
        taken = dict(project.articles.filter(external_id__in=given).values_list("external_id", "content_hash"))
        in_batch: dict[str, int] = {}
        new = []
        for index, (item, result) in enumerate(zip(items, checked, strict=True)):
            if result is None:
                continue
            text, title = result
            digest = content_hash(text)
            if digest in known:
                report.skipped.append({"item": index, "external_id": known[digest],
                                       "message": f"Same text as article “{known[digest]}”, skipped."})
                continue
            external_id = item.external_id.strip() or f"text-{digest[:16]}"
            if len(external_id) > EXTERNAL_ID_MAX:
                errors.append({"item": index, "field": "external_id",
                               "message": f"At most {EXTERNAL_ID_MAX} characters."})
                continue
            if external_id in taken:
                errors.append({"item": index, "field": "external_id",
                               "message": f"Article “{external_id}” already exists with another text."})
                continue
            if external_id in in_batch:
                errors.append({"item": index, "field": "external_id",
                               "message": f"Item {in_batch[external_id]} has the same external id."})
                continue
            in_batch[external_id] = index
            known[digest] = external_id
            new.append(Article(project=project, external_id=external_id, title=title, text=text,
                               source=item.source[:200], url=item.url, published=item.published,
                               author=item.author[:200], language=item.language[:16], meta=item.meta or {},
                               content_hash=digest, length=len(text)))
        if errors:
            raise ArticlesRefused(sorted(errors, key=lambda e: (e["item"] is None, e["item"] or 0)))
        report.created = Article.objects.bulk_create(new, batch_size=500)
    return report
