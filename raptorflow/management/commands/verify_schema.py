"""Verify the live schema against the apps' manifests (the plan's 16 checks and the summary)."""

import json
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from psycopg import sql

from raptorflow import schema_checks


class ProbeFailed(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Run the schema verification: 16 checks in 5 sets (campaigns, gamification, agents, intelligence, alerts) "
        "plus the summary, "
        "against the manifests kept in each app. Exit status 1 when any check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the results as JSON")
        parser.add_argument(
            "--probe", action="store_true",
            help="also prove isolation live, as the app role, inside a transaction that is rolled back",
        )
        parser.add_argument(
            "--print-manifest", action="store_true",
            help="print what the database holds, per app, in manifest form (for reviewing a manifest change)",
        )

    def handle(self, *args, json=False, probe=False, print_manifest=False, **options):
        if print_manifest:
            self.stdout.write(_json_dumps(schema_checks.current_manifests()))
            return
        domain, summary = schema_checks.run_checks()
        probe_checks = self.probe() if probe else []
        everything = domain + summary + probe_checks
        failed = [c for c in everything if not c.passed]
        if json:
            self.stdout.write(_json_dumps({
                "passed": not failed,
                "domain_checks": {"passed": sum(c.passed for c in domain), "total": len(domain)},
                "checks": [c.as_dict() for c in everything],
            }))
        else:
            self.print_table(domain, summary, probe_checks)
        if failed:
            raise SystemExit(1)

    # ------------------------------------------------------------ output

    def print_table(self, domain, summary, probe_checks):
        rows = [("#", "set", "check", "result", "expected", "found")]
        for number, check in enumerate(domain, 1):
            rows.append((str(number), check.set, check.name, "PASS" if check.passed else "FAIL", check.expected, check.found))
        for check in summary + probe_checks:
            rows.append(("-", check.set, check.name, "PASS" if check.passed else "FAIL", check.expected, check.found))
        widths = [min(max(len(r[i]) for r in rows), 44) for i in range(len(rows[0]))]
        for index, row in enumerate(rows):
            line = "  ".join(cell[:44].ljust(widths[i]) for i, cell in enumerate(row))
            if index == 0:
                self.stdout.write(self.style.MIGRATE_HEADING(line))
            elif row[3] == "FAIL":
                self.stdout.write(self.style.ERROR(line))
            else:
                self.stdout.write(line)
        for check in domain + summary + probe_checks:
            for problem in check.problems:
                self.stdout.write(self.style.ERROR(f"  {check.set} / {check.name}: {problem}"))
        passed = sum(c.passed for c in domain)
        summary_passed = sum(c.passed for c in summary + probe_checks)
        style = self.style.SUCCESS if passed == len(domain) and summary_passed == len(summary + probe_checks) else self.style.ERROR
        self.stdout.write(style(
            f"{passed}/{len(domain)} domain checks passed; summary {summary_passed}/{len(summary + probe_checks)} passed."
        ))

    # ------------------------------------------------------------ live probe

    def probe(self):
        """Two throw-away workspaces, as the app role, in a transaction that is always rolled back."""
        role = settings.RAPTORFLOW_APP_ROLE
        check = schema_checks.Check("Probe", f"isolation as {role}", False, "isolated", "")
        try:
            with transaction.atomic():
                try:
                    with connection.cursor() as cursor:
                        cursor.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)).as_string(cursor.connection))
                        self._probe(cursor, check)
                finally:
                    transaction.set_rollback(True)
        except ProbeFailed as exc:
            check.problems.append(str(exc))
        except DatabaseError as exc:
            raise CommandError(
                f"The probe could not run as {role!r}: {exc.__cause__ or exc}. "
                "Run verify_schema as the owner (a member of the app role) or a superuser."
            ) from exc
        check.passed = not check.problems
        check.found = "isolated" if check.passed else "LEAK"
        return [check]

    def _probe(self, cursor, check):
        from django.apps import apps

        from raptorflow.models import TenantModel

        a, b = uuid.uuid4(), uuid.uuid4()

        def as_workspace(ws):
            cursor.execute("SELECT set_config('app.current_workspace_id', %s, true)", [str(ws) if ws else ""])

        for ws in (a, b):
            as_workspace(ws)
            cursor.execute("INSERT INTO workspaces (id, name, slug, is_active, created_at, updated_at) "
                           "VALUES (%s, %s, %s, true, now(), now())", [ws, f"probe {ws}", f"probe-{ws}"])
            cursor.execute("INSERT INTO cohorts (id, workspace_id, name, description, criteria, size_estimate, created_at, updated_at) "
                           "VALUES (gen_random_uuid(), %s, 'probe cohort', '', '{}', 0, now(), now())", [ws])
        as_workspace(a)
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE workspace_id <> %s) FROM cohorts", [a])
        seen, foreign = cursor.fetchone()
        if seen != 1 or foreign:
            raise ProbeFailed(f"workspace A sees {seen} cohorts, {foreign} of them not its own")
        cursor.execute("UPDATE cohorts SET name = 'hijacked' WHERE workspace_id = %s", [b])
        if cursor.rowcount:
            raise ProbeFailed("workspace A updated a row of workspace B")
        cursor.execute("SAVEPOINT probe_insert")
        try:
            cursor.execute("INSERT INTO cohorts (id, workspace_id, name, description, criteria, size_estimate, created_at, updated_at) "
                           "VALUES (gen_random_uuid(), %s, 'smuggled', '', '{}', 0, now(), now())", [b])
            raise ProbeFailed("workspace A inserted a row into workspace B")
        except DatabaseError:
            cursor.execute("ROLLBACK TO SAVEPOINT probe_insert")
        as_workspace(None)
        for model in apps.get_models():
            if issubclass(model, TenantModel) or model._meta.db_table in ("system_alerts", "user_notifications"):
                cursor.execute(f'SELECT count(*) FROM "{model._meta.db_table}"')
                count = cursor.fetchone()[0]
                # system_alerts too: platform-wide alerts are read through platform_system_alerts()
                # since alerts 0005, which also shows nothing without a workspace.
                if count:
                    raise ProbeFailed(f"with no workspace set, {model._meta.db_table} shows {count} rows")
        check.expected = "A sees only A; B untouchable; no context sees nothing"


def _json_dumps(value):
    return json.dumps(value, indent=2, sort_keys=True, default=str)
