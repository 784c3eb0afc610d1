"""Set-based data at scale, loaded as the owner with generate_series.

The tables use FORCE ROW LEVEL SECURITY, which binds their owner too; the
loader therefore needs a *superuser* owner (the embedded server's ``postgres``
is one), for which RLS does not apply. Nothing is disabled: every CHECK,
composite foreign key and trigger runs (the alert trigger notifies each
workspace's owner and admin of its error/critical alerts, as in production).

Identifiers are deterministic (``pg_temp.bid(kind, n)``), so workspace ``w``,
its users and rows can be named without lookups. Workspace 1 is the *large*
workspace: it holds ``large_share`` of every big table; the last workspace (W) is
the *small* one, with ``small_share`` of each (at least ``small_min_rows`` while
the large one holds ten times that, so that both fill a page of 100); the rest spread
evenly over workspaces 2..W-1. The page bench measures every page in both, side
by side (flat pages: the large one within 1.5x of the small one).
Achievements 6, 7 and 8 of each workspace unlock on quest_completed (count 1;
count 5 within 30 days; count 25), so a completed quest advances something;
the others are manual.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

# Kinds of the deterministic ids.
WS, USER, MEMBER, COHORT, CAMPAIGN, QUEST, ALERT, SIGNAL, PERF, NOTIF, ACH, USER_ACH, TARGET = range(1, 14)
ROLES = ("owner", "admin", "marketer", "viewer")  # user index (w-1)*4 + 1..4
STAFF_APPS = ["raptorflow", "campaigns", "gamification", "agents", "intelligence", "alerts"]


@dataclass
class Sizes:
    workspaces: int = 1000
    agent_performance: int = 1_000_000
    system_alerts: int = 1_000_000
    campaigns: int = 200_000
    quests_per_campaign: int = 3
    intelligence_signals: int = 1_000_000
    notifications: int = 200_000
    cohorts_per_workspace: int = 5
    achievements_per_workspace: int = 20
    large_share: float = 0.1
    small_share: float = 0.001
    # ...but at least a full page of the largest page size measured (100) and some, while the large workspace
    # holds ten times that: a page of 60 rows against one of 100 would measure the row count, not the plan.
    small_min_rows: int = 120

    @classmethod
    def preset(cls, name: str) -> "Sizes":
        if name == "full":
            return cls()
        if name == "small":
            return cls(workspaces=50, agent_performance=20_000, system_alerts=20_000, campaigns=4_000,
                       intelligence_signals=20_000, notifications=4_000)
        raise ValueError(f"unknown preset {name!r} (small, full)")

    def scaled(self, rows: int | None = None, workspaces: int | None = None) -> "Sizes":
        """``rows``: rows of each big table (campaigns a fifth of it, notifications a fifth)."""
        data = asdict(self)
        if workspaces is not None:
            data["workspaces"] = workspaces
        if rows is not None:
            data.update(agent_performance=rows, system_alerts=rows, intelligence_signals=rows,
                        campaigns=max(rows // 5, 1), notifications=max(rows // 5, 1))
        return Sizes(**data)

    def describe(self) -> str:
        return (f"{self.workspaces:,} workspaces; agent_performance {self.agent_performance:,}; "
                f"system_alerts {self.system_alerts:,}; campaigns {self.campaigns:,} "
                f"(x{self.quests_per_campaign} quests); intelligence_signals {self.intelligence_signals:,}; "
                f"notifications {self.notifications:,} (+ alert notifications); "
                f"workspace 1 holds {self.large_share:.0%} of each, workspace {self.workspaces} (the small one) "
                f"{self.small_share:.1%} (at least {self.small_min_rows} rows)")


BID = """
CREATE FUNCTION pg_temp.bid(kind integer, n bigint) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
    SELECT (lpad(to_hex(kind), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid
$$;
"""


def bid(kind: int, n: int) -> str:
    return f"{kind:08x}-0000-4000-8000-{n:012x}"


def user_index(w: int, role: str) -> int:
    return (w - 1) * 4 + ROLES.index(role) + 1


def small_workspace(sizes: Sizes) -> int:
    """The small workspace's index: the last one."""
    return sizes.workspaces


def spread(n_rows: int, sizes: Sizes) -> str:
    """A FROM item ``g(n, w, k)``: row n goes to workspace w as its k-th row (0-based).

    Rows 1..large go to workspace 1, the next ``small`` rows to the small workspace W, the rest round-robin
    over workspaces 2..W-1 (with fewer than three workspaces, no small one: the rest over 2..W).
    """
    W = sizes.workspaces
    large = n_rows if W == 1 else int(n_rows * sizes.large_share)
    small = max(1, round(n_rows * sizes.small_share), min(sizes.small_min_rows, large // 10)) if W >= 3 else 0
    others = max(W - 1 - (1 if small else 0), 1)
    return (
        f"(SELECT n, CASE WHEN n <= {large} THEN 1 WHEN n <= {large + small} THEN {W} "
        f"ELSE 2 + (n - {large + small} - 1) % {others} END AS w, "
        f"CASE WHEN n <= {large} THEN n - 1 WHEN n <= {large + small} THEN n - {large} - 1 "
        f"ELSE (n - {large + small} - 1) / {others} END AS k "
        f"FROM generate_series(1, {n_rows}) AS n) AS g"
    )


def steps(s: Sizes) -> list[tuple[str, str]]:
    W = s.workspaces
    return [
        ("workspaces", f"""
INSERT INTO workspaces (id, created_at, updated_at, name, slug, is_active)
SELECT pg_temp.bid({WS}, w), now(), now(), 'Bench workspace ' || w, 'bench-' || w, true
FROM generate_series(1, {W}) AS w"""),
        ("users", f"""
INSERT INTO users (id, password, last_login, is_superuser, email, full_name, is_staff, is_active, date_joined)
SELECT pg_temp.bid({USER}, u), '!bench', NULL, false, 'u' || u || '@bench.example', 'Bench ' || r.role || ' ' || w,
       r.role = 'admin', true, now()
FROM generate_series(1, {W}) AS w,
     LATERAL (SELECT ord, role FROM unnest(ARRAY['owner','admin','marketer','viewer']) WITH ORDINALITY AS x(role, ord)) AS r,
     LATERAL (SELECT (w - 1) * 4 + r.ord AS u) AS ui"""),
        ("workspace_members", f"""
INSERT INTO workspace_members (id, created_at, updated_at, workspace_id, user_id, role)
SELECT pg_temp.bid({MEMBER}, (w - 1) * 4 + r.ord), now(), now(), pg_temp.bid({WS}, w),
       pg_temp.bid({USER}, (w - 1) * 4 + r.ord), r.role
FROM generate_series(1, {W}) AS w,
     LATERAL (SELECT ord, role FROM unnest(ARRAY['owner','admin','marketer','viewer']) WITH ORDINALITY AS x(role, ord)) AS r"""),
        ("staff permissions", f"""
INSERT INTO users_user_permissions (user_id, permission_id)
SELECT pg_temp.bid({USER}, (w - 1) * 4 + 2), p.id
FROM generate_series(1, {W}) AS w, auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id
WHERE ct.app_label = ANY (%(apps)s)"""),
        ("cohorts", f"""
INSERT INTO cohorts (id, created_at, updated_at, workspace_id, name, description, criteria, size_estimate)
SELECT pg_temp.bid({COHORT}, (w - 1) * {s.cohorts_per_workspace} + j), now(), now(), pg_temp.bid({WS}, w),
       'Cohort ' || j, '', jsonb_build_object('plan', 'pro'), 1000 * j
FROM generate_series(1, {W}) AS w, generate_series(1, {s.cohorts_per_workspace}) AS j"""),
        ("achievements", f"""
INSERT INTO achievements (id, created_at, updated_at, workspace_id, code, name, description, category, rarity,
                          xp_reward, criteria, target_value, icon, is_active, is_secret)
SELECT pg_temp.bid({ACH}, (w - 1) * {s.achievements_per_workspace} + j), now(), now(), pg_temp.bid({WS}, w),
       'ach-' || j, 'Achievement ' || lpad(j::text, 3, '0'), '',
       (ARRAY['general','campaigns','quests','audience','intelligence','operations','engagement'])[1 + j % 7],
       (ARRAY['common','rare','epic','legendary'])[1 + j % 4], 50 * (1 + j % 4),
       CASE j WHEN 6 THEN jsonb_build_object('event', 'quest_completed', 'count', 1)
              WHEN 7 THEN jsonb_build_object('event', 'quest_completed', 'count', 5, 'within_days', 30)
              WHEN 8 THEN jsonb_build_object('event', 'quest_completed', 'count', 25)
              ELSE jsonb_build_object('event', 'manual', 'count', 1 + j % 5) END,
       CASE j WHEN 6 THEN 1 WHEN 7 THEN 5 WHEN 8 THEN 25 ELSE 1 + j % 5 END, '', true, j % 10 = 0
FROM generate_series(1, {W}) AS w, generate_series(1, {s.achievements_per_workspace}) AS j"""),
        ("user_achievements", f"""
INSERT INTO user_achievements (id, created_at, updated_at, workspace_id, user_id, achievement_id, progress, completed_at, xp_awarded)
SELECT pg_temp.bid({USER_ACH}, ((w - 1) * 4 + r) * 1000 + j), now(), now(), pg_temp.bid({WS}, w),
       pg_temp.bid({USER}, (w - 1) * 4 + r), pg_temp.bid({ACH}, (w - 1) * {s.achievements_per_workspace} + j),
       1 + j % 5, now(), 0
FROM generate_series(1, {W}) AS w, generate_series(2, 3) AS r,
     generate_series(1, least(5, {s.achievements_per_workspace})) AS j"""),
        ("agent_performance", f"""
WITH a AS (SELECT array_agg(id ORDER BY slug) AS ids, count(*)::int AS n FROM agent_registry WHERE is_active),
     b AS (SELECT agent_latency_bucket_bounds() AS bounds)
INSERT INTO agent_performance (id, created_at, updated_at, workspace_id, agent_id, day, executions, successes, failures,
                               total_duration_ms, max_duration_ms, latency_histogram, total_tokens, total_cost_usd,
                               last_error, last_error_at, last_executed_at)
SELECT pg_temp.bid({PERF}, g.n), now(), now(), pg_temp.bid({WS}, g.w), a.ids[1 + g.k % a.n],
       current_date - (g.k / a.n)::integer, x.execs, x.execs - x.fails, x.fails,
       x.execs::bigint * x.dur, x.dur + 50,
       array_fill(0, ARRAY[x.bucket - 1]) || ARRAY[x.execs] || array_fill(0, ARRAY[cardinality(b.bounds) - x.bucket]),
       x.execs::bigint * 500, x.execs * 0.002,
       CASE WHEN x.fails > 0 THEN 'timeout' END,
       CASE WHEN x.fails > 0 THEN (current_date - (g.k / a.n)::integer) + time '11:00' END,
       (current_date - (g.k / a.n)::integer) + time '12:00'
FROM {spread(s.agent_performance, s)}, a, b,
     LATERAL (SELECT 10 + g.n % 90 AS execs, g.n % 7 AS fails, 200 + g.n % 800 AS dur,
                     greatest(1, width_bucket(200 + g.n % 800, b.bounds)) AS bucket) AS x"""),
        ("system_alerts", f"""
INSERT INTO system_alerts (id, created_at, updated_at, workspace_id, severity, source, title, message, details, fingerprint,
                           occurrence_count, first_seen_at, last_seen_at, status, acknowledged_at, resolved_at, resolution_note)
SELECT pg_temp.bid({ALERT}, g.n), t.seen - interval '1 hour', t.seen, pg_temp.bid({WS}, g.w),
       CASE WHEN g.n % 100 < 2 THEN 'critical' WHEN g.n % 100 < 10 THEN 'error' WHEN g.n % 100 < 50 THEN 'warning' ELSE 'info' END,
       'source-' || (g.n % 12), 'Alert ' || g.n, '', '{{}}'::jsonb, 'fp-' || g.n, 1 + g.n % 5,
       t.seen - interval '1 hour', t.seen, t.status,
       CASE WHEN t.status <> 'open' THEN t.seen END,
       CASE WHEN t.status = 'resolved' THEN t.seen + interval '1 hour' END, ''
FROM {spread(s.system_alerts, s)},
     LATERAL (SELECT now() - g.k * interval '7 minutes' AS seen,
                     CASE WHEN g.n % 20 < 3 THEN 'open' WHEN g.n % 20 = 3 THEN 'acknowledged' ELSE 'resolved' END AS status) AS t"""),
        ("platform alerts", f"""
INSERT INTO system_alerts (id, workspace_id, severity, source, title, fingerprint, first_seen_at, last_seen_at, status, acknowledged_at, resolved_at)
SELECT pg_temp.bid({ALERT}, {s.system_alerts} + i), NULL, 'warning', 'platform', 'Platform alert ' || i, 'platform-' || i,
       now() - i * interval '1 day', now() - i * interval '1 day', CASE WHEN i <= 3 THEN 'open' ELSE 'resolved' END,
       CASE WHEN i > 3 THEN now() - i * interval '1 day' END, CASE WHEN i > 3 THEN now() - i * interval '1 day' END
FROM generate_series(1, 20) AS i"""),
        ("campaigns", f"""
INSERT INTO campaigns (id, created_at, updated_at, workspace_id, positioning_id, message_architecture_id, name, objective,
                       status, channels, budget, starts_at, ends_at, kpi_targets, created_by_id)
SELECT pg_temp.bid({CAMPAIGN}, g.n), now(), now(), pg_temp.bid({WS}, g.w), NULL, NULL,
       'Campaign ' || lpad(g.k::text, 7, '0'), '',
       (ARRAY['draft','scheduled','active','active','active','paused','completed','completed','draft','draft'])[1 + g.n % 10],
       (CASE g.n % 4 WHEN 0 THEN ARRAY['email'] WHEN 1 THEN ARRAY['email','social'] WHEN 2 THEN ARRAY['paid_search','display'] ELSE ARRAY[]::text[] END)::varchar(32)[],
       1000 + g.n % 5000, now() - g.k * interval '1 hour', now() - g.k * interval '1 hour' + interval '30 days', '{{}}'::jsonb,
       pg_temp.bid({USER}, (g.w - 1) * 4 + 3)
FROM {spread(s.campaigns, s)}"""),
        ("campaign_quests", f"""
INSERT INTO campaign_quests (id, created_at, updated_at, workspace_id, campaign_id, parent_id, title, description, position,
                             status, xp_reward, due_at, completed_at)
SELECT pg_temp.bid({QUEST}, (c.n - 1) * {s.quests_per_campaign} + p), now(), now(), pg_temp.bid({WS}, c.w),
       pg_temp.bid({CAMPAIGN}, c.n), NULL, 'Quest ' || p, '', p,
       CASE p % 3 WHEN 0 THEN 'completed' WHEN 1 THEN 'in_progress' ELSE 'pending' END, 10, NULL,
       CASE WHEN p % 3 = 0 THEN now() END
FROM (SELECT n, w FROM {spread(s.campaigns, s)}) AS c, generate_series(0, {s.quests_per_campaign - 1}) AS p"""),
        ("campaign_cohorts", f"""
INSERT INTO campaign_cohorts (id, updated_at, workspace_id, campaign_id, cohort_id, role, added_at)
SELECT pg_temp.bid({TARGET}, g.n), now(), pg_temp.bid({WS}, g.w), pg_temp.bid({CAMPAIGN}, g.n),
       pg_temp.bid({COHORT}, (g.w - 1) * {s.cohorts_per_workspace} + 1 + g.n % {s.cohorts_per_workspace}), 'primary', now()
FROM {spread(s.campaigns, s)} WHERE g.n % 2 = 0"""),
        # Archived after their quests and targets exist, as in production: those of an archived campaign refuse writes.
        ("archived campaigns", f"""
UPDATE campaigns SET status = 'archived'
WHERE id IN (SELECT pg_temp.bid({CAMPAIGN}, n) FROM generate_series(1, {s.campaigns}) AS n WHERE n % 10 IN (8, 9))"""),
        ("intelligence_signals", f"""
INSERT INTO intelligence_signals (id, created_at, updated_at, workspace_id, source, signal_type, title, summary, url, payload,
                                  strength, sentiment, fingerprint, occurrences, first_detected_at, last_detected_at,
                                  expires_at, status, reviewed_by_id, reviewed_at)
SELECT pg_temp.bid({SIGNAL}, g.n), t.seen, t.seen, pg_temp.bid({WS}, g.w), 'feed-' || (g.n % 20),
       (ARRAY['review','competitor_move','trend','pricing','mention','regulation'])[1 + g.n % 6],
       'Signal ' || g.n, '', '', jsonb_build_object('rank', g.n % 10), 0.5, ((g.n % 200) - 100) / 100.0,
       'sig-' || g.n, 1, t.seen - interval '1 hour', t.seen,
       CASE WHEN g.n % 5 = 0 THEN t.seen + interval '30 days' END, t.status, NULL,
       CASE WHEN t.status <> 'new' THEN t.seen END
FROM {spread(s.intelligence_signals, s)},
     LATERAL (SELECT now() - g.k * interval '7 minutes' AS seen,
                     (ARRAY['new','new','new','new','new','new','reviewed','dismissed','actioned','reviewed'])[1 + g.n % 10] AS status) AS t"""),
        ("user_notifications", f"""
INSERT INTO user_notifications (id, created_at, updated_at, workspace_id, user_id, alert_id, kind, title, body, link, read_at, expires_at)
SELECT pg_temp.bid({NOTIF}, g.n), t.at, t.at, pg_temp.bid({WS}, g.w), pg_temp.bid({USER}, (g.w - 1) * 4 + 3), NULL,
       (ARRAY['info','success','warning','error'])[1 + g.n % 4], 'Notification ' || g.n, '', '/campaigns/',
       CASE WHEN g.n % 3 <> 0 THEN t.at + interval '1 minute' END, NULL
FROM {spread(s.notifications, s)}, LATERAL (SELECT now() - g.k * interval '3 minutes' AS at) AS t"""),
    ]


ANALYZED = ["workspaces", "users", "workspace_members", "cohorts", "achievements", "user_achievements", "user_stats",
            "agent_performance", "system_alerts", "campaigns", "campaign_quests", "campaign_cohorts",
            "intelligence_signals", "user_notifications"]


def require_superuser(conn) -> None:
    row = conn.execute("SELECT rolsuper, current_user FROM pg_roles WHERE rolname = current_user").fetchone()
    if not row or not row[0]:
        raise SystemExit(
            f"bench: the loading role {row[1] if row else '?'!r} is not a superuser. The tables use FORCE ROW LEVEL "
            "SECURITY, so a non-superuser owner would see and write nothing without a workspace context. Point "
            "DATABASE_URL at a superuser (the embedded server's 'postgres' is one) to run the benchmark."
        )


def load(conn, sizes: Sizes, log=print) -> dict[str, float]:
    """Fill an empty, migrated database; returns seconds per step (VACUUM ANALYZE included)."""
    conn.autocommit = True  # each step commits on its own (conn.transaction()), VACUUM needs no transaction
    require_superuser(conn)
    timings = {}
    conn.execute(BID)
    for name, statement in steps(sizes):
        started = time.perf_counter()
        with conn.transaction():
            cur = conn.execute(statement, {"apps": STAFF_APPS} if "%(apps)s" in statement else None)
        timings[name] = time.perf_counter() - started
        log(f"  loaded {name}: {cur.rowcount:,} rows in {timings[name]:.1f} s")
    started = time.perf_counter()
    # VACUUM sets the visibility map (index-only scans) as a settled table would have; ANALYZE the statistics.
    for table in ANALYZED:
        conn.execute(f"VACUUM (ANALYZE) {table}")
    timings["vacuum analyze"] = time.perf_counter() - started
    log(f"  vacuum analyze: {timings['vacuum analyze']:.1f} s")
    return timings
