-- View agent_performance_live
-- Created by agents/migrations/0008_record_into_the_log.py, which reads this file at this path.
-- Never edit this file after release: to change the view, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE VIEW, or DROP and CREATE).
--
-- The daily buckets as readers must see them: the rows of agent_performance (what the roll-up
-- has moved) and, for each (workspace, agent, UTC day) with executions still in the log
-- (agent_executions), one more row aggregating them. Both tables are read in one statement,
-- so one snapshot: an execution is counted exactly once, before or after a roll-up. Readers
-- sum the rows of a bucket (a bucket has at most two). security_invoker: the tables' RLS
-- applies to whoever reads the view.

CREATE OR REPLACE VIEW agent_performance_live WITH (security_invoker = true) AS
SELECT
    p.id,
    p.workspace_id,
    p.agent_id,
    p.day,
    p.executions::bigint AS executions,
    p.successes::bigint AS successes,
    p.failures::bigint AS failures,
    p.total_duration_ms,
    p.max_duration_ms,
    p.latency_histogram,
    p.total_tokens,
    p.total_cost_usd::numeric AS total_cost_usd,
    p.last_error,
    p.last_error_at,
    p.last_executed_at
FROM agent_performance p
UNION ALL
SELECT
    NULL::uuid,
    e.workspace_id,
    e.agent_id,
    (e.executed_at AT TIME ZONE 'UTC')::date,
    count(*),
    count(*) FILTER (WHERE e.success),
    count(*) FILTER (WHERE NOT e.success),
    sum(e.duration_ms)::bigint,
    max(e.duration_ms),
    agent_histogram_of(e.duration_ms),
    sum(e.tokens_used)::bigint,
    sum(e.cost_usd),
    (array_agg(e.error ORDER BY e.executed_at DESC) FILTER (WHERE NOT e.success))[1],
    max(e.executed_at) FILTER (WHERE NOT e.success),
    max(e.executed_at)
FROM agent_executions e
GROUP BY e.workspace_id, e.agent_id, (e.executed_at AT TIME ZONE 'UTC')::date;

COMMENT ON VIEW agent_performance_live IS
'Daily execution metrics as readers see them: agent_performance (rolled up, id set) plus agent_executions not rolled up yet, one row per (workspace, agent, UTC day) of the log (id NULL). Sum the rows of a bucket. Exact: one snapshot reads both.';
