"""/healthz: 200 when the database answers and no migration is pending, 503 otherwise."""

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return JsonResponse({"status": "unavailable", "database": str(exc).strip()[:200]}, status=503)
    if pending:
        names = [f"{migration.app_label}.{migration.name}" for migration, _ in pending]
        return JsonResponse({"status": "migrations pending", "pending": names}, status=503)
    return JsonResponse({"status": "ok"})
