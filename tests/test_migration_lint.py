"""Lint every migration of the six apps as a DBA would: squawk over its SQL, django-migration-linter over the rest.

- **squawk** (PyPI ``squawk-cli``, a binary in the venv's ``bin/``) reads the
  SQL ``manage.py sqlmigrate <app> <migration>`` prints: ``BEGIN``/``COMMIT``
  around an atomic migration, nothing around an ``atomic = False`` one, so
  squawk knows which tables the migration created (its rules skip those) and
  which statements run outside a transaction. One file per migration, one
  squawk run for all, ``.squawk.toml`` at the repository root for the rules
  that cannot apply here (each excluded rule says why). Everything else must
  report nothing; a finding fails that migration's test with squawk's message.
  Two rules are narrowed here instead of excluded: see ``NARROWED``.
- **django-migration-linter** reads the migrations' Python: a ``RunPython``
  or ``RunSQL`` without a reverse, a data migration importing models instead
  of ``apps.get_model``. Its SQL checks are regular expressions; the three
  squawk does better are excluded (``DML_EXCLUDED``).

Migrations are discovered from Django's migration loader, so a new one is
linted without touching this file. The SQL comes from one loader on the test
database (``MigrationLoader.collect_sql``, what ``sqlmigrate`` calls); a test
checks it matches ``sqlmigrate`` itself. The probes at the end prove the lint
can fail: blocking DDL on an existing table is found, and the online-safe
way of writing the same change (README "Writing a migration for a live
database") passes.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from django.contrib.postgres.functions import RandomUUID
from django.contrib.postgres.operations import (
    AddConstraintNotValid,
    AddIndexConcurrently,
    RemoveIndexConcurrently,
    ValidateConstraint,
)
from django.core.management import call_command
from django.db import connections, migrations, models
from django.db.migrations.loader import MigrationLoader

from raptorflow.migration_ops import SameWorkspaceForeignKey, ValidateTableConstraint

REPO = Path(__file__).resolve().parent.parent
SQUAWK_CONFIG = REPO / ".squawk.toml"
PROJECT_APPS = ("raptorflow", "campaigns", "gamification", "agents", "intelligence", "alerts")

CREATED_TABLE = re.compile(r'^CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?', re.MULTILINE)
ALTERED_TABLE = re.compile(r'^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?"?(\w+)"?')
CONCURRENT_INDEX = re.compile(r"^CREATE (?:UNIQUE )?INDEX CONCURRENTLY ", re.IGNORECASE)


def on_a_table_created_here(statement: str, created: set[str]) -> bool:
    altered = ALTERED_TABLE.match(statement)
    return bool(altered) and altered.group(1) in created


def builds_an_index_concurrently(statement: str, created: set[str]) -> bool:
    return bool(CONCURRENT_INDEX.match(statement))


# Rules kept on, except for these statements (the statement, the tables created before it in the migration).
NARROWED = {
    # Our operations (SameWorkspaceForeignKey, DatabaseOnDelete, the membership
    # keys) drop a constraint IF EXISTS before creating it, in the migration that
    # creates the table: nothing to drop, nobody relies on it. squawk skips
    # tables created in the same migration for its other rules, not this one.
    "ban-drop-constraint": on_a_table_created_here,
    # Outside a transaction squawk wants IF NOT EXISTS. Django's
    # AddIndexConcurrently writes none, rightly: after a failed concurrent build,
    # IF NOT EXISTS would keep the INVALID index; migrate drops it and builds again.
    "prefer-robust-stmts": builds_an_index_concurrently,
}

# django-migration-linter checks left to squawk, whose parser tells the safe form from the unsafe one.
DML_EXCLUDED = [
    # Its regular expression reads a partial or expression index of a table the
    # migration just created as an index of another table (alerts and
    # gamification 0001_tables); squawk: require-concurrent-index-creation.
    "CREATE_INDEX",
    "CREATE_INDEX_EXCLUSIVE",
    # Flags CREATE UNIQUE INDEX CONCURRENTLY and ADD CONSTRAINT ... UNIQUE USING
    # INDEX, the online way to add a unique constraint; squawk:
    # disallowed-unique-constraint.
    "ADD_UNIQUE",
]


def project_migrations() -> list[tuple[str, str]]:
    """(app, name) of every migration on disk of the six apps; no database needed."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(key for key in loader.disk_migrations if key[0] in PROJECT_APPS)


MIGRATIONS = project_migrations()
IDS = [f"{app}.{name}" for app, name in MIGRATIONS]


