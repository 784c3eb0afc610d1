"""Migration drills: re-apply every migration's SQL to prove it idempotent.

Run as the owner (it executes DDL), always inside a transaction that is
rolled back, so it changes nothing:

    make drills          (python -m tools.drills, DATABASE_URL naming the owner)
"""

from __future__ import annotations

import sys

from django.db import connection, transaction
from django.db.migrations import RunPython, RunSQL
from django.db.migrations.loader import MigrationLoader

from raptorflow import migration_ops

PROJECT_APPS = ("raptorflow", "campaigns", "gamification", "agents", "intelligence", "alerts")
# Operations that promise idempotence: raw SQL, data migrations, and the tenancy operations.
REPEATABLE = (RunSQL, RunPython, migration_ops.RefuseCaseDuplicates, migration_ops.TenantRLS,
              migration_ops.GrantToAppRole, migration_ops.DatabaseOnDelete, migration_ops.EnsureAppRole,
              migration_ops.SameWorkspaceForeignKey)


def reapply_repeatable_operations() -> tuple[int, list[str]]:
    """Run each repeatable operation of every applied project migration once more."""
    loader = MigrationLoader(connection)
    failures, count = [], 0
    with transaction.atomic():
        for key in sorted(loader.applied_migrations):
            if key[0] not in PROJECT_APPS:
                continue
            migration = loader.graph.nodes[key]
            state = loader.project_state(key, at_end=False)
            for number, operation in enumerate(migration.operations, 1):
                new_state = state.clone()
                operation.state_forwards(key[0], new_state)
                if isinstance(operation, REPEATABLE):
                    count += 1
                    try:
                        with transaction.atomic(), connection.schema_editor(atomic=False) as editor:
                            operation.database_forwards(key[0], editor, state, new_state)
                    except Exception as exc:  # report every failure, not just the first
                        failures.append(f"{key[0]}.{key[1]} operation {number} ({operation.describe()}): {exc}")
                state = new_state
        transaction.set_rollback(True)
    return count, failures


def main():
    count, failures = reapply_repeatable_operations()
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"re-applied {count} operations, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raptorflow.settings")
    django.setup()
    main()
