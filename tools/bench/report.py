"""The benchmark's table (printed) and docs/benchmarks.md (machine, date, preset, numbers, plans)."""

from __future__ import annotations

import os
import platform
import subprocess

TARGETS = {"rls_ratio": 1.05, "page_ratio": 1.5, "record_vs_plain": 0.8,
           "migrate_s": 2.0, "verify_s": 1.0, "migrate_vs_psql": 4.0, "quest_trigger_ratio": 1.5}


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
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "tools", "raptorflow", "agents", "alerts",
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
    out.extend(pages(r))
    out.append("### 3. record_agent_execution under concurrency (one transaction per call, web role)\n")
    w = r["writes"]
    rounds = w.get("rounds", 1)
    out.append(f"Each level runs {rounds} interleaved round(s) of {r['write_seconds']:.1f} s per mode (the rate is over "
               f"all rounds). plain = single-row INSERT into an unconstrained table; spread = random (workspace, agent) "
               f"bucket of {r['sizes']['workspaces']:,} x agents; hot = every call on one (workspace, agent, day). "
               f"record_agent_execution appends to the log agent_executions; agent_executions_roll_up() moves it into "
               f"agent_performance; readers read agent_performance_live (buckets plus log). "
               f"Target: spread and hot >= {t['record_vs_plain']}x plain at 8 and 32 clients.\n")
    out.append("| clients | plain calls/s | spread calls/s | spread / plain | hot calls/s | hot / plain | target |")
    out.append("|---:|---:|---:|---:|---:|---:|---|")
    by = {(x["mode"], x["clients"]): x for x in w["rows"]}
    for clients in sorted({x["clients"] for x in w["rows"]}):
        plain, spread, hot = by[("plain", clients)], by[("spread", clients)], by[("hot", clients)]
        ratios = spread["rate"] / plain["rate"], hot["rate"] / plain["rate"]
        verdict = mark(min(ratios) >= t["record_vs_plain"]) if clients in (8, 32) else "-"
        out.append(f"| {clients} | {plain['rate']:.0f} | {spread['rate']:.0f} | {ratios[0]:.2f} | "
                   f"{hot['rate']:.0f} | {ratios[1]:.2f} | {verdict} |")
    c = w["check"]
    out.append("")
    out.append(f"Totals check: {c['expected_calls']:,} calls; executions seen through agent_performance_live before "
               f"the roll-up {c.get('live_delta', c['recorded_delta']):,}, in agent_performance after it "
               f"{c['recorded_delta']:,}, through the view again {c.get('live_after_roll_up_delta', c['recorded_delta']):,}; "
               f"{c['plain_expected']:,} plain inserts, {c['plain_rows']:,} rows; "
               f"**{'exact' if c['exact'] else 'MISMATCH'}**, errors: {len(c['errors'])}"
               + (f" (first: {c['errors'][0]})" if c["errors"] else "") + ".")
    if c.get("roll_up"):
        ru = c["roll_up"]
        out.append(f"The roll-up after the run moved {ru['executions']:,} executions into {ru['buckets']:,} buckets "
                   f"in {ru['seconds']:.2f} s ({ru['dropped']:,} dropped).")
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
    if "migrate_vs_psql" in r:
        out.extend(migrate_vs_psql(r["migrate_vs_psql"]))
    if "gamification" in r:
        out.extend(gamification(r["gamification"]))
    return "\n".join(out)


def page_rows(pages: list[dict]) -> list[dict]:
    """One row per page and page size: the large and the small workspace side by side (issue 19, flat pages).

    Runs of ``tools.bench.web`` before the small workspace (no ``workspace`` key) give rows without a small side.
    """
    rows, index = [], {}
    for p in pages:
        key = (p["page"], p["page_size"])
        if key not in index:
            index[key] = {"page": p["page"], "page_size": p["page_size"], "large": None, "small": None}
            rows.append(index[key])
        index[key][p.get("workspace", "large")] = p
    for row in rows:
        large, small = row["large"], row["small"]
        row["ratio"] = large["p50_ms"] / small["p50_ms"] if large and small and small["p50_ms"] else None
        row["same_queries"] = bool(large and small and large["queries"] == small["queries"])
        row["met"] = row["ratio"] is not None and row["ratio"] <= TARGETS["page_ratio"] and row["same_queries"]
    return rows


