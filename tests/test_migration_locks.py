"""Lock drills: ``migrate`` waits at most the lock timeout, names the blocker, retries, or gives up cleanly.

A scratch database is migrated up to just before the last migration of the
``campaigns`` app (found through the migration loader, so a rewritten history
keeps the drill working). Another session then holds an ACCESS EXCLUSIVE lock
on every table that migration's SQL names, in a transaction it keeps open:
the strongest lock, so whatever that migration does to those tables (an ALTER,
a CREATE INDEX, a trigger, a policy) has to wait for it. ``migrate`` runs as a
subprocess, as a DBA runs it, with a small lock timeout.

The non-atomic drills use a throw-away app written to a temporary folder and
installed only in the subprocess: a ``CREATE INDEX CONCURRENTLY`` that fails
leaves an INVALID index, which ``migrate`` must drop.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from conftest import owner_conninfo, owner_url

REPO = Path(__file__).resolve().parent.parent
APP = "campaigns"
LOCK_TIMEOUT = 0.5


def _env(url, **extra):
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="lock-drills", PYTHONUNBUFFERED="1")
    env.pop("TEST_DATABASE_NAME", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(*args, url, **extra):
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        env=_env(url, **extra), capture_output=True, text=True, timeout=300, cwd=REPO,
    )


class Run:
    """A subprocess whose stdout lines are collected with the time each arrived."""

    def __init__(self, argv, env, on_line=None):
        self.started = time.monotonic()
        self.lines: list[tuple[float, str]] = []
        self.process = subprocess.Popen(argv, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._on_line = on_line
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append((time.monotonic() - self.started, line))
            if self._on_line:
                self._on_line(line)

    def wait(self, timeout=180):
        try:
            stderr = self.process.stderr.read()
            self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        self._reader.join(timeout=10)
        self.stderr = stderr
        self.stdout = "".join(line for _, line in self.lines)
        self.elapsed = time.monotonic() - self.started
        return self.process.returncode

    def times_of(self, pattern):
        return [t for t, line in self.lines if re.search(pattern, line)]


def migrate_run(*args, url, on_line=None, **extra) -> Run:
    return Run([sys.executable, str(REPO / "manage.py"), "migrate", *args, "--no-input", "-v", "2"], _env(url, **extra), on_line)


def connect(name, **kwargs):
    return psycopg.connect(**{**owner_conninfo(), "dbname": name}, **kwargs)


def pg_dump_schema(url):
    import pgserver

    bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump"
    result = subprocess.run([str(bundled), "--schema-only", url], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return "\n".join(line for line in result.stdout.splitlines() if not line.startswith("--"))


def applied(name):
    with connect(name, autocommit=True) as conn:
        return sorted(conn.execute("SELECT app, name FROM django_migrations").fetchall())


def invalid_indexes(name):
    with connect(name, autocommit=True) as conn:
        return [r[0] for r in conn.execute("SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid")]


def hold_locks(name, tables):
    """A session that locks ``tables`` ACCESS EXCLUSIVE in a transaction it keeps open; returns it and its pid."""
    conn = connect(name)
    conn.execute("SET application_name = 'lock drill blocker'")
    for table in tables:
        conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table)))
    return conn, conn.info.backend_pid


def drop_database(name):
    with connect("postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def scratch_name(what):
    # Derived from the test database's name: parallel runs on one server (TEST_DATABASE_NAME) never collide.
    return f"{owner_conninfo()['dbname'][:30]}_{what}_{uuid.uuid4().hex[:8]}"


# ---------------------------------------------------------------- the campaigns drill

# Statements that lock a table they name (the drill's blocker makes them wait), matched at a statement's start.
LOCKING = re.compile(
    r"(?:ALTER\s+TABLE(?:\s+IF\s+EXISTS)?(?:\s+ONLY)?"
    r"|CREATE\s+(?:UNIQUE\s+)?INDEX(?:\s+CONCURRENTLY)?(?:\s+IF\s+NOT\s+EXISTS)?\s+\S+\s+ON(?:\s+ONLY)?"
    r"|CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\s+\S+\s+.*?\sON"
    r"|(?:CREATE|DROP)\s+POLICY(?:\s+IF\s+EXISTS)?\s+\S+\s+ON"
    r"|DROP\s+TRIGGER(?:\s+IF\s+EXISTS)?\s+\S+\s+ON"
    r"|INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)"
    r'\s+(?:public\.)?"?(\w+)"?',
    re.IGNORECASE | re.DOTALL,
)
CREATES = re.compile(r'CREATE\s+TABLE(?:\s+IF\s+NOT\s+EXISTS)?\s+(?:public\.)?"?(\w+)"?', re.IGNORECASE)


def tables_locked_by(statements: str) -> set[str]:
    """Tables a migration's SQL locks, other than those it creates itself."""
    # Function bodies lock nothing when created (PL/pgSQL is resolved when it runs); literals and comments are text.
    text = re.sub(r"\$(\w*)\$.*?\$\1\$", "", statements, flags=re.DOTALL)
    text = re.sub(r"'(?:[^']|'')*'", "''", text)
    text = re.sub(r"--[^\n]*", "", text)
    locked = {m.group(1) for part in text.split(";") if (m := LOCKING.match(part.strip()))}
    return locked - set(CREATES.findall(text)) - {"django_migrations"}


