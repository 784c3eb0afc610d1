"""record_agent_execution under concurrency, against plain single-row INSERTs.

Each client is a thread with its own psycopg connection as the web role; every
call is one transaction shaped like a request: set the workspace with
set_config (transaction-local), call, commit. ``spread`` picks a random
(workspace, agent) bucket per call; ``hot`` sends every call to one bucket
(workspace 1, first agent). The baseline INSERTs one row into
``bench_plain_inserts`` (no key, no index, no constraint, no RLS) in the same
transaction shape.

The machine is shared, so its load drifts during a run: each level runs the
three modes in ``ROUNDS`` interleaved rounds (plain, spread, hot, plain, ...),
each round a third of the level's seconds per mode, and a mode's rate is its
calls over its seconds summed across the rounds.

record_agent_execution appends to the log (agent_executions) since issue 19.
Afterwards the executions of the day are counted three ways, each of which must
equal the calls made: through agent_performance_live (buckets plus log, what
readers read), then after agent_executions_roll_up() (timed: the roll-up of
everything the run logged) in agent_performance alone, and in the live view again.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timezone

import psycopg

from tools.bench.clients import run_clients
from tools.bench.load import WS, bid

ROUNDS = 3

PLAIN_TABLE = """
CREATE TABLE IF NOT EXISTS bench_plain_inserts (workspace_id uuid, agent_id uuid, success boolean, duration_ms integer, at timestamptz);
GRANT INSERT ON bench_plain_inserts TO {role};
"""


def measure(owner_url, web_url, workspaces, web_role, levels=(1, 8, 32), seconds=3.0) -> dict:
    executed_at = datetime.now(timezone.utc).replace(microsecond=0)
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute(PLAIN_TABLE.format(role=web_role))
        conn.execute("TRUNCATE bench_plain_inserts")
        agents = [str(r[0]) for r in conn.execute("SELECT id FROM agent_registry WHERE is_active ORDER BY slug")]

        def recorded(table="agent_performance_live"):
            return conn.execute(
                f"SELECT coalesce(sum(executions), 0) FROM {table} WHERE day = %s::date", [executed_at.date()]
            ).fetchone()[0]

        def roll_up():
            started = time.perf_counter()
            moved, buckets, dropped = conn.execute("SELECT * FROM agent_executions_roll_up()").fetchone()
            return {"seconds": time.perf_counter() - started, "executions": moved, "buckets": buckets, "dropped": dropped}

        def plain_rows():
            return conn.execute("SELECT count(*) FROM bench_plain_inserts").fetchone()[0]

        rows = []
        check = {"expected_calls": 0, "recorded_delta": 0, "plain_expected": 0, "plain_rows": 0}
        roll_up()  # anything logged before the run, so the timed roll-up below is this run's
        before = recorded("agent_performance")
        for clients in levels:
            by_mode = {}
            for _ in range(ROUNDS):
                for mode in ("plain", "spread", "hot"):
                    result = _run(web_url, mode, clients, seconds / ROUNDS, workspaces, agents, executed_at)
                    total = by_mode.setdefault(mode, {"mode": mode, "clients": clients, "calls": 0, "seconds": 0.0,
                                                      "errors": [], "rounds": []})
                    total["calls"] += result["calls"]
                    total["seconds"] += result["seconds"]
                    total["errors"] += result["errors"]
                    total["rounds"].append(round(result["rate"], 1))
                    if mode == "plain":
                        check["plain_expected"] += result["calls"]
                    else:
                        check["expected_calls"] += result["calls"]
            for total in by_mode.values():
                total["rate"] = total["calls"] / total["seconds"] if total["seconds"] else 0.0
                rows.append(total)
        check["live_delta"] = recorded() - before
        check["roll_up"] = roll_up()
        check["recorded_delta"] = recorded("agent_performance") - before
        check["live_after_roll_up_delta"] = recorded() - before
        check["plain_rows"] = plain_rows()
        conn.execute("DROP TABLE bench_plain_inserts")
    check["exact"] = (
        check["live_delta"] == check["recorded_delta"] == check["live_after_roll_up_delta"] == check["expected_calls"]
        and check["plain_rows"] == check["plain_expected"]
    )
    check["errors"] = [e for r in rows for e in r["errors"]]
    return {"rows": rows, "check": check, "rounds": ROUNDS}


class _Deadline:
    def __init__(self):
        self.value = float("inf")


def _run(web_url, mode, clients, seconds, workspaces, agents, executed_at) -> dict:
    counts = [0] * clients
    deadline = _Deadline()

    def work(index, conn):
        rng = random.Random(index)
        while time.perf_counter() < deadline.value:
            if mode == "hot":
                ws, agent = bid(WS, 1), agents[0]
            else:
                ws, agent = bid(WS, rng.randint(1, workspaces)), rng.choice(agents)
            with conn.transaction():
                conn.execute("SELECT set_config('app.current_workspace_id', %s, true)", [ws])
                if mode == "plain":
                    conn.execute("INSERT INTO bench_plain_inserts VALUES (%s, %s, true, %s, %s)",
                                 [ws, agent, 120, executed_at])
                else:
                    conn.execute("SELECT 1 FROM record_agent_execution(%s, true, %s, 100, 0.001, NULL, %s)",
                                 [agent, 120 + counts[index] % 500, executed_at])
            counts[index] += 1

    def released(at):
        deadline.value = at + seconds

    elapsed, errors = run_clients(web_url, clients, work, released)
    return {"mode": mode, "clients": clients, "calls": sum(counts), "seconds": elapsed,
            "rate": sum(counts) / elapsed if elapsed else 0.0, "errors": errors}
