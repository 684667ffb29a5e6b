"""How rows get into the database fast: the multi-row ``INSERT … RETURNING`` the import writes
with, the columns it fills for each table, and the chunking both directions share.
:func:`bulk_insert` is ``bulk_create`` without its per-row Python work, for SQLite and
PostgreSQL alike; the ``*_INSERT`` tuples name, in order, the values of each row the writing
pass (:mod:`.write`) and the dataset benchmark pass to it. :data:`CHUNK` is how many articles
the import writes, and the export reads, per round of queries.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from itertools import chain

from django.db import connection

CHUNK = 500

ARTICLE_INSERT = ("project", "external_id", "title", "text", "source", "url", "published", "author", "language",
                  "meta", "content_hash", "length", "created_at")
SET_INSERT = ("article", "user", "is_gold", "status", "created_at", "updated_at", "submitted_at")
SPAN_INSERT = ("annotation_set", "label", "start", "end", "text", "attributes", "entity", "note", "version",
               "created_at", "updated_at")
RELATION_INSERT = ("annotation_set", "type", "source", "target", "created_at")
EVENT_INSERT = ("project", "article", "annotation_set", "user", "action", "object_type", "object_id", "data",
                "created_at")


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for index in range(0, len(items), size):
        yield items[index:index + size]


def bulk_insert(model, fields: tuple[str, ...], rows: list[tuple]) -> list[int]:
    """Insert ``rows`` into ``model``'s table and return their new ids, in order.

    Each row holds the values of ``fields`` already adapted for the database
    (``connection.ops.adapt_*``); concrete fields left out get their model default. This is
    ``bulk_create`` without its per-field Python work, which costs about 100 µs a row on
    these models and would make a 270,000-row import take half a minute: multi-row
    ``INSERT … RETURNING`` on the DB-API cursor (Django's placeholder rewriting costs more
    than the insert on SQLite), up to 1,000 rows a statement within the backend's parameter
    limit. Like ``bulk_create``, it relies on the rows coming back in ``VALUES`` order.
    """
    if not rows:
        return []
    ops = connection.ops
    meta = model._meta
    defaults = [field for field in meta.concrete_fields
                if not field.primary_key and field.name not in fields and field.attname not in fields]
    fields = (*fields, *(field.name for field in defaults))
    extra = tuple(field.get_db_prep_save(field.get_default(), connection) for field in defaults)
    columns = ", ".join(ops.quote_name(meta.get_field(name).column) for name in fields)
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        placeholder, limit = "?", connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    else:
        placeholder, limit = "%s", connection.features.max_query_params or 65_535
    per_statement = max(1, min(1000, limit // len(fields)))
    row_sql = "(" + ", ".join([placeholder] * len(fields)) + ")"
    head = f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) VALUES "
    tail = f" RETURNING {ops.quote_name(meta.pk.column)}"
    ids: list[int] = []
    cursor = connection.connection.cursor()
    try:
        with connection.wrap_database_errors:
            for batch in chunks(rows, per_statement):
                values = chain.from_iterable((*row, *extra) for row in batch) if extra else chain.from_iterable(batch)
                cursor.execute(head + ", ".join([row_sql] * len(batch)) + tail, list(values))
                ids.extend(row[0] for row in cursor.fetchall())
    finally:
        cursor.close()
    return ids