@pytest.fixture(scope="module")
def last_migration(template_db_name):
    """The app's last migration that locks a table existing before it, and every migration it needs.

    From the migration loader, not by name: the history may be rewritten. Usually
    the very last migration; an earlier one only if the last locks no existing
    table (functions only, say).
    """
    import json

    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    (leaf,) = loader.graph.leaf_nodes(APP)
    chain = [key for key in loader.graph.forwards_plan(leaf) if key[0] == APP]
    names = [name for _, name in reversed(chain)]
    printed = manage(
        "shell", "-c",
        "import io, json\nfrom django.core.management import call_command\nout = {}\n"
        f"for name in {names!r}:\n"
        "    buffer = io.StringIO()\n"
        f"    call_command('sqlmigrate', {APP!r}, name, stdout=buffer)\n"
        "    out[name] = buffer.getvalue()\n"
        "print('SQL-JSON:' + json.dumps(out))",
        url=owner_url(dbname=template_db_name),
    )
    assert printed.returncode == 0, printed.stderr[-3000:]
    statements = json.loads(printed.stdout.split("SQL-JSON:", 1)[1])
    for name in names:
        tables = tables_locked_by(statements[name])
        if tables:
            needed = loader.graph.forwards_plan((APP, name))[:-1]
            # The latest migration of each app that this one needs (one migrate target per app).
            before = {}
            for app, migration in needed:
                before[app] = migration
            return name, before, sorted(tables)
    pytest.fail(f"no migration of {APP} locks a table that exists before it:\n{statements}")