def squawk_program() -> str:
    """The binary the squawk-cli wheel installed into this venv (else one on PATH)."""
    bundled = Path(sysconfig.get_path("scripts")) / "squawk"
    program = str(bundled) if bundled.exists() else shutil.which("squawk")
    if not program:
        pytest.fail("squawk is not installed: pip install -e '.[dev]' (make test does), it ships in the squawk-cli wheel")
    return program


def as_sqlmigrate_prints(connection, migration, statements: list[str]) -> str:
    """What ``sqlmigrate`` prints for these statements (BaseCommand.output_transaction)."""
    if migration.atomic and connection.features.can_rollback_ddl:
        statements = [connection.ops.start_transaction_sql(), *statements, connection.ops.end_transaction_sql()]
    return "\n".join(statements) + "\n"


def statement_at(text: str, line: int, column: int) -> str:
    """The statement a finding points into (squawk counts lines and columns from 0)."""
    source = text.splitlines()[line]
    start = source.rfind(";", 0, column) + 1
    end = source.find(";", column)
    return source[start : end if end >= 0 else None].strip()


def is_narrowed(finding: dict, text: str) -> bool:
    keep_off = NARROWED.get(finding["rule_name"])
    if keep_off is None:
        return False
    before = "\n".join(text.splitlines()[: finding["line"]])
    created = set(CREATED_TABLE.findall(before))
    return keep_off(statement_at(text, finding["line"], finding["column"]), created)


def squawk(sql_by_label: dict[str, str], folder: Path) -> dict[str, list[dict]]:
    """Run squawk once over one file per label; its findings per label, narrowed ones dropped."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for label, text in sql_by_label.items():
        path = folder / f"{label}.sql"
        path.write_text(text, encoding="utf-8")
        files[str(path)] = label
    result = subprocess.run(
        [squawk_program(), "--config", str(SQUAWK_CONFIG), "--reporter", "json", *files],
        capture_output=True, text=True, timeout=120, cwd=REPO,
    )
    # 0: nothing found, 1: findings; anything else (a bad config, a crash) is not a lint result.
    assert result.returncode in (0, 1), f"squawk failed ({result.returncode}): {result.stderr}{result.stdout}"
    findings: dict[str, list[dict]] = {label: [] for label in sql_by_label}
    for finding in json.loads(result.stdout or "[]"):
        label = files[finding["file"]]
        if not is_narrowed(finding, sql_by_label[label]):
            findings[label].append(finding)
    return findings


def report(label: str, findings: list[dict], text: str) -> str:
    app, _, name = label.partition(".")
    lines = [f"squawk: {len(findings)} finding(s) in migration {label} (the SQL of `manage.py sqlmigrate {app} {name}`):"]
    for f in findings:
        statement = statement_at(text, f["line"], f["column"])
        lines.append(f"  {label}.sql:{f['line'] + 1}:{f['column'] + 1}: {f['rule_name']}: {f['message']}")
        lines.append(f"      {statement[:300]}")
        if f.get("help"):
            lines.append(f"      help: {f['help']}")
    lines.append("Fix the migration (README: 'Writing a migration for a live database'), or, when the rule cannot apply, "
                 "exclude it in .squawk.toml saying why.")
    return "\n".join(lines)


# ---------------------------------------------------------------- the migrations

@pytest.fixture(scope="module")
def loader(django_db_setup, django_db_blocker):
    """One loader for the module, as ``sqlmigrate`` builds it (it reads django_migrations)."""
    with django_db_blocker.unblock():
        return MigrationLoader(connections["default"], replace_migrations=False)


@pytest.fixture(scope="module")
def migration_sql(loader, django_db_blocker) -> dict[tuple[str, str], str]:
    """sqlmigrate's SQL of every project migration, from one loader on the test database."""
    connection = connections["default"]
    with django_db_blocker.unblock():
        return {
            key: as_sqlmigrate_prints(connection, loader.graph.nodes[key], loader.collect_sql([(loader.graph.nodes[key], False)]))
            for key in MIGRATIONS
        }


@pytest.fixture(scope="module")
def squawk_findings(migration_sql, tmp_path_factory) -> dict[str, list[dict]]:
    return squawk({f"{app}.{name}": text for (app, name), text in migration_sql.items()}, tmp_path_factory.mktemp("sqlmigrate"))


def test_the_six_apps_have_migrations():
    assert {app for app, _ in MIGRATIONS} == set(PROJECT_APPS)


def test_the_linted_sql_is_what_sqlmigrate_prints(migration_sql, django_db_blocker):
    key = MIGRATIONS[0]
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("sqlmigrate", *key, stdout=out, no_color=True)
    assert out.getvalue() == migration_sql[key]


