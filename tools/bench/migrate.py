"""Full ``migrate`` on an empty database against ``psql`` applying the schema-only dump of its result (issue 16).

Same server, one run, interleaved. Each round: ``manage.py migrate --no-input -v 2``
into an empty ``<name>_bench_migrate`` (a subprocess as the owner, wall time, and
the "Total migration time" our migrate prints: the command alone, without Python
and Django start-up); ``pg_dump --schema-only`` of the first result; then ``psql``
applying that dump to an empty ``<name>_bench_restore``, twice: as ``psql -f``
runs it (each statement commits on its own) and with ``--single-transaction``.
Rounds after the first run psql before migrate, so drift of a shared machine
hits both sides. migrate runs with Python's bytecode cache on (see ``_env``),
warmed by one untimed ``manage.py check``. pg_dump and psql are the ones bundled with pgserver
(PostgreSQL 16), else those on PATH.

The dump is the schema only: migrate also writes rows (the agent registry,
content types, permissions, django_migrations) that psql does not.

:mod:`tools.bench.migrate_profile` runs one more migrate in a subprocess with timers
around Django's phases: where the time goes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from tools.bench import setup
from tools.embedded import REPO_ROOT
from tools.scratch import drop_database, recreate_database, with_database

TOTAL = re.compile(r"^Total migration time: ([0-9.]+)s$", re.MULTILINE)


def program(name: str) -> str:
    """A PostgreSQL client program: pgserver's bundled one (PostgreSQL 16), else PATH."""
    try:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import pgserver

        bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"bench: no {name}: install the embedded extra (pgserver) or PostgreSQL's client programs")
    return found


# Python caches compiled modules (bytecode) unless PYTHONDONTWRITEBYTECODE is set, as it is in some shells
# and CI machines: without the cache every migrate compiles the project's ~150 modules again (about 0.2 s of
# CPU). A deployed process runs with its bytecode cached, so migrate runs so here too, the cache outside the
# work tree.
PYCACHE = Path(tempfile.gettempdir()) / "raptorflow-bench-pycache"


def _env(database_url: str) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=os.environ.get("SECRET_KEY") or "bench",
               PYTHONPYCACHEPREFIX=str(PYCACHE))
    env.pop("TEST_DATABASE_NAME", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def warm_bytecode_cache(target: str) -> None:
    """One untimed ``manage.py check``, so the first timed migrate finds the bytecode cached like the others.

    ``check`` imports everything migrate imports and connects to no database: ``target`` need not exist.
    """
    subprocess.run([sys.executable, str(REPO_ROOT / "manage.py"), "check"], env=_env(target), capture_output=True)


def run_migrate(target: str) -> tuple[float, float]:
    """``manage.py migrate -v 2`` into ``target``: (wall seconds, Django's "Total migration time")."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, str(REPO_ROOT / "manage.py"), "migrate", "--no-input", "-v", "2"],
                          env=_env(target), capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"bench: migrate failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    match = TOTAL.search(proc.stdout)
    return wall, float(match.group(1)) if match else float("nan")


def run_psql(target: str, dump: Path, single_transaction: bool) -> float:
    args = [program("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(dump), "-d", target]
    if single_transaction:
        args.insert(1, "--single-transaction")
    started = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"bench: psql -f {dump.name} failed:\n{proc.stderr[-3000:]}")
    return elapsed


def measure(url: str, runs: int, log=print) -> dict:
    """``runs`` interleaved rounds of migrate and psql (both forms), plus one instrumented migrate."""
    migrate_db, restore_db = setup.bench_name(url, "bench_migrate"), setup.bench_name(url, "bench_restore")
    times = {"migrate": [], "django_total": [], "psql": [], "psql_single": []}
    dump_info = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-migrate-") as tmp:
            dump = Path(tmp) / "schema.sql"
            warm_bytecode_cache(with_database(url, migrate_db))
            for i in range(runs):
                def migrate():
                    wall, total = run_migrate(recreate_database(url, migrate_db))
                    times["migrate"].append(wall)
                    times["django_total"].append(total)

                def psql():
                    for key, single in (("psql", False), ("psql_single", True)):
                        times[key].append(run_psql(recreate_database(url, restore_db), dump, single))

                if i == 0:
                    migrate()
                    subprocess.run([program("pg_dump"), "--schema-only", "--file", str(dump), "-d",
                                    with_database(url, migrate_db)], check=True, capture_output=True)
                    text = dump.read_text()
                    dump_info = {"lines": text.count("\n"), "bytes": len(text.encode())}
                    psql()
                else:
                    psql()
                    migrate()
                log(f"  round {i + 1}: migrate {times['migrate'][-1]:.2f} s (Django {times['django_total'][-1]:.2f} s), "
                    f"psql -f {times['psql'][-1]:.2f} s, --single-transaction {times['psql_single'][-1]:.2f} s")
        profile = _profile(recreate_database(url, migrate_db))
    finally:
        drop_database(url, migrate_db)
        drop_database(url, restore_db)
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"runs": runs, "times": times, "median": med, "dump": dump_info, "profile": profile,
            "ratio": med["migrate"] / med["psql"], "ratio_single": med["migrate"] / med["psql_single"],
            "ratio_django": med["django_total"] / med["psql"],
            "ratio_django_single": med["django_total"] / med["psql_single"]}


def _profile(target: str) -> dict:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "tools.bench.migrate_profile"], env=_env(target), cwd=REPO_ROOT,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"bench: bench.migrate_profile failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    return result