@pytest.fixture(scope="module")
def template_db_name(django_db_setup):
    name = scratch_name("locks_tpl")
    with connect("postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        drop_database(name)


@pytest.fixture(scope="module")
def template_db(template_db_name, last_migration):
    """A database migrated up to just before the drill's migration; each drill copies it."""
    name = template_db_name
    target, before, tables = last_migration
    targets = ", ".join(f"({app!r}, {migration!r})" for app, migration in before.items())
    setup = manage(
        "shell", "-c",
        "from django.core.management import call_command\n"
        f"for app, target in [{targets}]:\n"
        "    call_command('migrate', app, target, interactive=False, verbosity=0)",
        url=owner_url(dbname=name),
    )
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    with connect(name, autocommit=True) as conn:
        existing = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert set(tables) <= existing, f"{APP}.{target} locks {tables}, but only {sorted(existing)} exist before it"
    return name, tables


@pytest.fixture
def drill_db(template_db):
    template, tables = template_db
    name = scratch_name("locks")
    with connect("postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    try:
        yield name, owner_url(dbname=name), tables
    finally:
        drop_database(name)


def test_migrate_retries_while_blocked_names_the_blocker_and_succeeds_once_it_commits(drill_db, last_migration):
    name, url, tables = drill_db
    last = last_migration[0]
    blocker, pid = hold_locks(name, tables)
    released = threading.Event()

    # The blocker commits once migrate has reported its first wait and gone to sleep.
    def release_after_first_retry(line):
        if "Retrying in" in line and not released.is_set():
            blocker.commit()
            released.set()

    try:
        run = migrate_run(APP, last, url=url, on_line=release_after_first_retry,
                          MIGRATION_LOCK_TIMEOUT=LOCK_TIMEOUT, MIGRATION_LOCK_RETRIES=5)
        code = run.wait()
    finally:
        blocker.close()

    assert code == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert released.is_set()
    report = run.stdout[: run.stdout.index("Retrying in")]
    assert f"{APP}.{last} waited {LOCK_TIMEOUT:g}s for a lock (attempt 1 of 6)" in report
    # The wait names the blocker: pid, state, query.
    assert re.search(rf"pid {pid} \(user \w+, idle in transaction, transaction age [\d.]+s\): LOCK TABLE", report), report
    assert "Blocked statement:" in report
    assert run.stdout.count("Retrying in") == 1
    assert re.search(rf"Applying {APP}\.{last}\.\.\. OK", run.stdout)
    assert "Total migration time:" in run.stdout
    assert (APP, last) in applied(name)
    print(f"\nlock drill on {APP}.{last} ({', '.join(tables)} locked; blocker commits after the first wait): {run.elapsed:.1f}s")


def test_migrate_gives_up_on_a_blocker_that_never_commits_and_leaves_the_schema_as_it_was(drill_db, last_migration):
    name, url, tables = drill_db
    last = last_migration[0]
    schema_before, applied_before = pg_dump_schema(url), applied(name)
    blocker, pid = hold_locks(name, tables)
    try:
        run = migrate_run(APP, last, url=url, MIGRATION_LOCK_TIMEOUT=LOCK_TIMEOUT, MIGRATION_LOCK_RETRIES=2)
        code = run.wait()
    finally:
        blocker.rollback()
        blocker.close()

    assert code != 0
    # Three attempts, each waiting about the lock timeout, with 0.5s and 1s between them.
    assert run.stdout.count("Retrying in") == 2, run.stdout
    assert f"pid {pid} " in run.stdout
    waits = run.times_of(r"waited .* for a lock \(attempt")
    retries = run.times_of(r"Retrying in")
    assert len(waits) == 2
    # From "retrying in 0.5s" to the next wait report: the backoff, Django re-planning, then one lock timeout.
    gap = waits[1] - retries[0]
    assert 0.5 + LOCK_TIMEOUT * 0.9 <= gap <= 0.5 + LOCK_TIMEOUT + 5, gap
    # A clear message: the migration, that nothing is applied, the blocked statement, the blocker.
    message = run.stderr
    assert f"Migration {APP}.{last} gave up after 3 attempts: each waited {LOCK_TIMEOUT:g}s (MIGRATION_LOCK_TIMEOUT)" in message
    assert "Nothing of it is applied" in message
    assert "Blocked statement:" in message
    assert re.search(rf"Blocked by:\n  pid {pid} \(.*\): LOCK TABLE", message), message
    assert f"pg_terminate_backend(pid) for pid {pid}" in message
    # Exactly as before: not recorded, no leftover object.
    assert applied(name) == applied_before
    assert (APP, last) not in applied(name)
    assert pg_dump_schema(url) == schema_before
    assert invalid_indexes(name) == []
    print(f"\nlock drill on {APP}.{last} (gives up after 3 attempts of {LOCK_TIMEOUT}s): {run.elapsed:.1f}s")


# ---------------------------------------------------------------- non-atomic: CREATE INDEX CONCURRENTLY

DRILL_APP = "lockdrill"
DRILL_MIGRATIONS = {
    "0001_initial.py": """
        from django.db import migrations

        class Migration(migrations.Migration):
            operations = [
                migrations.RunSQL(
                    "CREATE TABLE lockdrill (id int, code int); INSERT INTO lockdrill VALUES (1, 7), (2, 7);",
                    "DROP TABLE lockdrill",
                ),
            ]
    """,
    "0002_index_concurrently.py": """
        from django.db import migrations

        class Migration(migrations.Migration):
            atomic = False
            dependencies = [("lockdrill", "0001_initial")]
            operations = [
                migrations.RunSQL(
                    "CREATE {unique}INDEX CONCURRENTLY lockdrill_code ON lockdrill (code)",
                    "DROP INDEX CONCURRENTLY IF EXISTS lockdrill_code",
                ),
            ]
    """,
}


def drill_app(tmp_path, unique):
    package = tmp_path / DRILL_APP
    (package / "migrations").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "migrations" / "__init__.py").write_text("")
    for filename, source in DRILL_MIGRATIONS.items():
        source = textwrap.dedent(source).replace("{unique}", "UNIQUE " if unique else "")
        (package / "migrations" / filename).write_text(source)
    # Installed only in this subprocess: settings as deployed, plus the drill app.
    return (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
        "import django\nfrom django.conf import settings\n"
        f"settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, {DRILL_APP!r}]\n"
        "django.setup()\n"
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(sys.argv)\n"
    )


@pytest.fixture
def plain_db(django_db_setup):
    name = scratch_name("locks_ci")
    with connect("postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name, owner_url(dbname=name)
    finally:
        drop_database(name)


def run_drill_app(script, *args, url, on_line=None, **extra) -> Run:
    env = _env(url, DJANGO_SETTINGS_MODULE="raptorflow.settings", **extra)
    return Run([sys.executable, "-c", script, "migrate", DRILL_APP, *args, "--no-input", "-v", "2"], env, on_line)


def test_a_failed_concurrent_index_build_leaves_no_invalid_index(plain_db, tmp_path):
    name, url = plain_db
    script = drill_app(tmp_path, unique=True)
    assert run_drill_app(script, "0001", url=url).wait() == 0
    # The data violates the unique index: the concurrent build fails after creating it INVALID.
    run = run_drill_app(script, url=url)
    assert run.wait() != 0
    assert f"Migration {DRILL_APP}.0002_index_concurrently failed (non-atomic" in run.stderr
    assert "The INVALID index lockdrill_code the interrupted build left behind was dropped." in run.stderr
    assert "CREATE UNIQUE INDEX CONCURRENTLY lockdrill_code" in run.stderr
    assert invalid_indexes(name) == []
    assert (DRILL_APP, "0002_index_concurrently") not in applied(name)


def test_a_concurrent_index_build_blocked_by_a_writer_is_cleaned_up_and_retried(plain_db, tmp_path):
    name, url = plain_db
    script = drill_app(tmp_path, unique=False)
    assert run_drill_app(script, "0001", url=url).wait() == 0
    # A writer's open transaction: the build creates its index, then waits for the writer and times out.
    writer = connect(name)
    writer.execute("INSERT INTO lockdrill VALUES (3, 8)")
    pid = writer.info.backend_pid
    released = threading.Event()

    def release_on_retry(line):
        if "Retrying in" in line and not released.is_set():
            writer.commit()
            released.set()

    try:
        run = run_drill_app(script, url=url, on_line=release_on_retry, MIGRATION_LOCK_TIMEOUT=LOCK_TIMEOUT, MIGRATION_LOCK_RETRIES=5)
        code = run.wait()
    finally:
        writer.close()
    assert code == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert f"pid {pid} " in run.stdout
    # The interrupted build's INVALID index was dropped before the build was retried.
    assert re.search(r"INVALID index lockdrill_code", run.stdout), run.stdout
    assert invalid_indexes(name) == []
    with connect(name, autocommit=True) as conn:
        assert conn.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = 'lockdrill_code'::regclass").fetchone() == (True,)
    assert (DRILL_APP, "0002_index_concurrently") in applied(name)


def test_the_garbage_collector_is_back_after_migrate_unless_the_process_ends_with_it(django_db_setup, django_db_blocker):
    """migrate pauses Python's cyclic collector; in-process (call_command) it comes back, from manage.py it stays off.

    From the command line the process ends with the command, so the collector's
    pass over migrate's garbage would be its last work; manage.py then freezes
    what is left. In-process, leaving it off would keep every cycle allocated
    afterwards.
    """
    import gc

    from django.core.management import call_command

    from raptorflow.management.commands.migrate import Command

    assert gc.isenabled()
    with django_db_blocker.unblock():
        call_command("migrate", verbosity=0)  # the test database is migrated: nothing to apply
    assert gc.isenabled()
    try:
        with django_db_blocker.unblock():
            Command().run_from_argv(["manage.py", "migrate", "--no-input", "-v", "0"])
        assert not gc.isenabled()
    finally:
        gc.enable()
