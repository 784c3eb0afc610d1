"""Throw-away databases and a local gunicorn, shared by the load test, the benchmark and the browser tests.

Each of them builds a database of its own next to the one in DATABASE_URL (or
the embedded server), migrates it as the owner, works on it as a login role in
the app group, and serves it with gunicorn on a free loopback port.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import quote, urlsplit

from raptorflow.embedded import REPO_ROOT, ensure_database


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

    def __init__(self, database_url: str, workers: int, *, log_path=None, **extra_env: str):
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