@pytest.mark.parametrize("key", MIGRATIONS, ids=IDS)
def test_squawk_finds_nothing(key, squawk_findings, migration_sql):
    label = f"{key[0]}.{key[1]}"
    findings = squawk_findings[label]
    assert not findings, report(label, findings, migration_sql[key])


# ---------------------------------------------------------------- django-migration-linter

@pytest.fixture(scope="module")
def migration_linter(migration_sql, django_db_blocker):
    from django_migration_linter import MigrationLinter

    class Linter(MigrationLinter):
        """Reads the SQL collected above instead of calling sqlmigrate again; no cache file."""

        sql: dict[tuple[str, str], str] = {}

        def get_sql(self, app_label, migration_name):
            return self.sql[(app_label, migration_name)].splitlines()

        @staticmethod
        def get_migration_hash(app_label, migration_name):
            return ""  # only its cache uses it, and the probes have no file

    with django_db_blocker.unblock():
        linter = Linter(no_cache=True, exclude_migration_tests=DML_EXCLUDED)
    linter.sql = dict(migration_sql)
    return linter


def dml_lint(linter, migration) -> tuple[bool, str]:
    linter.reset_counters()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        linter.lint_migration(migration)
    return linter.nb_erroneous == 0 and linter.nb_warnings == 0, out.getvalue()


@pytest.mark.parametrize("key", MIGRATIONS, ids=IDS)
def test_django_migration_linter_finds_nothing(key, migration_linter, loader):
    clean, output = dml_lint(migration_linter, loader.disk_migrations[key])
    assert clean, f"django-migration-linter on {key[0]}.{key[1]}:\n{output}"


# ---------------------------------------------------------------- probes: the lint can fail

def probe(name: str, *operations, atomic: bool = True) -> migrations.Migration:
    migration = migrations.Migration(f"9999_lint_probe_{name}", "campaigns")
    migration.operations = list(operations)
    migration.atomic = atomic
    return migration


FK = {"table": "campaigns", "column": "positioning_id", "ref_table": "positioning", "on_delete": "SET NULL",
      "name": "campaigns_lint_probe_fk"}
CHECK = models.CheckConstraint(condition=models.Q(budget__gte=0), name="campaigns_lint_probe_check")
INDEX = models.Index(fields=["name"], name="campaigns_lint_probe_idx")
UNIQUE = models.UniqueConstraint(fields=["workspace", "name"], name="campaigns_lint_probe_uniq")

# Blocking DDL on an existing table (campaigns, created by campaigns.0001_tables), and the rule that must say so.
BAD = {
    "index": (probe("index", migrations.AddIndex("campaign", INDEX)), "require-concurrent-index-creation"),
    "drop_index": (probe("drop_index", migrations.RemoveIndex("campaign", "campaigns_ws_status_name_idx")),
                   "require-concurrent-index-deletion"),
    "foreign_key": (probe("foreign_key", SameWorkspaceForeignKey(**FK)), "constraint-missing-not-valid"),
    "check": (probe("check", migrations.AddConstraint("campaign", CHECK)), "constraint-missing-not-valid"),
    "unique": (probe("unique", migrations.AddConstraint("campaign", UNIQUE)), "disallowed-unique-constraint"),
    "validate_in_same_migration": (
        probe("validate_in_same_migration", SameWorkspaceForeignKey(**FK, not_valid=True),
              ValidateTableConstraint("campaigns", FK["name"])),
        "constraint-missing-not-valid",
    ),
    "volatile_default": (
        probe("volatile_default", migrations.AddField("campaign", "lint_probe", models.UUIDField(db_default=RandomUUID()))),
        "adding-field-with-default",
    ),
}

