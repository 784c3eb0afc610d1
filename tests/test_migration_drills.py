"""Migration drills: zero and back, a fresh database, SQL applied twice, a failure halfway.

Migrations run as the owner, in subprocesses (``manage.py`` with the owner's
DATABASE_URL), exactly as a DBA runs them. The fresh-database drills use a
scratch database of their own, so the shared test database is untouched.
"""

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from conftest import PG_ATTVER, owner_conninfo, owner_url
from raptorflow.schema_checks import DOMAINS, load_manifest

REPO = Path(__file__).resolve().parent.parent
DOMAIN_APPS = [label for _, label in DOMAINS]


def manage(*args, url, timeout=300):
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="drills")
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO
    )


def pg_dump_schema(url):
    import pgserver

    bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump"
    result = subprocess.run([str(bundled), "--schema-only", url], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return "\n".join(line for line in result.stdout.splitlines() if not line.startswith("--") and not PG_ATTVER.match(line))


@pytest.fixture
def scratch_db(owner_conn):
    """An empty database of its own; yields its owner URL."""
    name = f"rf_drill_{uuid.uuid4().hex[:10]}"
    owner_conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name, owner_url(dbname=name)
    finally:
        owner_conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def scratch_conn(name):
    return psycopg.connect(**{**owner_conninfo(), "dbname": name}, autocommit=True)


def test_every_migrations_sql_applied_twice_is_harmless(owner_conn):
    # Started the one way the tool starts (make drills runs the same module).
    env = dict(os.environ, DATABASE_URL=owner_url(), SECRET_KEY="drills")
    result = subprocess.run([sys.executable, "-m", "tools.drills"], env=env, capture_output=True, text=True,
                            timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    count = int(re.search(r"re-applied (\d+) operations, 0 failed", result.stdout).group(1))
    # Every domain app carries RLS and SQL operations; far more than a handful exist.
    assert count >= 20


def test_fresh_database_migrates_with_timings_and_verifies_clean(scratch_db):
    name, url = scratch_db
    result = manage("migrate", "--no-input", "-v", "2", url=url)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    timings = re.findall(r"Applying (\w+)\.(\w+)\.\.\. OK \((\d+\.\d+)s\)", result.stdout)
    applied_apps = {app for app, _, _ in timings}
    assert {"raptorflow", *DOMAIN_APPS} <= applied_apps
    total = float(re.search(r"Total migration time: (\d+\.\d+)s", result.stdout).group(1))
    per_app = {app: sum(float(t) for a, _, t in timings if a == app) for app in ("raptorflow", *DOMAIN_APPS)}
    print(f"\nmigrate on an empty database: total {total:.2f}s; " + ", ".join(f"{a} {t:.2f}s" for a, t in per_app.items()))

    verify = manage("verify_schema", url=url)
    assert verify.returncode == 0, verify.stdout[-4000:]
    assert "16/16 domain checks passed" in verify.stdout

    # Drop one policy and one index by hand: verify_schema fails and names exactly them.
    manifest = load_manifest("campaigns")
    table, policies = next(iter(manifest["policies"].items()))
    index = manifest["indexes"][0]
    with scratch_conn(name) as conn:
        conn.execute(f'DROP POLICY "{policies[0]}" ON "{table}"')
        conn.execute(f'DROP INDEX "{index}"')
    broken = manage("verify_schema", "--json", url=url)
    assert broken.returncode == 1
    assert f"missing: {table}.{policies[0]}" in broken.stdout
    assert f"missing: {index}" in broken.stdout

    # An index nobody declared is drift too.
    with scratch_conn(name) as conn:
        conn.execute('CREATE INDEX drift_by_hand ON cohorts (name)')
    assert "not in manifest: drift_by_hand" in manage("verify_schema", url=url).stdout


def test_each_app_goes_to_zero_and_back_with_data_in_the_others(scratch_db):
    name, url = scratch_db
    assert manage("migrate", "--no-input", url=url).returncode == 0
    # A scratch database the drill drops again: the published demo password is harmless here.
    seeded = manage("seed_demo", "--allow-production", url=url)
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    schema_before = pg_dump_schema(url)

    for app in reversed(DOMAIN_APPS):
        tables = load_manifest(app)["tables"]
        with scratch_conn(name) as conn:
            before = _counts(conn, exclude=tables)
        down = manage("migrate", app, "zero", "--no-input", url=url)
        assert down.returncode == 0, down.stdout[-3000:] + down.stderr[-3000:]
        with scratch_conn(name) as conn:
            remaining = {r[0] for r in conn.execute("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace")}
            assert not set(tables) & remaining, f"{app} zero left {set(tables) & remaining}"
            after = _counts(conn, exclude=tables)
        # Tables of the other apps keep their rows (apps that depend on this one went down with it).
        for table, count in after.items():
            assert count == before[table], f"migrate {app} zero changed {table}: {before[table]} -> {count}"
        up = manage("migrate", "--no-input", url=url)
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]

    assert pg_dump_schema(url) == schema_before


def _counts(conn, exclude):
    # The drills' owner is the server's superuser here, so counts see every workspace's rows.
    tables = [
        r[0] for r in conn.execute(
            # django_migrations loses the history rows of the app going down: that is the point.
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
            " AND relname <> 'django_migrations'"
        )
    ]
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables if t not in exclude}


