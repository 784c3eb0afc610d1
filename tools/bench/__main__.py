"""``python -m tools.bench`` (``make bench``): load data at scale, measure, print and write docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import argparse

import psycopg

from tools.bench import gamification, load, migrate, report, rls, setup, web, writes
from tools import dev as devtools
from tools.embedded import REPO_ROOT

NOTES_FILE = Path(__file__).resolve().parent / "NOTES.md"


class BenchError(SystemExit):
    """A run that cannot go on or whose checks failed: its message on stderr, exit status 1."""

    def __init__(self, message: str):
        super().__init__(f"bench: {message}")


HELP = ("Benchmark: RLS overhead, admin/marketer pages, record_agent_execution concurrency, migrate/verify timings,"
        " migrate against psql, quest completion with and without the gamification trigger.")


def log(line: str) -> None:
    print(line, flush=True)


def add_arguments(parser):
    parser.add_argument("--preset", choices=["small", "full"], default="small")
    parser.add_argument("--workspaces", type=int, help="number of workspaces (overrides the preset)")
    parser.add_argument("--rows", type=int, help="rows per big table (campaigns and notifications: a fifth)")
    for table in ("agent_performance", "system_alerts", "campaigns", "intelligence_signals", "notifications"):
        parser.add_argument(f"--{table.replace('_', '-')}", type=int, dest=table, help=f"rows of {table}")
    parser.add_argument("--repeat", type=int, default=None, help="samples per measurement (default 30 small, 50 full)")
    parser.add_argument("--write-seconds", type=float, default=None, help="seconds per concurrency level and mode")
    parser.add_argument("--clients", default="1,8,32", help="concurrency levels, comma-separated")
    parser.add_argument("--output", help="write the report here instead of docs/benchmarks.md")
    parser.add_argument("--name", help="name of the bench database (default <name>_bench; dropped and recreated)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")


def handle(**o):
    started = time.perf_counter()
    sizes = load.Sizes.preset(o["preset"]).scaled(rows=o["rows"], workspaces=o["workspaces"])
    for table in ("agent_performance", "system_alerts", "campaigns", "intelligence_signals", "notifications"):
        if o.get(table):
            setattr(sizes, table, o[table])
    if sizes.workspaces < 3:
        raise BenchError("--workspaces must be at least 3 (the large one, the small one and others)")
    repeat = o["repeat"] or (50 if o["preset"] == "full" else 30)
    write_seconds = o["write_seconds"] or (3.0 if o["preset"] == "full" else 1.5)
    levels = [int(x) for x in o["clients"].split(",") if x.strip()]
    output = Path(o["output"]) if o["output"] else REPO_ROOT / "docs" / "benchmarks.md"

    url = devtools.owner_url()
    setup.NAME = o["name"]
    with psycopg.connect(url, autocommit=True) as conn:
        load.require_superuser(conn)
    log(f"bench: {sizes.describe()}")
    log("bench: creating and migrating the bench database")
    owner_url, web_url, first_migrate = setup.prepare(url)
    try:
        result = measure(owner_url, web_url, url, sizes, repeat, write_seconds, levels, first_migrate, log)
    finally:
        if not o["keep"]:
            setup.drop_database(url, setup.bench_name(url))
    result.update(
        preset=o["preset"] if not (o["rows"] or o["workspaces"]) else f"{o['preset']} (custom sizes)",
        sizes=asdict(sizes), sizes_text=sizes.describe(), repeat=repeat, page_repeat=repeat,
        write_seconds=write_seconds, total_seconds=time.perf_counter() - started,
        date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), commit=report.commit_id(),
        notes=NOTES_FILE.read_text() if NOTES_FILE.exists() else "",
    )
    log("")
    log(report.tables(result))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report.document(result))
    log(f"bench: report written to {output}")
    if not result["writes"]["check"]["exact"] or result["writes"]["check"]["errors"]:
        raise BenchError(f"record_agent_execution totals are not exact: {result['writes']['check']}")
    if not result["gamification"]["check"]["exact"] or result["gamification"]["check"]["errors"]:
        raise BenchError(f"gamification totals are not exact: {result['gamification']['check']}")

def measure(owner_url, web_url, url, sizes, repeat, write_seconds, levels, first_migrate, log) -> dict:
    result = {"rls_inner": 20}
    with psycopg.connect(owner_url, autocommit=True) as conn:
        t = time.perf_counter()
        load.load(conn, sizes, log=log)
        result["load_seconds"] = time.perf_counter() - t
        result["machine"] = report.machine(conn)
        p = rls.params(conn)
    result["load_average"] = [os.getloadavg()[0]]

    log("bench: RLS overhead")
    with psycopg.connect(owner_url) as owner_conn, psycopg.connect(web_url) as web_conn:
        result["rls"] = rls.measure(owner_conn, web_conn, p, repeat, inner=result["rls_inner"])
        result["plans"] = rls.explain(web_conn, p)

    log("bench: pages through the test client")
    config = {"workspaces": web.users(sizes), "repeat": repeat}  # the large and the small workspace
    env = dict(os.environ, DATABASE_URL=web_url, SECRET_KEY=os.environ.get("SECRET_KEY") or "bench",
               ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="False", SESSION_COOKIE_SECURE="False",
               CSRF_COOKIE_SECURE="False", DEBUG="False", LOG_LEVEL="WARNING")
    proc = subprocess.run([sys.executable, "-m", "tools.bench.web", json.dumps(config)], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise BenchError(f"tools.bench.web failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    result["pages"] = json.loads(proc.stdout.strip().splitlines()[-1])

    log("bench: record_agent_execution concurrency")
    result["writes"] = writes.measure(owner_url, web_url, sizes.workspaces, setup.WEB_ROLE, levels, write_seconds)

    log("bench: quest completion with and without the gamification trigger")
    result["gamification"] = gamification.measure(owner_url, web_url, setup.WEB_ROLE, sizes.workspaces,
                                                  n=max(100, repeat * 40), log=log)

    log("bench: migrate against psql applying the schema-only dump")
    result["migrate_vs_psql"] = migrate.measure(url, max(1, min(5, repeat // 10)), log=log)

    result["load_average"].append(os.getloadavg()[0])

    log("bench: verify_schema timings")
    runs = max(1, min(3, repeat // 10))
    result["schema"] = {
        "startup_s": min(setup.startup_seconds(owner_url) for _ in range(2)),
        "migrate": [first_migrate, *result["migrate_vs_psql"]["times"]["migrate"]],
        "verify": setup.time_verify(owner_url, runs),
        "failures": sorted(set(setup.FAILURES)),
    }
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=HELP)
    add_arguments(parser)
    handle(**vars(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
