"""The migration history builds exactly the reference schema.

Issue 16 rewrote the six apps' 48 migrations into a few per app, one concern
each (tables, row-level security, functions and triggers, the agent
registry), on the promise that the schema stays the same.
``tests/fixtures/schema_reference.sql`` is ``pg_dump --schema-only
--no-owner`` of a fresh database migrated with the first history (its header
names the commit and the command). This test migrates a fresh database with
the current history, dumps it the same way and compares the two, after
normalising what belongs to the machine rather than to the schema: the owner
and app role names, pg_dump's version banner, ``\\restrict`` lines, and the
``pg_attver`` column options some PostgreSQL 15 builds stamp on every column.
On a difference it fails with a unified diff.

Checked on PostgreSQL 16 (the embedded server) and 15; on another major
version it skips, saying so. pg_dump is the one bundled with pgserver
(PostgreSQL 16, it dumps 16 and older servers), else the ``pg_dump`` on PATH.

A migration that changes the schema on purpose regenerates the reference
with this command; review the diff and commit the file with the migration:

    RAPTORFLOW_WRITE_SCHEMA_REFERENCE=1 TEST_DATABASE_NAME=test_schema_reference \\
        make test ARGS="tests/test_schema_history.py -p no:cacheprovider"
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from conftest import PG_ATTVER, owner_conninfo, owner_url

REPO = Path(__file__).resolve().parent.parent
REFERENCE = Path(__file__).resolve().parent / "fixtures" / "schema_reference.sql"
WRITE_ENV = "RAPTORFLOW_WRITE_SCHEMA_REFERENCE"
REGENERATE_COMMAND = (
    f'{WRITE_ENV}=1 TEST_DATABASE_NAME=test_schema_reference make test ARGS="tests/test_schema_history.py -p no:cacheprovider"'
)
# Server major versions whose dumps this comparison was checked on (15 differs from 16 only in what normalise() drops).
CHECKED_MAJORS = {15, 16}

# Lines of pg_dump's output that describe the tools, not the schema.
DROPPED_PREFIXES = (
    "-- Dumped from database version",
    "-- Dumped by pg_dump version",
    "\\restrict",  # pg_dump 17.6+, 16.10+: a random key per dump
    "\\unrestrict",
    "SET transaction_timeout",  # pg_dump 17+
)
# Statements that name roles: policies (TO the migrating role), grants.
ROLE_STATEMENTS = ("CREATE POLICY ", "GRANT ", "REVOKE ", "ALTER DEFAULT PRIVILEGES ")


def pg_dump_program() -> str | None:
    try:
        import pgserver
    except ImportError:
        pass
    else:
        bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump"
        if bundled.exists():
            return str(bundled)
    return shutil.which("pg_dump")


def dump_schema(program: str, url: str) -> str:
    result = subprocess.run(
        [program, "--schema-only", "--no-owner", url], capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0 and "server version mismatch" in result.stderr:
        pytest.skip(f"{program} cannot dump this server: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    return result.stdout


def _role_pattern(role: str) -> re.Pattern:
    return re.compile(rf'(?<![\w$"])("?){re.escape(role)}\1(?![\w$"])')


def normalise(dump: str, *, owner: str, app_role: str) -> str:
    """The dump without what depends on the machine: tool versions, role names, server quirks."""
    lines = []
    for line in dump.splitlines():
        if line.startswith(DROPPED_PREFIXES) or PG_ATTVER.match(line):
            continue
        if line.startswith(ROLE_STATEMENTS):
            line = _role_pattern(owner).sub("<owner>", line)
            line = _role_pattern(app_role).sub("<app role>", line)
        lines.append(line)
    return "\n".join(lines).strip() + "\n"


def split_reference(text: str) -> tuple[dict[str, str], str]:
    """The header's ``-- key: value`` lines, and pg_dump's output after them (from its first bare ``--``)."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.rstrip("\n") == "--")
    header = {}
    for line in lines[:start]:
        match = re.match(r"^-- ([a-z_ ]+): (.*)$", line.rstrip("\n"))
        if match:
            header[match.group(1)] = match.group(2)
    return header, "".join(lines[start:])


