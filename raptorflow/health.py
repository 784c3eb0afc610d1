"""/healthz: 200 when the database answers and no migration is pending, 503 otherwise.

The answer is the status only, for everyone: the database error (host, port)
and the pending migrations' names go to the ``raptorflow.health`` log. Not
even a superuser gets them in the response: when the database is down nobody
can be identified (sessions and users live there), and a health check that
reads the session would fail for that reason instead of reporting it.

An outage (the database unreachable or restarting: raptorflow/outage.py) is
logged once per outage, not with a traceback per probe; other database errors
are logged on every call, with the traceback.
"""

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from raptorflow import outage

logger = logging.getLogger("raptorflow.health")


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        failure = outage.outage_error(exc)
        if failure is None:
            logger.warning("healthz: database unavailable: %s", str(exc).strip(), exc_info=True)
        else:
            # An outage: said once (by whichever request notices it first), not once per probe.
            outage.notice(failure, request, say=lambda text: logger.warning("healthz: %s", text))
        return JsonResponse({"status": "unavailable"}, status=503)
    if pending:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in pending)
        logger.warning("healthz: migrations pending: %s", names)
        return JsonResponse({"status": "migrations pending"}, status=503)
    return JsonResponse({"status": "ok"})