def pages(r: dict) -> list[str]:
    t = TARGETS["page_ratio"]
    sizes = r["sizes"]
    small_share = sizes.get("small_share", 0.001)
    out = ["### 2. Pages through Django's test client (in-process, web role): the large workspace against the small one\n"]
    out.append(
        f"Every page in the large workspace (workspace 1, {sizes['large_share']:.0%} of each big table) and in the small "
        f"one (workspace {sizes['workspaces']}, {small_share:.1%}), each signed in as that workspace's admin (staff) or "
        f"marketer; {r['page_repeat']} timed requests per side after 2 warm-up requests each, the two sides alternating "
        "request by request; queries counted with CaptureQueriesContext on one more request (session, membership and "
        f"context queries included). Target (flat pages): large p50 <= {t:g}x small p50, and the same query count in "
        "both workspaces and at both page sizes. Absolute milliseconds depend on the machine and its load; the ratio "
        "is measured side by side.\n"
    )
    out.append("| page | page size | SQL queries large | SQL queries small | same count | large p50 ms | large p95 ms "
               "| small p50 ms | small p95 ms | large / small (p50) | target |")
    out.append("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|")
    rows = page_rows(r["pages"])
    counts = {}
    for row in rows:
        for side in (row["large"], row["small"]):
            if side:
                counts.setdefault(row["page"], set()).add(side["queries"])
    for row in rows:
        large, small = row["large"], row["small"]
        same = row["same_queries"] and len(counts[row["page"]]) == 1
        cells = [row["page"], str(row["page_size"] or "-"),
                 str(large["queries"]) if large else "-", str(small["queries"]) if small else "-",
                 "yes" if same else "NO",
                 f"{large['p50_ms']:.1f}" if large else "-", f"{large['p95_ms']:.1f}" if large else "-",
                 f"{small['p50_ms']:.1f}" if small else "-", f"{small['p95_ms']:.1f}" if small else "-",
                 f"**{row['ratio']:.2f}x**" if row["ratio"] is not None else "-", mark(row["met"] and same)]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    met = sum(1 for row in rows if row["met"])
    out.append(f"Flat pages: {met} of {len(rows)} rows within {t:g}x with the same query count.\n")
    out.append("Slowest SQL per page (largest page size, one request in each workspace):\n")
    seen = set()
    for row in reversed(rows):
        if row["page"] in seen:
            continue
        seen.add(row["page"])
        for side in ("large", "small"):
            p = row[side]
            if p and p.get("slowest_sql"):
                ms, sql = p["slowest_sql"][0]
                out.append(f"- {p['page']} ({side}): {ms:.0f} ms `{sql[:220].replace('`', '')}...`")
    out.append("")
    return out