# The same changes written for a live database: nothing to report.
GOOD = {
    "index_concurrently": probe("index_concurrently", AddIndexConcurrently("campaign", INDEX), atomic=False),
    "drop_index_concurrently": probe("drop_index_concurrently",
                                     RemoveIndexConcurrently("campaign", "campaigns_ws_status_name_idx"), atomic=False),
    "foreign_key_not_valid": probe("foreign_key_not_valid", SameWorkspaceForeignKey(**FK, not_valid=True)),
    "foreign_key_validate": probe("foreign_key_validate", ValidateTableConstraint("campaigns", FK["name"])),
    "check_not_valid": probe("check_not_valid", AddConstraintNotValid("campaign", CHECK)),
    "check_validate": probe("check_validate", ValidateConstraint("campaign", CHECK.name)),
    "unique_index_concurrently": probe(
        "unique_index_concurrently",
        migrations.RunSQL(
            'CREATE UNIQUE INDEX CONCURRENTLY "campaigns_lint_probe_uniq" ON "campaigns" ("workspace_id", "name")',
            'DROP INDEX CONCURRENTLY IF EXISTS "campaigns_lint_probe_uniq"',
        ),
        atomic=False,
    ),
    "unique_using_index": probe(
        "unique_using_index",
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(
                'ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_lint_probe_uniq" UNIQUE USING INDEX "campaigns_lint_probe_uniq"',
                'ALTER TABLE "campaigns" DROP CONSTRAINT IF EXISTS "campaigns_lint_probe_uniq"',
            )],
            state_operations=[migrations.AddConstraint("campaign", UNIQUE)],
        ),
    ),
    "nullable_column": probe("nullable_column", migrations.AddField("campaign", "lint_probe", models.UUIDField(null=True))),
}


@pytest.fixture(scope="module")
def probe_findings(loader, django_db_blocker, tmp_path_factory):
    connection = connections["default"]
    state = loader.project_state()
    state.apps  # render the models once; each probe applies to a clone of them
    sql = {}
    with django_db_blocker.unblock():
        for migration in [m for m, _ in BAD.values()] + list(GOOD.values()):
            with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
                migration.apply(state.clone(), editor, collect_sql=True)
            sql[f"campaigns.{migration.name}"] = as_sqlmigrate_prints(connection, migration, editor.collected_sql)
    return squawk(sql, tmp_path_factory.mktemp("probes")), sql


@pytest.mark.parametrize("case", BAD)
def test_squawk_fails_blocking_ddl_on_an_existing_table(case, probe_findings):
    findings, sql = probe_findings
    migration, rule = BAD[case]
    label = f"campaigns.{migration.name}"
    assert rule in {f["rule_name"] for f in findings[label]}, sql[label]
    message = report(label, findings[label], sql[label])
    # What a failing migration test shows: the migration and squawk's own message.
    assert f"in migration {label}" in message and f": {rule}: " in message


@pytest.mark.parametrize("case", GOOD)
def test_squawk_passes_the_online_safe_way(case, probe_findings):
    findings, sql = probe_findings
    label = f"campaigns.{GOOD[case].name}"
    assert not findings[label], report(label, findings[label], sql[label])


def irreversible(apps, schema_editor):
    pass


def test_django_migration_linter_fails_a_data_migration_without_reverse(migration_linter):
    migration = probe("irreversible", migrations.RunPython(irreversible))
    migration_linter.sql[("campaigns", migration.name)] = ""
    clean, output = dml_lint(migration_linter, migration)
    assert not clean and "RunPython data migration is not reversible" in output


# ---------------------------------------------------------------- the NOT VALID foreign key, for real

NOT_VALID_DRILL = """
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from raptorflow.migration_ops import SameWorkspaceForeignKey, ValidateTableConstraint

state = MigrationLoader(connection).project_state()
add = SameWorkspaceForeignKey("campaigns", "positioning_id", "positioning", on_delete="SET NULL",
                              name="campaigns_lint_probe_fk", not_valid=True)
validate = ValidateTableConstraint("campaigns", "campaigns_lint_probe_fk")

def run(operation, backwards=False):
    with connection.schema_editor(atomic=False) as editor:
        (operation.database_backwards if backwards else operation.database_forwards)("campaigns", editor, state, state)

def validated():
    with connection.cursor() as cursor:
        cursor.execute("SELECT convalidated FROM pg_constraint WHERE conname = 'campaigns_lint_probe_fk'")
        row = cursor.fetchone()
    return None if row is None else row[0]

with transaction.atomic():
    run(add); print("added", validated())
    run(validate); print("validated", validated())
    run(add); print("re-applied", validated())
    run(validate); print("validated again", validated())
    run(add, backwards=True); print("reversed", validated())
    run(validate, backwards=True); print("validation reversed", validated())
    transaction.set_rollback(True)
"""


def test_same_workspace_foreign_key_not_valid_then_validate(django_db_setup):
    """Added NOT VALID, validated, re-applied (keeps the validation), reversed; all rolled back."""
    from conftest import owner_url

    env = dict(os.environ, DATABASE_URL=owner_url(), SECRET_KEY="migration-lint")
    result = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "shell", "-c", NOT_VALID_DRILL],
        env=env, capture_output=True, text=True, timeout=120, cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-6:] == [
        "added False", "validated True", "re-applied True", "validated again True", "reversed None",
        "validation reversed None",
    ], result.stdout
