"""Where ``migrate``'s time goes: one full migrate of an empty database with timers around Django's phases.

Run as ``python -m tools.bench.migrate_profile`` with DATABASE_URL naming an empty
database (``tools.bench.migrate`` does); prints one JSON line. Measuring only: it
wraps, in this throw-away process, the functions that mark each phase, and
charges every moment to the innermost phase running (SQL sent by a data
migration counts as SQL, not as the data migration). What no phase claims is
the executor and schema editor themselves (SQL generation, bookkeeping).
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time

STARTED = time.perf_counter()

PHASES = {
    "startup": "Django start-up (imports, settings, app registry, command parsing)",
    "checks": "system checks",
    "loader": "migration graph (loading migration files)",
    "render": "model state rendering (Django re-renders related models for every CreateModel/AlterField)",
    "runpython": "data migrations (RunPython), Python side",
    "sql": "SQL round trips (server time and client wait)",
    "post_migrate": "post_migrate handlers (content types, permissions), Python side",
    "other": "executor and schema editor (SQL generation, bookkeeping)",
}


class Clock:
    def __init__(self):
        self.spent = dict.fromkeys(PHASES, 0.0)
        self.stack: list[str] = []
        self.mark = time.perf_counter()

    def _charge(self, now):
        if self.stack:
            self.spent[self.stack[-1]] += now - self.mark
        self.mark = now

    def wrap(self, owner, name: str, phase: str) -> None:
        original = getattr(owner, name)
        clock = self

        def timed(*args, **kwargs):
            clock._charge(time.perf_counter())
            clock.stack.append(phase)
            try:
                return original(*args, **kwargs)
            finally:
                clock._charge(time.perf_counter())
                clock.stack.pop()

        setattr(owner, name, timed)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raptorflow.settings")
    import django

    django.setup()
    import psycopg
    from django.core.management import execute_from_command_line, sql
    from django.core.management.base import BaseCommand
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython
    from django.db.migrations.state import ProjectState, StateApps

    clock = Clock()
    clock.wrap(BaseCommand, "check", "checks")
    clock.wrap(MigrationLoader, "build_graph", "loader")
    for name in ("reload_model", "reload_models", "clone"):
        clock.wrap(ProjectState, name, "render")
    clock.wrap(StateApps, "__init__", "render")
    clock.wrap(RunPython, "database_forwards", "runpython")
    clock.wrap(psycopg.Cursor, "execute", "sql")
    clock.wrap(psycopg.Connection, "commit", "sql")
    clock.wrap(sql, "emit_post_migrate_signal", "post_migrate")
    startup = time.perf_counter() - STARTED
    clock.stack.append("other")
    clock.mark = time.perf_counter()
    # As manage.py runs it (system checks included); -v 0 keeps stdout for the JSON line.
    execute_from_command_line(["manage.py", "migrate", "--no-input", "-v", "0"])
    clock._charge(time.perf_counter())
    clock.spent["startup"] = startup
    print(json.dumps({"phases": clock.spent, "labels": PHASES, "in_process_s": time.perf_counter() - STARTED}))
    gc.freeze()  # as manage.py ends: Python's exit does not trace what is left


if __name__ == "__main__":
    main()
