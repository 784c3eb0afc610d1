-- Function agent_executions_roll_up()
-- Created by agents/migrations/0008_record_into_the_log.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).
--
-- Moves the log (agent_executions) into the daily buckets (agent_performance) in one statement:
-- DELETE ... RETURNING the log rows, aggregated per (workspace, agent, UTC day), upserted into
-- agent_performance. The delete and the upsert commit together, so a reader of
-- agent_performance_live counts every execution exactly once, before or after. Calls that
-- record while it runs are not in its snapshot: they stay in the log for the next roll-up.
--
-- Run as the schema owner (manage.py roll_up_agent_executions): the owner's policies on both
-- tables (agent_executions_roll_up_owner, agent_performance_roll_up_owner) let it see every
-- workspace's log in one pass. Called by the web role inside a workspace, RLS limits it to that
-- workspace's log. One roll-up at a time (a transaction-level advisory lock): a second one
-- waits, then finds what is left.
--
-- The log has no foreign keys (every call would check them). A log row of an agent no longer
-- in the registry is dropped; a workspace deleted since its executions were logged makes the
-- bucket's key (agent_performance -> workspaces) fail: the roll-up then goes workspace by
-- workspace and drops the log of the workspaces that are gone (counted in "dropped").

CREATE OR REPLACE FUNCTION agent_executions_roll_up(OUT executions bigint, OUT buckets bigint, OUT dropped bigint)
RETURNS record
LANGUAGE plpgsql
VOLATILE
SECURITY INVOKER
AS $$
DECLARE
    -- What each pass rolls up: NULL is the whole log. The first pass is the whole log in one
    -- statement; only when a workspace of the log is gone does it add one pass per workspace.
    v_scopes uuid[] := ARRAY[NULL]::uuid[];
    v_workspace_id uuid;
    v_executions bigint;
    v_buckets bigint;
    i integer := 1;
BEGIN
    executions := 0;
    buckets := 0;
    dropped := 0;
    PERFORM pg_advisory_xact_lock(hashtext('agent_executions_roll_up'));

    WHILE i <= cardinality(v_scopes) LOOP
        v_workspace_id := v_scopes[i];
        i := i + 1;
        BEGIN
            -- Check the buckets' workspace key now, in this block, rather than at commit.
            SET CONSTRAINTS agent_performance_workspace_id_be48c969_fk_workspaces_id IMMEDIATE;
            WITH moved AS (
                DELETE FROM agent_executions
                WHERE v_workspace_id IS NULL OR workspace_id = v_workspace_id
                RETURNING *
            ), upserted AS (
                INSERT INTO agent_performance AS p (
                    id, workspace_id, agent_id, day,
                    executions, successes, failures,
                    total_duration_ms, max_duration_ms, latency_histogram,
                    total_tokens, total_cost_usd,
                    last_error, last_error_at, last_executed_at,
                    created_at, updated_at
                )
                SELECT gen_random_uuid(), m.workspace_id, m.agent_id, (m.executed_at AT TIME ZONE 'UTC')::date,
                       count(*), count(*) FILTER (WHERE m.success), count(*) FILTER (WHERE NOT m.success),
                       sum(m.duration_ms), max(m.duration_ms), agent_histogram_of(m.duration_ms),
                       sum(m.tokens_used), sum(m.cost_usd),
                       (array_agg(m.error ORDER BY m.executed_at DESC) FILTER (WHERE NOT m.success))[1],
                       max(m.executed_at) FILTER (WHERE NOT m.success), max(m.executed_at),
                       now(), now()
                FROM moved m
                WHERE EXISTS (SELECT 1 FROM agent_registry a WHERE a.id = m.agent_id)
                GROUP BY m.workspace_id, m.agent_id, (m.executed_at AT TIME ZONE 'UTC')::date
                ORDER BY m.agent_id, m.workspace_id, 4
                ON CONFLICT (agent_id, workspace_id, day) DO UPDATE SET
                    executions = p.executions + EXCLUDED.executions,
                    successes = p.successes + EXCLUDED.successes,
                    failures = p.failures + EXCLUDED.failures,
                    total_duration_ms = p.total_duration_ms + EXCLUDED.total_duration_ms,
                    max_duration_ms = greatest(p.max_duration_ms, EXCLUDED.max_duration_ms),
                    latency_histogram = agent_histogram_add(p.latency_histogram, EXCLUDED.latency_histogram),
                    total_tokens = p.total_tokens + EXCLUDED.total_tokens,
                    total_cost_usd = p.total_cost_usd + EXCLUDED.total_cost_usd,
                    -- The latest failure by execution time wins (the log is not in time order).
                    last_error = CASE WHEN EXCLUDED.last_error_at >= coalesce(p.last_error_at, '-infinity')
                                      THEN EXCLUDED.last_error ELSE p.last_error END,
                    last_error_at = greatest(p.last_error_at, EXCLUDED.last_error_at),
                    last_executed_at = greatest(p.last_executed_at, EXCLUDED.last_executed_at)
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM upserted) INTO v_executions, v_buckets;
            SET CONSTRAINTS agent_performance_workspace_id_be48c969_fk_workspaces_id DEFERRED;
            executions := executions + v_executions;
            buckets := buckets + v_buckets;
        EXCEPTION WHEN foreign_key_violation THEN
            -- A workspace of this pass is gone: the block's changes are undone, its log is back.
            SET CONSTRAINTS agent_performance_workspace_id_be48c969_fk_workspaces_id DEFERRED;
            IF v_workspace_id IS NULL THEN
                v_scopes := v_scopes || ARRAY(SELECT DISTINCT workspace_id FROM agent_executions);
            ELSE
                WITH gone AS (DELETE FROM agent_executions WHERE workspace_id = v_workspace_id RETURNING 1)
                SELECT count(*) INTO v_executions FROM gone;
                executions := executions + v_executions;
                dropped := dropped + v_executions;
            END IF;
        END;
    END LOOP;
END
$$;

COMMENT ON FUNCTION agent_executions_roll_up() IS
'Moves the execution log (agent_executions) into the daily buckets (agent_performance) in one statement, DELETE ... RETURNING aggregated and upserted, so readers of agent_performance_live count each execution exactly once. Run it as the schema owner every minute or less (manage.py roll_up_agent_executions); as the web role inside a workspace it rolls up that workspace only. Returns the executions moved, the buckets written and the executions dropped (their workspace deleted). One at a time (advisory lock). SECURITY INVOKER.';