def manage(*args: str, url: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="schema-history")
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args], env=env, capture_output=True, text=True, timeout=600, cwd=REPO
    )


def git_commit() -> str:
    """The commit of the checkout, saying so when its migrations have uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "*/migrations"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head.strip() + (" with uncommitted migration changes" if dirty.strip() else "")


def write_reference(dump: str, *, owner: str, app_role: str, server_version: str, pg_dump_version: str) -> None:
    header = (
        "-- Reference schema: pg_dump --schema-only --no-owner of a fresh database migrated with\n"
        "-- `python manage.py migrate` (every app). tests/test_schema_history.py compares a fresh\n"
        "-- database migrated with the current history against it. Regenerate it only when a\n"
        "-- migration changes the schema on purpose, with:\n"
        f"--   {REGENERATE_COMMAND}\n"
        f"-- commit: {git_commit()}\n"
        f"-- server version: {server_version}\n"
        f"-- pg_dump version: {pg_dump_version}\n"
        f"-- owner role: {owner}\n"
        f"-- app role: {app_role}\n"
    )
    REFERENCE.parent.mkdir(exist_ok=True)
    REFERENCE.write_text(header + dump)


def test_fresh_database_migrates_to_the_reference_schema(owner_conn):
    program = pg_dump_program()
    if program is None:
        pytest.skip("no pg_dump: install the embedded extra (pgserver) or PostgreSQL's client programs")
    writing = bool(os.environ.get(WRITE_ENV))
    header, reference = ({}, "") if writing else split_reference(REFERENCE.read_text())
    server_version = owner_conn.execute("SHOW server_version").fetchone()[0]
    major = owner_conn.info.server_version // 10000
    if not writing and major not in CHECKED_MAJORS:
        pytest.skip(
            f"the reference was dumped from PostgreSQL {header.get('server version')} and the comparison is checked"
            f" on {sorted(CHECKED_MAJORS)}; this server is {server_version}, whose pg_dump output may differ in form"
        )

    owner = owner_conninfo()["user"]
    name = f"rf_schema_{uuid.uuid4().hex[:10]}"
    owner_conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = owner_url(dbname=name)
        migrated = manage("migrate", "--no-input", url=url)
        assert migrated.returncode == 0, migrated.stdout[-3000:] + migrated.stderr[-3000:]
        dump = dump_schema(program, url)
    finally:
        owner_conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    if writing:
        pg_dump_version = subprocess.run([program, "--version"], capture_output=True, text=True).stdout.strip()
        write_reference(
            dump, owner=owner, app_role=settings.RAPTORFLOW_APP_ROLE, server_version=server_version,
            pg_dump_version=pg_dump_version,
        )
        pytest.skip(f"wrote {REFERENCE.relative_to(REPO)}: review its diff and commit it with the migration")

    expected = normalise(reference, owner=header["owner role"], app_role=header["app role"])
    actual = normalise(dump, owner=owner, app_role=settings.RAPTORFLOW_APP_ROLE)
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                fromfile=str(REFERENCE.relative_to(REPO)), tofile="fresh database, current migrations",
            )
        )
        pytest.fail(
            "The migrations build a schema that differs from the reference. If the change is intended, regenerate"
            f" the reference and commit it with the migration:\n    {REGENERATE_COMMAND}\n\n{diff}",
            pytrace=False,
        )


def test_normalise_drops_tool_versions_and_role_names_only():
    dump = "\n".join([
        "-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)",
        "-- Dumped by pg_dump version 16.2",
        "\\restrict AbC123",
        "CREATE TABLE public.postgres_notes (id integer);",
        "ALTER TABLE ONLY public.users ALTER COLUMN id SET (pg_attver=136762336);",
        "CREATE POLICY p ON public.t TO postgres USING (true);",
        'GRANT SELECT ON TABLE public.t TO "Raptor App";',
        "\\unrestrict AbC123",
    ])
    assert normalise(dump, owner="postgres", app_role="Raptor App") == (
        "CREATE TABLE public.postgres_notes (id integer);\n"
        "CREATE POLICY p ON public.t TO <owner> USING (true);\n"
        "GRANT SELECT ON TABLE public.t TO <app role>;\n"
    )
