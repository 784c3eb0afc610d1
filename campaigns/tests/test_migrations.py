"""`migrate campaigns zero` removes exactly what the app created, keeps other apps' data, and migrating back restores it."""

import os
import subprocess
import sys

from django.db import connections

from campaigns.manifest import EXPECTED
from conftest import owner_url
from raptorflow.models import Cohort
from raptorflow.testing import make_cohort, make_tenant


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
    # Running the forward migrations' SQL again is harmless (idempotent DDL).
    out = manage("sqlmigrate", "campaigns", "0003_functions_and_triggers")
    with owner_conn.transaction():
        owner_conn.execute(out.replace("BEGIN;", "").replace("COMMIT;", ""))
