"""Datasets: stream a project's export in any format, with the options of
``export_dataset`` and the same bytes, and (managers) import a dataset file.

The export carries an ``ETag`` and a ``Last-Modified``: a nightly job that sends them
back (``If-None-Match`` / ``If-Modified-Since``) gets ``304 Not Modified`` while nothing
the export reads has changed, and skips the download.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from django.conf import settings
from django.db.models import Count, Max
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import http_date, parse_http_date_safe
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile

from articles.models import Role
from articles.selectors import has_role

from ..datasets import ARTICLE_STATUSES, export_bytes, export_filename, import_records
from ..errors import ServiceError
from ..formats import READABLE, WRITABLE
from ..formats.common import FormatError
from ..formats.csvfmt import TABLES
from ..models import AnnotationSet, Event, Span
from . import common
from .errors import Problem
from .schemas import ImportOut

router = Router(tags=["datasets"])

WritableFormat = Literal[tuple(WRITABLE)]  # type: ignore[valid-type]
ReadableFormat = Literal[tuple(READABLE)]  # type: ignore[valid-type]
ExportStatus = Literal[tuple(ARTICLE_STATUSES)]  # type: ignore[valid-type]
Table = Literal[tuple(TABLES)]  # type: ignore[valid-type]

EXPORT_RESPONSES = {
    "200": {
        "description": "The export file, streamed.",
        "headers": {"ETag": {"schema": {"type": "string"}}, "Last-Modified": {"schema": {"type": "string"}}},
        # JSON formats: any document (the format's own); the others: a file.
        "content": {content_type: {"schema": {} if "json" in content_type else {"type": "string", "format": "binary"}}
                    for content_type in sorted({module.CONTENT_TYPE for module in WRITABLE.values()})},
    },
    "304": {"description": "Not modified since the ETag or date you sent."},
}


def _state(project, request, role, options: dict) -> tuple[str, float | None]:
    """The export's ETag and last change: a fingerprint of everything it reads (every change
    through the app writes an event; sets, spans and articles carry their own times, which
    catch changes made in admin too), of who asks (annotators export their own sets) and
    of the options.  Five small aggregate queries, whatever the corpus."""
    events = Event.objects.filter(project=project).aggregate(last_id=Max("id"), last=Max("created_at"))
    sets = AnnotationSet.objects.filter(article__project=project).aggregate(n=Count("id"), last=Max("updated_at"))
    spans = Span.objects.filter(annotation_set__article__project=project).aggregate(n=Count("id"),
                                                                                     last=Max("updated_at"))
    articles = project.articles.aggregate(n=Count("id"), last_id=Max("id"), last=Max("created_at"))
    schema = (list(project.labels.order_by("pk").values_list("pk", "name")),
              list(project.relation_types.order_by("pk").values_list("pk", "name")))
    reader = "all" if has_role(role, Role.REVIEWER) else f"user:{request.user.pk}"
    raw = repr((events, sets, spans, articles, schema, project.name, project.organisation, reader,
                sorted(options.items())))
    changes = [figures["last"] for figures in (events, sets, spans, articles) if figures["last"] is not None]
    last = max(moment.timestamp() for moment in changes) if changes else None
    return f'"{hashlib.sha256(raw.encode()).hexdigest()[:32]}"', last


def _not_modified(request, etag: str, last: float | None) -> bool:
    sent = request.headers.get("If-None-Match")
    if sent is not None:
        return etag in [tag.strip().removeprefix("W/") for tag in sent.split(",")] or sent.strip() == "*"
    since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
    return since is not None and last is not None and int(last) <= since


def _buffered(pieces, size: int = 1 << 16):
    """The export's pieces (a JSONL line each) joined into writes of about ``size`` bytes: the
    same bytes in far fewer trips through the WSGI server."""
    buffer, held = [], 0
    for piece in pieces:
        buffer.append(piece)
        held += len(piece)
        if held >= size:
            yield b"".join(buffer)
            buffer, held = [], 0
    if buffer:
        yield b"".join(buffer)


@router.get("/projects/{slug}/export", response={200: None, 304: None}, openapi_extra={"responses": EXPORT_RESPONSES},
            summary="Stream the project's dataset (the same bytes as `manage.py export_dataset`)")
def export(
    request, slug: str,
    format: Annotated[WritableFormat, Query(description="The file format.")],  # noqa: A002 - the interface's name
    sets: Annotated[str, Query(max_length=150, description="all (gold first), gold, submitted, a username.")] = "all",
    labels: Annotated[str, Query(max_length=1000, description="Only these labels, comma-separated.")] = "",
    q: Annotated[str, Query(max_length=200, description="Only articles whose title or text has this.")] = "",
    status: Annotated[ExportStatus, Query(description="Only articles in this state.")] = "",
    table: Annotated[Table, Query(description="CSV only: which table.")] = "claims",
):
    project, role = common.project(request, slug)
    names = [name.strip() for name in labels.split(",") if name.strip()] or None
    if names:
        unknown = sorted(set(names) - set(project.labels.values_list("name", flat=True)))
        if unknown:
            raise Problem(422, f"Not labels of this project: {', '.join(unknown)}.",
                          errors=[{"field": "labels", "message": f"Unknown label {name}."} for name in unknown])
    options = {"format": format, "sets": sets, "labels": ",".join(names or []), "q": q, "status": status,
               "table": table}
    etag, last = _state(project, request, role, options)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if last is not None:
        headers["Last-Modified"] = http_date(last)
    if _not_modified(request, etag, last):
        response = HttpResponse(status=304)
    else:
        try:
            pieces = export_bytes(project, format, user=request.user, sets=sets, labels=names, search=q,
                                  status=status, table=table)
        except ServiceError as refused:
            # Readers are refused only a bad option; annotators also every set but their own (rule 3).
            raise Problem(422 if has_role(role, Role.REVIEWER) else 403, " ".join(refused.messages),
                          errors=[{"field": "sets", "message": message} for message in refused.messages]) from None
        except FormatError as error:
            raise Problem(422, f"This format needs spaCy: {error.message}.") from None
        response = StreamingHttpResponse(_buffered(pieces), content_type=WRITABLE[format].CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{export_filename(project, format)}"'
    for name, value in headers.items():
        response[name] = value
    return response


@router.post("/projects/{slug}/import", response=ImportOut,
             summary="Import a dataset file (managers), all or nothing, every bad record listed")
def import_dataset(
    request, slug: str,
    file: File[UploadedFile],
    format: Form[ReadableFormat],  # noqa: A002 - the interface's name
    add_labels: Form[bool] = False,
    annotator: Form[str] = "",
    as_suggestions: Form[bool] = False,
    source: Form[str] = "",
):
    project, _ = common.project(request, slug, Role.MANAGER, "import datasets")
    limit = settings.FACTMARK_MAX_IMPORT_BYTES
    if file.size > limit:
        raise Problem(413, f"The file has {file.size:,} bytes; the limit is {limit:,}. Split it, or ask an "
                           "administrator to run the import_dataset command.")
    file.seek(0)
    # A refused file raises ImportRefused: 422, every problem listed (errors.py).
    # Sets that name nobody go to the suggestion layer unless ``annotator`` names whose they are;
    # machine output never poses as a person (docs/design.md, rule 9).
    report = import_records(project, READABLE[format].read(file.file), user=request.user, add_labels=add_labels,
                            default_annotator=annotator[:150] or None, source_name=file.name or "upload",
                            as_suggestions=as_suggestions, suggestion_source=source[:100] or None)
    return {"summary": report.summary(), "articles_created": report.articles_created,
            "articles_annotated": report.articles_annotated, "sets": report.sets, "spans": report.spans,
            "relations": report.relations, "entities_created": report.entities_created,
            "labels_created": report.labels_created, "relation_types_created": report.relation_types_created,
            "users_created": report.users_created, "skipped": report.skipped, "notes": report.notes}
