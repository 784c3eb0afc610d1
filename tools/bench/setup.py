"""The benchmark's own databases: ``<name>_bench`` (loaded); tools.bench.migrate adds ``<name>_bench_migrate`` and ``_bench_restore``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from urllib.parse import urlsplit

from tools.embedded import REPO_ROOT
from tools.scratch import drop_database, recreate_database, with_database

WEB_ROLE = "raptorflow_bench_web"
WEB_PASSWORD = "bench-password-123"
FAILURES: list[str] = []


NAME: str | None = None  # --name: the bench database's name (default <name>_bench)


def bench_name(url: str, suffix: str = "bench") -> str:
    if NAME:
        return NAME if suffix == "bench" else f"{NAME}_{suffix.removeprefix('bench_')}"
    base = urlsplit(url).path.lstrip("/") or "raptorflow"
    return f"{base}_{suffix}"


def manage(args: list[str], database_url: str, check: bool = True) -> float:
    """Run ``manage.py args`` in a subprocess; returns its wall time in seconds.

    With ``check=False`` a failing command is timed too; its last output line is kept in ``FAILURES``.
    """
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=os.environ.get("SECRET_KEY") or "bench")
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(REPO_ROOT / "manage.py"), *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0 and not check:
        FAILURES.append(f"manage.py {' '.join(args)} exited {result.returncode}: {result.stdout.strip().splitlines()[-1:]}")
    elif result.returncode != 0:
        raise SystemExit(f"bench: manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def prepare(url: str) -> tuple[str, str, float]:
    """Fresh ``<name>_bench``: login web role, migrated as the owner. Returns (owner URL, web URL, migrate seconds)."""
    name = bench_name(url)
    target = recreate_database(url, name)
    manage(["provision_roles", "--login", WEB_ROLE, "--password", WEB_PASSWORD, "-v", "0"], target)
    seconds = manage(["migrate", "--no-input", "-v", "0"], target)
    return target, with_database(url, name, WEB_ROLE, WEB_PASSWORD), seconds


def startup_seconds(url: str) -> float:
    """Wall time of a manage.py that does nothing: Python + Django start-up, to subtract from the others."""
    return manage(["check", "--database", "default", "-v", "0"], url)


def time_verify(target: str, runs: int) -> list[float]:
    return [manage(["verify_schema"], target, check=False) for _ in range(runs)]
