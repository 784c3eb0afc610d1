"""``manage.py roll_up_agent_executions``: move the execution log into the daily buckets.

``record_agent_execution`` appends each execution to ``agent_executions``;
this command calls ``agent_executions_roll_up()``, which moves the log into
``agent_performance`` in one statement (docs/performance-agents.md). Readers
(the agents admin, the percentiles) read both through
``agent_performance_live``, so their totals are exact whether or not the
roll-up has run; the roll-up keeps the log short, and with it what every
reader aggregates on the fly.

Run it as the schema owner (the role ``migrate`` runs as): only the owner's
policies let it see every workspace's log. Once (cron, a systemd timer) or
``--every SECONDS`` (a long-running worker; stop it with SIGTERM or Ctrl-C).
Every 10 to 60 seconds is the intended cadence; nothing is lost if it stops,
the log only grows and the pages read more of it.
"""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from agents.services import roll_up_agent_executions



def owner_problem() -> str | None:
    """Why this connection would roll up nothing, or None when it is the owner (or a superuser)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_userbyid(c.relowner) = current_user OR r.rolsuper OR r.rolbypassrls, current_user "
            "FROM pg_class c, pg_roles r WHERE c.oid = 'agent_executions'::regclass AND r.rolname = current_user"
        )
        ok, user = cursor.fetchone()
    if ok:
        return None
    return (
        f"connected as {user}, which does not own agent_executions: row-level security would hide every "
        "workspace's log from it. Run this command with the owner's DATABASE_URL (the role migrate runs as)."
    )


class Command(BaseCommand):
    help = "Move the agent execution log (agent_executions) into the daily buckets (agent_performance). Run as the schema owner."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=float, metavar="SECONDS", help="keep running, rolling up every SECONDS (a worker); default: once"
        )

    def handle(self, *args, every=None, **options):
        problem = owner_problem()
        if problem:
            raise CommandError(problem)
        if every is not None and every <= 0:
            raise CommandError("--every must be a positive number of seconds")
        stop = []
        if every is not None:
            signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
        while True:
            started = time.perf_counter()
            executions, buckets, dropped = roll_up_agent_executions()
            elapsed = time.perf_counter() - started
            if options["verbosity"] >= 1 and (every is None or executions):
                line = f"rolled up {executions} executions into {buckets} daily buckets in {elapsed * 1000:.0f} ms"
                if dropped:
                    line += f"; dropped {dropped} of workspaces deleted since"
                self.stdout.write(line)
            if every is None:
                return
            try:
                deadline = started + every
                while not stop and time.perf_counter() < deadline:
                    time.sleep(min(0.5, max(0.0, deadline - time.perf_counter())))
            except KeyboardInterrupt:
                return
            if stop:
                return
