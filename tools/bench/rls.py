"""RLS overhead: each main list query as the web role under RLS vs. as the superuser owner with an explicit filter.

Both sides run the same SQL text apart from the workspace condition: the RLS
side relies on the policies (context set with set_config, transaction-local,
as the middleware does); the owner side (a superuser: no RLS) says
``workspace_id = %(ws)s`` itself. Samples alternate between the two so drift
hits both; each sample is the mean of ``inner`` executions.
"""

from __future__ import annotations

import statistics
import time

from tools.bench.load import USER, WS, bid, user_index
from tools.stats import latency_summary

# name -> (RLS-side SQL, owner-side SQL); %(agent)s, %(user)s, %(ws)s are parameters.
QUERIES = {
    # RLS alone: since alerts 0005 the app role's one SELECT policy on system_alerts is the
    # workspace equality (platform-wide alerts are read through platform_system_alerts()),
    # so the policy is an index condition and the page walks system_alerts_ws_status_idx in
    # order. Before, the platform-wide read policy (workspace_id IS NULL) ORed into it: a
    # BitmapOr plus a sort of all the workspace's open alerts (docs/performance-alerts.md).
    "latest open alerts, RLS only (50)": (
        "SELECT * FROM system_alerts WHERE status = 'open' ORDER BY last_seen_at DESC LIMIT 50",
        "SELECT * FROM system_alerts WHERE workspace_id = %(ws)s AND status = 'open' ORDER BY last_seen_at DESC LIMIT 50",
    ),
    # As the admin runs it: the explicit current-workspace filter it always adds, plus RLS.
    "latest open alerts, as the admin (50)": (
        "SELECT * FROM system_alerts WHERE workspace_id = (SELECT NULLIF(current_setting('app.current_workspace_id', true), '')::uuid)"
        " AND status = 'open' ORDER BY last_seen_at DESC LIMIT 50",
        "SELECT * FROM system_alerts WHERE workspace_id = %(ws)s AND status = 'open' ORDER BY last_seen_at DESC LIMIT 50",
    ),
    "campaigns by status (50)": (
        "SELECT * FROM campaigns WHERE status = 'active' ORDER BY name LIMIT 50",
        "SELECT * FROM campaigns WHERE workspace_id = %(ws)s AND status = 'active' ORDER BY name LIMIT 50",
    ),
    "agent daily performance (30 d)": (
        "SELECT * FROM agent_performance WHERE agent_id = %(agent)s AND day > current_date - 30 ORDER BY day",
        "SELECT * FROM agent_performance WHERE workspace_id = %(ws)s AND agent_id = %(agent)s AND day > current_date - 30 ORDER BY day",
    ),
    "unread notifications (20)": (
        "SELECT * FROM user_notifications WHERE read_at IS NULL ORDER BY created_at DESC LIMIT 20",
        "SELECT * FROM user_notifications WHERE workspace_id = %(ws)s AND user_id = %(user)s AND read_at IS NULL ORDER BY created_at DESC LIMIT 20",
    ),
}


def params(conn, w: int = 1) -> dict:
    agent = conn.execute("SELECT id FROM agent_registry WHERE is_active ORDER BY slug LIMIT 1").fetchone()[0]
    return {"ws": bid(WS, w), "user": bid(USER, user_index(w, "marketer")), "agent": str(agent)}


def set_context(conn, p: dict) -> None:
    conn.execute(
        "SELECT set_config('app.current_workspace_id', %(ws)s, true), set_config('app.current_user_id', %(user)s, true)", p
    )


def _sample(conn, sql: str, p: dict, inner: int, rls: bool) -> tuple[float, int]:
    with conn.transaction():
        if rls:
            set_context(conn, p)
        started = time.perf_counter()
        for _ in range(inner):
            rows = conn.execute(sql, p).fetchall()
        elapsed = (time.perf_counter() - started) / inner
    return elapsed, len(rows)


def measure(owner_conn, web_conn, p: dict, repeat: int, inner: int = 20) -> list[dict]:
    results = []
    for name, (rls_sql, owner_sql) in QUERIES.items():
        for _ in range(3):  # warm both sides (plans cached after 5 runs by psycopg's auto-prepare)
            _sample(web_conn, rls_sql, p, inner, True)
            _sample(owner_conn, owner_sql, p, inner, False)
        rls_times, owner_times = [], []
        for _ in range(repeat):
            t, n_rls = _sample(web_conn, rls_sql, p, inner, True)
            rls_times.append(t)
            t, n_owner = _sample(owner_conn, owner_sql, p, inner, False)
            owner_times.append(t)
        results.append({
            "query": name, "rows_rls": n_rls, "rows_owner": n_owner,
            "rls": latency_summary(rls_times), "owner": latency_summary(owner_times),
            "ratio": statistics.median(rls_times) / statistics.median(owner_times),
        })
    return results




def explain(web_conn, p: dict) -> dict[str, str]:
    plans = {}
    for name, (rls_sql, _) in QUERIES.items():
        with web_conn.transaction():
            set_context(web_conn, p)
            rows = web_conn.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + rls_sql, p).fetchall()
        plans[name] = (rls_sql % {k: f"'{v}'" for k, v in p.items()}, "\n".join(r[0] for r in rows))
    return plans