def test_a_migration_failing_halfway_leaves_nothing_behind_and_names_the_statement(scratch_db):
    name, url = scratch_db
    # Someone created one of campaigns' tables by hand: its initial migration fails part-way.
    assert manage("migrate", "raptorflow", "--no-input", url=url).returncode == 0
    with scratch_conn(name) as conn:
        conn.execute("CREATE TABLE campaign_cohorts (id int)")
    result = manage("migrate", "campaigns", "--no-input", url=url)
    assert result.returncode != 0
    assert "Migration campaigns.0001_tables failed and was rolled back" in result.stderr
    assert 'CREATE TABLE "campaign_cohorts"' in result.stderr
    with scratch_conn(name) as conn:
        # The tables created before the failing statement are gone with the transaction.
        assert conn.execute("SELECT to_regclass('public.positioning')").fetchone()[0] is None
        assert conn.execute("SELECT count(*) FROM django_migrations WHERE app = 'campaigns'").fetchone()[0] == 0


def _agent_content_types(conn) -> int:
    return conn.execute("SELECT count(*) FROM django_content_type WHERE app_label = 'agents' AND model = 'agent'").fetchone()[0]


def test_agents_0005_renames_the_content_type_and_the_permissions_of_an_existing_database(scratch_db):
    """A database made when the model was ``AgentRegistry`` keeps its groups' agent permissions through the rename.

    agents 0005 renames the content type and the permissions in SQL (Django's
    own ``RenameContentType`` is a ``RunPython``); it must do what Django's
    does, including leaving a stale row alone when the new name is taken.
    """
    name, url = scratch_db
    result = manage("migrate", "agents", "0004", "--no-input", url=url)
    assert result.returncode == 0, result.stderr
    with scratch_conn(name) as conn:
        # post_migrate made them for the model as 0004 leaves it, AgentRegistry: no "agent" yet.
        assert _agent_content_types(conn) == 0
        ct = conn.execute("SELECT id FROM django_content_type WHERE app_label = 'agents' AND model = 'agentregistry'").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM auth_permission WHERE content_type_id = %s", (ct,)).fetchone()[0] == 4
        group = conn.execute("INSERT INTO auth_group (name) VALUES ('agent reviewers') RETURNING id").fetchone()[0]
        conn.execute(
            "INSERT INTO auth_group_permissions (group_id, permission_id)"
            " SELECT %s, id FROM auth_permission WHERE codename = 'view_agentregistry'",
            (group,),
        )

    def state(conn):
        model = conn.execute("SELECT model FROM django_content_type WHERE id = %s", (ct,)).fetchone()[0]
        held = conn.execute(
            "SELECT p.codename, p.content_type_id FROM auth_group_permissions gp JOIN auth_permission p ON p.id = gp.permission_id"
            " WHERE gp.group_id = %s",
            (group,),
        ).fetchall()
        return model, held, _agent_content_types(conn)

    result = manage("migrate", "agents", "0005", "--no-input", url=url)
    assert result.returncode == 0, result.stderr
    with scratch_conn(name) as conn:
        assert state(conn) == ("agent", [("view_agent", ct)], 1)
        # post_migrate found the renamed permissions: no second set.
        assert conn.execute("SELECT count(*) FROM auth_permission WHERE content_type_id = %s", (ct,)).fetchone()[0] == 4

    result = manage("migrate", "agents", "0004", "--no-input", url=url)
    assert result.returncode == 0, result.stderr
    with scratch_conn(name) as conn:
        model, held, _ = state(conn)
        assert (model, held) == ("agentregistry", [("view_agentregistry", ct)])
        # A content type for "agent" beside it (as a process running today's code could create): the new name is taken.
        conn.execute("INSERT INTO django_content_type (app_label, model) VALUES ('agents', 'agent')")

    # Forwards again with the new name taken: the old row stays as it is (Django's RenameContentType does the same;
    # remove_stale_contenttypes deals with it).
    result = manage("migrate", "agents", "0005", "--no-input", url=url)
    assert result.returncode == 0, result.stderr
    with scratch_conn(name) as conn:
        assert conn.execute("SELECT model FROM django_content_type WHERE id = %s", (ct,)).fetchone()[0] == "agentregistry"