def _seconds(values) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def migrate_vs_psql(m: dict) -> list[str]:
    t = TARGETS["migrate_vs_psql"]
    med, times = m["median"], m["times"]
    out = ["### 5. Full `migrate` against `psql` applying the schema-only dump of its result (issue 16)\n"]
    out.append(
        f"{m['runs']} round(s) on the same server, interleaved (after the first, psql runs first): "
        "`manage.py migrate --no-input -v 2` into an empty database (a subprocess as the owner, wall time; "
        "\"Django\" is the \"Total migration time\" it prints, without Python and Django start-up); "
        f"`pg_dump --schema-only` of the result ({m['dump'].get('lines', 0):,} lines, "
        f"{m['dump'].get('bytes', 0) / 1024:.0f} KiB); `psql` applying it to an empty database, as `psql -f` runs it "
        "(each statement commits on its own) and with `--single-transaction` (one commit). The dump holds the schema "
        "only; migrate also writes the agent registry, content types, permissions and its own bookkeeping. "
        f"Target: migrate <= {t:g}x psql.\n"
    )
    out.append("| side | median s | each run s |")
    out.append("|---|---:|---|")
    for key, label in (("migrate", "`migrate` (wall time)"), ("django_total", "`migrate`, Django's \"Total migration time\""),
                       ("psql", "`psql -f schema.sql`"), ("psql_single", "`psql --single-transaction -f schema.sql`")):
        out.append(f"| {label} | {med[key]:.2f} | {_seconds(times[key])} |")
    out.append("")
    out.append("| ratio of medians | against `psql -f` | against `psql --single-transaction` |")
    out.append("|---|---:|---:|")
    out.append(f"| `migrate` wall time | **{m['ratio']:.1f}x** ({mark(m['ratio'] <= t)}) | "
               f"**{m['ratio_single']:.1f}x** ({mark(m['ratio_single'] <= t)}) |")
    out.append(f"| Django's total (no start-up) | {m['ratio_django']:.1f}x ({mark(m['ratio_django'] <= t)}) | "
               f"{m['ratio_django_single']:.1f}x ({mark(m['ratio_django_single'] <= t)}) |")
    out.append("")
    rounds = list(zip(times["migrate"], times["psql"], times["psql_single"]))
    out.append("Each round's own ratio, migrate wall time / `psql -f`: "
               + ", ".join(f"{a / b:.1f}" for a, b, _ in rounds) + "; / `psql --single-transaction`: "
               + ", ".join(f"{a / c:.1f}" for a, _, c in rounds) + ".\n")
    p = m.get("profile")
    if p:
        phases, labels = p["phases"], p["labels"]
        total = p["wall_s"]
        out.append(f"Where migrate's time goes: one more full migrate, instrumented (`tools/bench/migrate_profile.py`: each moment "
                   f"charged to the innermost phase running), {total:.2f} s wall time:\n")
        out.append("| phase | s | share |")
        out.append("|---|---:|---:|")
        rows = [(labels[k], v) for k, v in phases.items()]
        rows.append(("Python interpreter start and exit", max(total - p["in_process_s"], 0.0)))
        for label, value in sorted(rows, key=lambda x: -x[1]):
            out.append(f"| {label} | {value:.2f} | {value / total:.0%} |")
        out.append("")
    return out


def gamification(g: dict) -> list[str]:
    t = TARGETS["quest_trigger_ratio"]
    single, check = g["single"], g["check"]
    out = ["### 6. Quest completion with the gamification trigger against the same UPDATE without it (issue 15)\n"]
    out.append(
        "One transaction per completion as the web role under RLS, as `complete_quest` in a request: set the workspace "
        "and the actor (the workspace's marketer), `UPDATE campaign_quests SET status = 'completed', completed_at, "
        "updated_at WHERE id`; every quest completed for the first time. The client's SQL is the same in every mode. "
        "*without*: the owner disabled `campaign_quests_gamification_event` (RLS, CHECKs, keys and the other triggers "
        "stay); *no actor*: trigger on, `app.current_user_id` empty (it fires and returns at once); *with*: trigger on "
        "and an actor (`record_gamification_event`: lock the member's `user_stats` row, insert the event, streak, "
        "the three quest_completed achievements each workspace has, the quest's xp). "
        f"One client, {g['n']:,} completions per mode in {g['blocks']} interleaved blocks (quests of workspaces 2..W "
        f"in turn), wall time per transaction including the commit. Target: with <= {t:g}x without.\n"
    )
    out.append("| mode | completions | p50 ms | p95 ms | mean ms | p50 / without |")
    out.append("|---|---:|---:|---:|---:|---:|")
    base = single["without"]["p50_ms"]
    for mode, label in (("without", "without the trigger"), ("no actor", "trigger, no actor"),
                        ("with", "trigger and actor (credit path)")):
        x = single[mode]
        out.append(f"| {label} | {x['n']:,} | {x['p50_ms']:.3f} | {x['p95_ms']:.3f} | {x['mean_ms']:.3f} | "
                   f"{x['p50_ms'] / base:.2f} |")
    out.append("")
    out.append(f"With / without at one client: **{g['ratio']:.2f}x** at p50 (mean {g['mean_ratio']:.2f}x): "
               f"{mark(g['ratio'] <= t)} (target <= {t:g}x).\n")
    f = g.get("functions")
    if f and f["rows"]:
        out.append(f"Where the trigger's time goes: {f['completions']} more completions with `track_functions = all` "
                   "(per completion; total includes the functions it calls, self does not; the SQL a function runs "
                   "counts in its self time, the key checks and index updates of its writes too):\n")
        out.append("| function | calls | total ms | self ms |")
        out.append("|---|---:|---:|---:|")
        for name, x in sorted(f["rows"].items(), key=lambda kv: -kv[1]["total_ms"]):
            out.append(f"| `{name}` | {x['calls']:.2f} | {x['total_ms']:.3f} | {x['self_ms']:.3f} |")
        out.append("")
    out.append(f"At {g['clients']} clients, each completing the same number of quests in both modes: *separate* members "
               f"(client i completes quests of workspaces 2+i, 2+i+{g['clients']}, ... as each one's marketer) or *one hot "
               "member* (every client completes quests of workspace 1 as its marketer: they queue on that member's "
               "`user_stats` row lock).\n")
    out.append("| clients | members | completions per mode | without: completions/s | with: completions/s | with / without (throughput) |")
    out.append("|---:|---|---:|---:|---:|---:|")
    by = {(x["members"], x["mode"]): x for x in g["concurrent"]}
    for members, label in (("separate", "separate"), ("hot", "one hot member")):
        off, on = by[(members, "without")], by[(members, "with")]
        share = f"{on['rate'] / off['rate']:.2f}" if off["rate"] and on["calls"] else "-"
        out.append(f"| {g['clients']} | {label} | {on['calls']:,} | {off['rate']:.0f} | {on['rate']:.0f} | {share} |")
    out.append("")
    late = g.get("hot_late")
    if late:
        out.append(f"Afterwards, one client, {late['n']} more completions by the hot member, whose event log then held "
                   f"{late['history']:,} events: p50 **{late['p50_ms']:.3f} ms** (mean {late['mean_ms']:.3f} ms), against "
                   f"{single['with']['p50_ms']:.3f} ms above for members with a short log.\n")
    out.append(f"Totals check: {check['credited']:,} completions with the trigger and an actor; "
               f"{check['events']:,} quest_completed events recorded; user_stats.quests_completed grew by "
               f"{check['quests_completed']:,}; **{'exact' if check['exact'] else 'MISMATCH'}**, errors: "
               f"{len(check['errors'])}" + (f" (first: {check['errors'][0]})" if check["errors"] else "")
               + f". The hot member ended with {check['hot_member_events']:,} events.")
    out.append("")
    return out


