"""The benchmark's table (printed) and docs/benchmarks.md (machine, date, preset, numbers, plans)."""

from __future__ import annotations

import os
import platform
import subprocess

TARGETS = {"rls_ratio": 1.05, "page_p50_ms": 50, "page_p95_ms": 150, "spread_vs_plain_8": 0.7,
           "migrate_s": 2.0, "verify_s": 1.0}


def machine(conn) -> dict:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram = "?"
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    version = conn.execute("SELECT version()").fetchone()[0]
    settings = dict(conn.execute(
        "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name IN "
        "('shared_buffers', 'work_mem', 'synchronous_commit', 'max_connections')"
    ).fetchall())
    return {"cpu": cpu, "cores": os.cpu_count(), "ram": ram, "postgres": version, "settings": settings,
            "python": platform.python_version(), "os": platform.platform()}


def commit_id() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
                             cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "bench", "raptorflow", "agents", "alerts",
                                "campaigns", "gamification", "intelligence"], capture_output=True, text=True,
                               cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))).stdout.strip()
        return out.stdout.strip() + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


def tables(r: dict) -> str:
    out = []
    t = TARGETS
    out.append("### 1. RLS overhead (web role under RLS vs. superuser owner with explicit `WHERE workspace_id`)\n")
    out.append(f"Workspace 1 (the large one); each sample is the mean of {r['rls_inner']} executions, "
               f"{r['repeat']} samples per side, alternating. Target: ratio <= {t['rls_ratio']}.\n")
    out.append("| query | rows | RLS p50 ms | RLS p95 ms | owner p50 ms | owner p95 ms | ratio (p50) | target |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---|")
    for q in r["rls"]:
        out.append(f"| {q['query']} | {q['rows_rls']} | {q['rls']['p50_ms']:.3f} | {q['rls']['p95_ms']:.3f} | "
                   f"{q['owner']['p50_ms']:.3f} | {q['owner']['p95_ms']:.3f} | {q['ratio']:.2f} | "
                   f"{mark(q['ratio'] <= t['rls_ratio'])} |")
    out.append("")
    out.append("### 2. Pages through Django's test client (in-process, web role, large workspace)\n")
    out.append(f"{r['page_repeat']} timed requests per row after 2 warm-up requests; queries counted with "
               f"CaptureQueriesContext (session, membership and context queries included). "
               f"Targets: p50 <= {t['page_p50_ms']} ms, p95 <= {t['page_p95_ms']} ms, same query count at both page sizes.\n")
    out.append("| page | page size | SQL queries | p50 ms | p95 ms | target |")
    out.append("|---|---:|---:|---:|---:|---|")
    counts = {}
    for p in r["pages"]:
        counts.setdefault(p["page"], set()).add(p["queries"])
    for p in r["pages"]:
        ok = p["p50_ms"] <= t["page_p50_ms"] and p["p95_ms"] <= t["page_p95_ms"] and len(counts[p["page"]]) == 1
        out.append(f"| {p['page']} | {p['page_size'] or '-'} | {p['queries']} | {p['p50_ms']:.1f} | {p['p95_ms']:.1f} | {mark(ok)} |")
    out.append("")
    out.append("Slowest SQL per page (largest page size, one request):\n")
    seen = set()
    for p in reversed(r["pages"]):
        if p["page"] in seen or not p.get("slowest_sql"):
            continue
        seen.add(p["page"])
        ms, sql = p["slowest_sql"][0]
        out.append(f"- {p['page']}: {ms:.0f} ms `{sql[:220].replace('`', '')}...`")
    out.append("")
    out.append("### 3. record_agent_execution under concurrency (one transaction per call, web role)\n")
    w = r["writes"]
    out.append(f"Each level runs {r['write_seconds']:.1f} s per mode. plain = single-row INSERT into an unconstrained "
               f"table; spread = random (workspace, agent) bucket of {r['sizes']['workspaces']:,} x agents; "
               f"hot = every call on one (workspace, agent, day) row. Target: spread >= {t['spread_vs_plain_8']}x plain at 8 clients.\n")
    out.append("| clients | plain calls/s | spread calls/s | spread / plain | hot calls/s | hot / plain |")
    out.append("|---:|---:|---:|---:|---:|---:|")
    by = {(x["mode"], x["clients"]): x for x in w["rows"]}
    for clients in sorted({x["clients"] for x in w["rows"]}):
        plain, spread, hot = by[("plain", clients)], by[("spread", clients)], by[("hot", clients)]
        out.append(f"| {clients} | {plain['rate']:.0f} | {spread['rate']:.0f} | {spread['rate'] / plain['rate']:.2f} | "
                   f"{hot['rate']:.0f} | {hot['rate'] / plain['rate']:.2f} |")
    c = w["check"]
    out.append("")
    out.append(f"Totals check: {c['expected_calls']:,} calls, {c['recorded_delta']:,} executions recorded; "
               f"{c['plain_expected']:,} plain inserts, {c['plain_rows']:,} rows; "
               f"**{'exact' if c['exact'] else 'MISMATCH'}**, errors: {len(c['errors'])}"
               + (f" (first: {c['errors'][0]})" if c["errors"] else "") + ".")
    spread8 = by.get(("spread", 8)), by.get(("plain", 8))
    if all(spread8):
        ratio = spread8[0]["rate"] / spread8[1]["rate"]
        out.append(f"Spread vs plain at 8 clients: {ratio:.2f}x ({mark(ratio >= t['spread_vs_plain_8'])}).")
    out.append("")
    out.append("### 4. Schema commands (subprocess wall time, Python and Django start-up included)\n")
    s = r["schema"]
    out.append(f"A `manage.py check` (start-up alone) takes {s['startup_s']:.2f} s here.\n")
    out.append("| command | runs | median s | max s | minus start-up s | target |")
    out.append("|---|---:|---:|---:|---:|---|")
    for key, label, target in (("migrate", "full `migrate` on an empty database", t["migrate_s"]),
                               ("verify", "`verify_schema` (loaded database)", t["verify_s"])):
        times = sorted(s[key])
        med = times[len(times) // 2]
        out.append(f"| {label} | {len(times)} | {med:.2f} | {times[-1]:.2f} | {med - s['startup_s']:.2f} | "
                   f"{target} s: {mark(med <= target)} (net of start-up: {mark(med - s['startup_s'] <= target)}) |")
    for failure in s.get("failures", []):
        out.append(f"Note: {failure} (timed anyway; the schema of the committed code at this run).")
    out.append("")
    return "\n".join(out)


def document(r: dict) -> str:
    m = r["machine"]
    head = f"""# Benchmarks

Run it with one command (embedded PostgreSQL, or the server of `DATABASE_URL`, whose role must be a superuser):

    python manage.py bench --preset small     # about a minute: 50 workspaces, 20k rows per big table
    python manage.py bench --preset full      # the issue's sizes: 1,000 workspaces, 1M rows per big table
    python manage.py bench --workspaces 200 --rows 300000 --repeat 30 --output /tmp/bench.md

It builds its own database `<name>_bench` (dropped and recreated each run) with a login web role
(`raptorflow_bench_web`, RLS-bound, not the owner), migrates it as the owner, loads the data with set-based
SQL (generate_series) as the owner, runs VACUUM (ANALYZE), measures, prints the tables below and writes this
file (or `--output`). The loader needs a **superuser** owner: the tables use FORCE ROW LEVEL SECURITY, which
binds a plain owner too; every CHECK, composite key and trigger stays on (the alert trigger notifies each
workspace's owner and admin of its error/critical alerts during the load, as in production). It refuses to run
with a clear message otherwise.

## Last run

- Date: {r['date']}; commit {r['commit']}
- Preset: **{r['preset']}**: {r['sizes_text']}
- Load time: {r['load_seconds']:.0f} s; whole run: {r['total_seconds']:.0f} s
- Machine: {m['cpu']}, {m['cores']} cores, {m['ram']} RAM; {m['os']}; Python {m['python']}
- PostgreSQL: {m['postgres']}; {', '.join(f'{k}={v}' for k, v in sorted(m['settings'].items()))}
- Client and server share the machine's cores: in-process Django rendering and the 32 client threads compete with PostgreSQL.

"""
    plans = ["## EXPLAIN (ANALYZE, BUFFERS) of the main queries under RLS (web role, workspace 1)\n"]
    for name, (sql, plan) in r["plans"].items():
        plans.append(f"### {name}\n\n```sql\n{sql}\n```\n\n```\n{plan}\n```\n")
    return head + tables(r) + "\n" + r.get("notes", "") + "\n" + "\n".join(plans)
