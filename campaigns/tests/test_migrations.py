"""Migrations of the campaigns app: `migrate campaigns zero` and back keeps other apps' data; names that differ only by case stop the unique-index migration."""

import os
import subprocess
import sys

import pytest
from django.db import connections

from campaigns.manifest import EXPECTED
from conftest import owner_url
from raptorflow.models import Cohort
from tests.factories import make_cohort, make_tenant


def manage(*args):
    env = dict(os.environ, DATABASE_URL=owner_url(), SECRET_KEY="x")
    result = subprocess.run(
        [sys.executable, "manage.py", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def leftovers(conn):
    tables = EXPECTED["tables"]
    return {
        "tables": conn.execute("SELECT relname FROM pg_class WHERE relname = ANY(%s)", [tables]).fetchall(),
        "indexes": conn.execute("SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s)", [EXPECTED["indexes"]]).fetchall(),
        "functions": conn.execute("SELECT proname FROM pg_proc WHERE proname = ANY(%s)", [EXPECTED["functions"]]).fetchall(),
        "policies": conn.execute("SELECT policyname FROM pg_policies WHERE tablename = ANY(%s)", [tables]).fetchall(),
        "constraints": conn.execute(
            "SELECT conname FROM pg_constraint WHERE conname LIKE 'campaign%%' OR conname LIKE 'positioning%%' OR conname LIKE 'message_architecture%%'"
        ).fetchall(),
    }


def test_migrate_zero_and_back_keeps_other_apps_data(committed_db, owner_conn):
    tenant = make_tenant("Reversible Ltd")
    cohort = make_cohort(tenant.workspace, "Survivors")
    connections.close_all()

    manage("migrate", "campaigns", "zero", "--no-input")
    assert leftovers(owner_conn) == {"tables": [], "indexes": [], "functions": [], "policies": [], "constraints": []}
    # The cohort (and its table's own unique rule, the target of a same-workspace key) survive.
    assert owner_conn.execute("SELECT 1 FROM pg_constraint WHERE conname = 'cohorts_workspace_id_uniq'").fetchone()
    with tenant.context():
        assert Cohort.objects.filter(id=cohort.id).exists()

    manage("migrate", "--no-input")
    found = leftovers(owner_conn)
    assert sorted(r[0] for r in found["tables"]) == sorted(EXPECTED["tables"])
    assert sorted(r[0] for r in found["indexes"]) == sorted(EXPECTED["indexes"])
    assert sorted(r[0] for r in found["functions"]) == sorted(EXPECTED["functions"])
    assert len(found["policies"]) == len(EXPECTED["tables"])
    forced = owner_conn.execute(
        "SELECT bool_and(relforcerowsecurity) FROM pg_class WHERE relname = ANY(%s)", [EXPECTED["tables"]]
    ).fetchone()[0]
    assert forced
    # Running the forward migrations' SQL again is harmless (idempotent DDL). Rolled back: 0003's
    # set_updated_at() is the first version, which 0010 replaced; the tests that follow need the current one.
    out = manage("sqlmigrate", "campaigns", "0003_functions_and_triggers")
    with owner_conn.transaction(force_rollback=True):
        owner_conn.execute(out.replace("BEGIN;", "").replace("COMMIT;", ""))


# ---------------------------------------------------------------- names unique ignoring case (issue 17)

def test_names_differing_only_by_case_stop_the_unique_index_migration_naming_them(owner_conn):
    """Existing case-duplicates: migrate stops before building, names every group, leaves no index behind."""
    import uuid

    import psycopg

    from conftest import owner_conninfo

    name = f"{owner_conninfo()['dbname'][:30]}_ci_{uuid.uuid4().hex[:8]}"
    owner_conn.execute(f'CREATE DATABASE "{name}"')
    url = owner_url(dbname=name)
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="x")
    env.pop("TEST_DATABASE_NAME", None)

    def migrate(*args):
        return subprocess.run([sys.executable, "manage.py", "migrate", *args, "--no-input"], env=env,
                              capture_output=True, text=True, timeout=300)

    try:
        assert migrate("campaigns", "0003_functions_and_triggers").returncode == 0
        with psycopg.connect(**{**owner_conninfo(), "dbname": name}, autocommit=True) as conn:
            # The drill's owner is the server's superuser: RLS does not hide these rows from it.
            ws = conn.execute("INSERT INTO workspaces (name, slug) VALUES ('Acme', 'acme') RETURNING id").fetchone()[0]
            for positioning in ("Long trail", "LONG TRAIL", "long trail", "Winter", "winter", "Unique"):
                conn.execute("INSERT INTO positioning (workspace_id, name) VALUES (%s, %s)", [ws, positioning])

            failed = migrate("campaigns", "0004_positioning_name_unique_ignoring_case")
            assert failed.returncode != 0
            assert "positioning.name must be unique per workspace ignoring case" in failed.stderr
            assert "workspace acme: 'LONG TRAIL', 'Long trail', 'long trail'" in failed.stderr
            assert "workspace acme: 'Winter', 'winter'" in failed.stderr
            assert "Unique" not in failed.stderr
            # Nothing built, nothing recorded: no INVALID index to clean up by hand.
            assert conn.execute("SELECT to_regclass('positioning_workspace_lower_name_uniq')").fetchone()[0] is None
            assert conn.execute("SELECT count(*) FROM django_migrations WHERE app = 'campaigns' AND name LIKE '0004%'").fetchone()[0] == 0

            # Renamed: the migration goes through, and the index refuses the next case-duplicate.
            conn.execute("UPDATE positioning SET name = name || ' ' || id WHERE name IN ('LONG TRAIL', 'long trail', 'winter')")
            ok = migrate("campaigns", "0004_positioning_name_unique_ignoring_case")
            assert ok.returncode == 0, ok.stdout[-2000:] + ok.stderr[-2000:]
            with pytest.raises(psycopg.errors.UniqueViolation, match="positioning_workspace_lower_name_uniq"):
                conn.execute("INSERT INTO positioning (workspace_id, name) VALUES (%s, 'UNIQUE')", [ws])
    finally:
        owner_conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