def contention(r: dict) -> str:
    """How busy the machine was: other work on it slows every absolute number (ratios measured side by side less so)."""
    loads = r.get("load_average")
    if not loads:
        return ""
    startup = r.get("schema", {}).get("startup_s")
    text = (f"- Machine load (1-minute load average, {r['machine']['cores']} cores): {loads[0]:.1f} when measuring began, "
            f"{loads[-1]:.1f} at the end")
    if startup:
        text += f"; a `manage.py check` took {startup:.2f} s (about 0.3 to 0.4 s on an idle machine)"
    return text + "."


def document(r: dict) -> str:
    m = r["machine"]
    head = f"""# Benchmarks

Run it with one command (embedded PostgreSQL, or the server of `DATABASE_URL`, whose role must be a superuser):

    python -m tools.bench --preset small     # about a minute: 50 workspaces, 20k rows per big table
    python -m tools.bench --preset full      # the issue's sizes: 1,000 workspaces, 1M rows per big table
    python -m tools.bench --workspaces 200 --rows 300000 --repeat 30 --output /tmp/bench.md

It builds its own database `<name>_bench` (dropped and recreated each run) with a login web role
(`raptorflow_bench_web`, RLS-bound, not the owner), migrates it as the owner, loads the data with set-based
SQL (generate_series) as the owner, runs VACUUM (ANALYZE), measures, prints the tables below and writes this
file (or `--output`). Section 5 migrates and restores into two more empty databases of its own,
`<name>_bench_migrate` and `<name>_bench_restore`, dropped afterwards. The loader needs a **superuser** owner: the tables use FORCE ROW LEVEL SECURITY, which
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
{contention(r)}

"""
    plans = ["## EXPLAIN (ANALYZE, BUFFERS) of the main queries under RLS (web role, workspace 1)\n"]
    for name, (sql, plan) in r["plans"].items():
        plans.append(f"### {name}\n\n```sql\n{sql}\n```\n\n```\n{plan}\n```\n")
    return head + tables(r) + "\n" + r.get("notes", "") + "\n" + "\n".join(plans)
