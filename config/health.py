"""Health endpoints for load balancers and orchestrators, open without a login.

``/healthz`` says the process is up and answering (no database work, so a slow
database does not take every server out of rotation at once); ``/readyz`` says this
server can do its job: the database answers and every migration is applied.  Both
answer JSON; readiness answers 503 with the reason when it is not ready.
"""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@functools.cache
def _migrations_on_disk() -> frozenset[tuple[str, str]]:
    """Every migration this code ships: read once, they do not change while it runs."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


@require_GET
@never_cache
@login_not_required
def healthz(request):
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
@login_not_required
def readyz(request):
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        applied = MigrationRecorder(connection).applied_migrations()
        pending = sorted(_migrations_on_disk() - set(applied))
    except DatabaseError as error:
        return JsonResponse({"status": "unavailable", "reason": f"database: {error.__class__.__name__}"}, status=503)
    if pending:
        names = [f"{app}.{name}" for app, name in pending]
        return JsonResponse({"status": "unavailable", "reason": "migrations not applied", "pending": names},
                            status=503)
    return JsonResponse({"status": "ok"})
