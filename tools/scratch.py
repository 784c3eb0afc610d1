"""Throw-away databases and a local gunicorn, shared by the load test, the benchmark, the browser tests and the outage drill.

Each of them builds a database of its own next to the one in DATABASE_URL (or
the embedded server), migrates it as the owner, works on it as a login role in
the app group, and serves it with gunicorn on a free loopback port. A drill
that stops PostgreSQL runs a cluster of its own (``PrivatePostgres``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from tools.embedded import REPO_ROOT, ensure_database


def with_database(url: str, name: str, user: str | None = None, password: str | None = None) -> str:
    """``url`` pointed at database ``name`` (and, given ``user``, with that role's credentials)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if user:
        host = netloc.rsplit("@", 1)[-1]
        netloc = f"{quote(user)}:{quote(password or '', safe='')}@{host}"
    return parts._replace(path=f"/{name}", netloc=netloc).geturl()


def drop_database(owner_url: str, name: str) -> None:
    """Drop ``name`` on the owner's server, closing any connection still open on it."""
    import psycopg

    with psycopg.connect(with_database(owner_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def recreate_database(owner_url: str, name: str) -> str:
    """An empty database ``name`` (dropped first if it exists); returns the owner's URL for it."""
    drop_database(owner_url, name)
    target = with_database(owner_url, name)
    ensure_database(target)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port} after {timeout}s")


class Gunicorn:
    """gunicorn (gunicorn.conf.py) on a free loopback port: production settings over plain HTTP."""

    def __init__(self, database_url: str, workers: int, *, log_path=None, collectstatic: bool = True, **extra_env: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(
            os.environ,
            DATABASE_URL=database_url,
            SECRET_KEY="scratch-" + secrets.token_hex(16),
            DEBUG="false",
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="false",
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
            SECURE_HSTS_SECONDS="0",
            **extra_env,
        )
        env.pop("TEST_DATABASE_NAME", None)
        if collectstatic:  # clients that fetch no static file can skip it
            subprocess.run(
                [sys.executable, str(REPO_ROOT / "manage.py"), "collectstatic", "--no-input", "-v", "0"],
                env=env, check=True, capture_output=True,
            )
        self.log_path = log_path
        self.log = open(log_path, "w") if log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "raptorflow.wsgi", "--config", str(REPO_ROOT / "gunicorn.conf.py"),
             "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}"],
            env=env, cwd=REPO_ROOT, stdout=self.log, stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(self.port)
        except RuntimeError as exc:
            self.stop()
            tail = open(log_path).read()[-3000:] if log_path else ""
            raise RuntimeError(f"gunicorn did not start: {exc}\n{tail}") from None

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.log_path:
            self.log.close()


def migrated_database(owner_url: str, name: str, web_role: str, web_password: str) -> str:
    """A fresh database ``name``: roles provisioned and migrations applied as the owner; returns the web role's URL."""
    url = recreate_database(owner_url, name)
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=os.environ.get("SECRET_KEY") or "scratch-setup")
    env.pop("TEST_DATABASE_NAME", None)
    # One process for both commands: Django starts once.
    script = (
        "import sys, django; django.setup(); from django.core.management import call_command;"
        " call_command('provision_roles', login=sys.argv[1], password=sys.argv[2], verbosity=0);"
        " call_command('migrate', interactive=False, verbosity=0)"
    )
    env.setdefault("DJANGO_SETTINGS_MODULE", "raptorflow.settings")
    result = subprocess.run(
        [sys.executable, "-c", script, web_role, web_password], env=env, cwd=REPO_ROOT, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"provision_roles/migrate failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return with_database(owner_url, name, web_role, web_password)


class PrivatePostgres:
    """A PostgreSQL cluster of its own in a temporary folder (pgserver's bundled binaries), for drills that stop it.

    Never the shared embedded server in .pgdata or the machine's PostgreSQL:
    other test runs use those at the same time. Listens on a Unix socket in
    its folder only. ``stop()`` and ``start()`` take it down and bring it back
    with the same socket, ``close()`` stops it and deletes the folder.
    """

    def __init__(self):
        import logging
        import warnings

        logging.getLogger("pgserver").setLevel(logging.WARNING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import pgserver

        self.folder = Path(tempfile.mkdtemp(prefix="rf-pg-"))
        self.pgdata = self.folder / "pgdata"
        self.server = pgserver.get_server(self.pgdata, cleanup_mode="delete")
        self.socket_dir = parse_qs(urlsplit(self.server.get_uri()).query)["host"][0]

    def owner_url(self, database: str = "postgres") -> str:
        """The superuser's URL for ``database`` on this cluster."""
        return f"postgres://postgres@/{database}?host={quote(self.socket_dir)}"

    def pg_ctl(self, *args: str) -> None:
        from pgserver import pg_ctl

        pg_ctl(list(args), pgdata=self.pgdata, user=self.server.system_user, timeout=60)

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m fast``: sessions are terminated, open transactions rolled back."""
        import psutil  # a pgserver dependency

        pid = self.server.get_pid()
        self.pg_ctl("-w", "-m", mode, "stop")
        # pg_ctl returns once the pid file is gone; wait for the postmaster itself too.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                    break
            except psutil.NoSuchProcess:
                break
            time.sleep(0.05)

    def start(self) -> None:
        """Start it again (same folder, same socket), waiting until it accepts connections."""
        self.server.ensure_postgres_running()

    def close(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # not running
        # Stopped above: pgserver only forgets it (its own stop would mistake the exited
        # postmaster, not yet reaped, for a running one), and the folder goes.
        self.server.cleanup_mode = None
        try:
            self.server.cleanup()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
