"""The project's own PostgreSQL for development, used when DATABASE_URL is not set.

Started only by the development entry points (tools/dev.py: ``make
run``, ``make test``, the DBA make targets, a bare ``pytest``), never by the
settings. pgserver (PyPI, the ``embedded`` extra: ``pip install -e '.[embedded]'``)
bundles the server binaries; the cluster lives in ``.pgdata/`` at the
repository root (git-ignored, or ``RAPTORFLOW_PGDATA``) and listens on a Unix
socket only, so it never collides with a PostgreSQL already on port 5432. The
server keeps running after the process that started it exits; the next call
reuses it.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PGDATA = REPO_ROOT / ".pgdata"
DATABASE_NAME = "raptorflow"


def owner_database_url(pgdata: Path | None = None, database: str = DATABASE_NAME) -> str:
    """Start (or reuse) the embedded server and return a URL for its superuser."""
    pgdata = Path(pgdata or os.environ.get("RAPTORFLOW_PGDATA") or DEFAULT_PGDATA)
    # pgserver logs every process exit at INFO; only its problems are news.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root shells).
        warnings.simplefilter("ignore")
        try:
            import pgserver
        except ImportError:
            raise SystemExit(
                "DATABASE_URL is not set and the embedded PostgreSQL is not installed: set DATABASE_URL,"
                " or install the development extra (pip install -e '.[dev,embedded]'; make does)."
            ) from None

        server = pgserver.get_server(pgdata, cleanup_mode=None)
    uri = urlsplit(server.get_uri())
    socket_dir = parse_qs(uri.query)["host"][0]
    url = f"postgres://postgres@/{database}?host={quote(socket_dir)}"
    ensure_database(url)
    return url


def ensure_database(url: str) -> None:
    """Create the URL's database if it does not exist yet (needs CREATEDB)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    database = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
