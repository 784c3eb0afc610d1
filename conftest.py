"""Test harness shared by every app.

pytest-django creates and migrates the test database as the configured
(owner) role. Then every test query runs as ``raptorflow_test_web``: a login
role in the app group role, neither superuser, nor BYPASSRLS, nor table owner,
so RLS binds it exactly as it binds the web process (docs/tenancy.md, pitfall 1).

Tests that need committed data (leaks across requests, concurrency) use the
``committed_db`` fixture instead of ``django_db(transaction=True)``: Django's
transactional teardown TRUNCATEs every table as the connection's role, which
the web role may not do, and would wipe the agent registry the migrations
seed. ``committed_db`` removes what the test created with
``TRUNCATE users, workspaces CASCADE`` as the owner: every tenant row hangs off
a workspace, and the global tables do not reference either.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

TEST_WEB_ROLE = "raptorflow_test_web"
TEST_WEB_PASSWORD = "raptorflow-test-web"

_owner_settings: dict = {}


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb, django_db_createdb):
    """Create and migrate the test database as the owner, then hand the connection to the web role.

    Replaces pytest-django's fixture of the same name, which creates the test
    database only when a collected test carries a django_db mark: a run of
    owner-connection tests alone would otherwise reach the development database.
    """
    from django.core.management import call_command
    from django.test.utils import setup_databases, teardown_databases

    connection = connections["default"]
    keepdb = django_db_keepdb and not django_db_createdb
    test_database = connection.creation._get_test_db_name()
    with django_db_blocker.unblock():
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose, interactive=False, aliases={"default"}, keepdb=keepdb
        )
        # Never the development database: everything below runs on the test database.
        assert connection.settings_dict["NAME"] == test_database
        call_command("provision_roles", login=TEST_WEB_ROLE, password=TEST_WEB_PASSWORD, verbosity=0)
    _owner_settings.update(
        {key: connection.settings_dict[key] for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")}
    )
    connection.close()
    connection.settings_dict["USER"] = TEST_WEB_ROLE
    connection.settings_dict["PASSWORD"] = TEST_WEB_PASSWORD
    yield
    connection.close()
    connection.settings_dict["USER"] = _owner_settings["USER"]
    connection.settings_dict["PASSWORD"] = _owner_settings["PASSWORD"]
    if not keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Production settings redirect HTTP to HTTPS; the test client speaks plain HTTP.
    settings.SECURE_SSL_REDIRECT = False
    # Each tenant fixture creates four users; the production hasher would make the suite minutes long.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Some PostgreSQL 15 builds (Debian's, here) keep a pg_attver option on every column, stamped anew when a table
# is created again: a pg_dump line that is the server's, not the schema's.
PG_ATTVER = re.compile(r"^ALTER TABLE ONLY \S+ ALTER COLUMN \S+ SET \(pg_attver=\d+\);$")


def owner_conninfo() -> dict:
    """psycopg keyword arguments for the owner role on the test database."""
    s = _owner_settings
    kwargs = {"dbname": s["NAME"], "user": s["USER"]}
    if s["PASSWORD"]:
        kwargs["password"] = s["PASSWORD"]
    if s["HOST"]:
        kwargs["host"] = s["HOST"]
    if s["PORT"]:
        kwargs["port"] = s["PORT"]
    kwargs.update(s.get("OPTIONS") or {})
    return kwargs


def owner_url(user: str | None = None, password: str | None = None, dbname: str | None = None) -> str:
    """A DATABASE_URL for the test database (as the owner unless told otherwise), for subprocesses."""
    from urllib.parse import quote

    info = owner_conninfo()
    if dbname:
        info["dbname"] = dbname
    user = user or info["user"]
    password = password if password is not None else info.get("password", "")
    auth = quote(user) + (f":{quote(password, safe='')}" if password else "")
    host = info.get("host", "")
    if host.startswith("/"):
        return f"postgres://{auth}@/{info['dbname']}?host={quote(host)}"
    return f"postgres://{auth}@{host or 'localhost'}:{info.get('port') or 5432}/{info['dbname']}"


def web_conninfo() -> dict:
    return {**owner_conninfo(), "user": TEST_WEB_ROLE, "password": TEST_WEB_PASSWORD}


@pytest.fixture
def owner_conn(django_db_setup):
    """An autocommit psycopg connection as the owner (migrations' role). Use sparingly."""
    import psycopg

    with psycopg.connect(**owner_conninfo(), autocommit=True) as conn:
        yield conn


@pytest.fixture
def web_connect(django_db_setup):
    """Open extra psycopg connections as the web role (for concurrency tests)."""
    import psycopg

    opened = []

    def connect(**kwargs):
        conn = psycopg.connect(**web_conninfo(), **kwargs)
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        conn.close()


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Database access without the per-test transaction: writes are committed.

    Cleans up by truncating users and workspaces (cascading to every tenant
    table) as the owner afterwards.
    """
    import psycopg

    with django_db_blocker.unblock():
        try:
            yield
        finally:
            connections.close_all()
            with psycopg.connect(**owner_conninfo(), autocommit=True) as conn:
                # axes' tables too: committed sign-in failures would lock later tests out.
                conn.execute(
                    "TRUNCATE users, workspaces, django_session, axes_accessattempt,"
                    " axes_accessattemptexpiration, axes_accesslog, axes_accessfailurelog CASCADE"
                )


@pytest.fixture
def tenant_a(db):
    from tests.factories import make_tenant

    return make_tenant("Alpha Apparel")


@pytest.fixture
def tenant_b(db):
    from tests.factories import make_tenant

    return make_tenant("Bravo Beverages")


@pytest.fixture
def client_for():
    """``client_for(user, workspace=None)``: a signed-in test client working in that workspace."""
    from raptorflow.middleware import SESSION_KEY

    def make(user, workspace=None):
        client = Client()
        client.force_login(user)
        if workspace is not None:
            session = client.session
            session[SESSION_KEY] = str(getattr(workspace, "workspace", workspace).id)
            session.save()
        return client

    return make


def pytest_configure(config):
    # The suite's premise; fail fast with a clear message if settings drift.
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "tests need PostgreSQL"
