"""The production set-up's owner, and where the embedded development server may start.

- A CREATEROLE, non-superuser owner (the runbook's production owner) provisions
  the roles, migrates and runs ``verify_schema --probe``, which switches to the
  app role: ``provision_roles`` must have made it a member. Run this file against
  each server version (the suite's server: the embedded PostgreSQL 16, or
  ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/... make test`` for 15).
- A process without DATABASE_URL refuses to start, with DEBUG on or off, and
  starts no embedded server: only the development entry points do.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from conftest import owner_conninfo, owner_url

REPO = Path(__file__).resolve().parent.parent


def manage(*args, url, **extra):
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="roles-test", **extra)
    env.pop("TEST_DATABASE_NAME", None)
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args], env=env, capture_output=True, text=True, timeout=300, cwd=REPO
    )


@pytest.fixture
def createrole_owner(owner_conn):
    """A CREATEROLE NOSUPERUSER login role owning a database of its own, with its own app role name.

    Roles are cluster-wide: every name carries the test database's name and a
    random suffix, and the app role is one this owner creates (as in production),
    not the shared ``raptorflow_app`` a superuser created.
    """
    if not owner_conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
        pytest.skip("creating a CREATEROLE owner needs the suite to run as a superuser")
    prefix = f"{owner_conninfo()['dbname'][:30]}_{uuid.uuid4().hex[:6]}"
    owner, app_role, web, database, password = f"{prefix}_owner", f"{prefix}_app", f"{prefix}_web", f"{prefix}_db", "owner-pw"
    owner_conn.execute(
        sql.SQL("CREATE ROLE {} LOGIN CREATEROLE NOSUPERUSER NOCREATEDB NOBYPASSRLS PASSWORD {}").format(
            sql.Identifier(owner), sql.Literal(password)
        )
    )
    owner_conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(database), sql.Identifier(owner)))
    try:
        yield {
            "owner": owner, "app_role": app_role, "web": web, "database": database,
            "url": owner_url(user=owner, password=password, dbname=database),
        }
    finally:
        owner_conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        for role in (web, app_role, owner):
            owner_conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_a_createrole_owner_provisions_migrates_and_passes_the_probe(createrole_owner, owner_conn):
    o = createrole_owner
    env = {"RAPTORFLOW_APP_ROLE": o["app_role"]}
    version = owner_conn.execute("SELECT current_setting('server_version_num')::int").fetchone()[0]

    provision = manage("provision_roles", "--login", o["web"], "--password", "web-pw", url=o["url"], **env)
    assert provision.returncode == 0, provision.stdout + provision.stderr
    assert f"Owner role {o['owner']!r} is a member of {o['app_role']!r}: may SET ROLE to it" in provision.stdout

    # The owner may switch to the app role; on 16 without inheriting its privileges.
    membership = owner_conn.execute(
        "SELECT pg_has_role(%s, %s, 'MEMBER'), pg_has_role(%s, %s, 'USAGE')", [o["owner"], o["app_role"]] * 2
    ).fetchone()
    assert membership[0]
    if version >= 160000:
        assert membership[1] is False
        grant = owner_conn.execute(
            "SELECT set_option, inherit_option FROM pg_auth_members"
            " WHERE roleid = to_regrole(%s) AND member = to_regrole(%s) AND grantor = member",
            [o["app_role"], o["owner"]],
        ).fetchone()
        assert grant == (True, False)

    again = manage("provision_roles", url=o["url"], **env)
    assert again.returncode == 0, again.stderr
    assert "already a member" in again.stdout

    migrate = manage("migrate", "--no-input", url=o["url"], **env)
    assert migrate.returncode == 0, migrate.stdout[-3000:] + migrate.stderr[-3000:]

    probe = manage("verify_schema", "--probe", url=o["url"], **env)
    assert probe.returncode == 0, probe.stdout[-4000:] + probe.stderr[-2000:]
    assert "permission denied to set role" not in probe.stdout + probe.stderr
    assert "16/16 domain checks passed" in probe.stdout
    assert f"isolation as {o['app_role']}" in probe.stdout

    # And the web role it provisioned works through RLS, as the web process would.
    with psycopg.connect(owner_url(user=o["web"], password="web-pw", dbname=o["database"])) as web:
        assert web.execute("SELECT count(*) FROM campaigns").fetchone() == (0,)


@pytest.mark.parametrize("debug", ["false", "true"])
@pytest.mark.parametrize(
    "entry", [["manage.py", "check"], ["-c", "import raptorflow.wsgi"]], ids=["manage.py", "wsgi"]
)
def test_without_database_url_a_process_refuses_to_start_and_starts_no_server(tmp_path, debug, entry):
    pgdata = tmp_path / "pgdata"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DEBUG=debug, SECRET_KEY="x", RAPTORFLOW_PGDATA=str(pgdata), DJANGO_SETTINGS_MODULE="raptorflow.settings")
    result = subprocess.run([sys.executable, *entry], env=env, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL is not set" in result.stderr
    assert "`make run` / `make test`" in result.stderr
    assert not pgdata.exists()
