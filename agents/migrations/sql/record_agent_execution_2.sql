-- Function record_agent_execution(uuid, boolean, integer, integer, numeric, text, timestamptz), second version
-- Created by agents/migrations/0008_record_into_the_log.py, which reads this file at this path;
-- reversing that migration puts record_agent_execution.sql (the first version) back.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).
--
-- The first version upserted the day's bucket row (INSERT ... ON CONFLICT DO UPDATE): every
-- call of one (workspace, agent, day) waited for the row lock of the call before it until
-- that call's transaction committed. This one appends the execution to agent_executions, a
-- log with no index, no unique key and no foreign key: a call locks nothing another call
-- waits for, and costs about what a plain INSERT does. agent_executions_roll_up() moves the
-- log into agent_performance; agent_performance_live (the buckets plus the log) is what
-- readers read, so their totals stay exact.
--
-- PL/pgSQL sets up each simple expression again in every transaction that evaluates it, and a
-- request records one execution per transaction, so the happy path evaluates three (the
-- workspace, one condition for every check, FOUND): the INSERT checks the agent itself
-- (INSERT ... SELECT from agent_registry WHERE the agent is active) and builds the returned
-- row in its RETURNING; only a refused call looks again to say whether the agent is unknown
-- or inactive. The returned row's one-count histogram is a SQL expression (zeros, a 1 in the
-- duration's bucket, zeros), not a call of the PL/pgSQL agent_histogram_count(NULL, duration),
-- which set up its own expressions in every transaction: about 30 us of the 85 us a call cost
-- over a plain INSERT (pgbench, one client, synchronous_commit off, one run: 0.194 ms a
-- transaction with the call, 0.165 ms without, 0.109 ms for the plain INSERT).
-- agent_latency_bucket_bounds() is an immutable SQL function of no argument: the planner folds
-- it into a constant once, when the INSERT's plan is made.

CREATE OR REPLACE FUNCTION record_agent_execution(
    p_agent_id uuid,
    p_success boolean,
    p_duration_ms integer,
    p_tokens_used integer DEFAULT 0,
    p_cost_usd numeric DEFAULT 0,
    p_error text DEFAULT NULL,
    p_executed_at timestamptz DEFAULT now()
)
RETURNS agent_performance
LANGUAGE plpgsql
VOLATILE
SECURITY INVOKER
AS $$
DECLARE
    v_workspace_id uuid := NULLIF(current_setting('app.current_workspace_id', true), '')::uuid;
    v_slug text;
    v_row agent_performance%ROWTYPE;
BEGIN
    IF v_workspace_id IS NULL OR p_agent_id IS NULL OR p_success IS NULL OR p_duration_ms IS NULL
       OR p_executed_at IS NULL OR p_duration_ms < 0 OR p_tokens_used < 0 OR p_cost_usd < 0
       OR p_executed_at > now() + interval '5 minutes' THEN
        IF v_workspace_id IS NULL THEN
            RAISE EXCEPTION 'record_agent_execution needs a workspace: app.current_workspace_id is not set'
                USING ERRCODE = '55000',
                      HINT = 'Call it inside a request, or wrap it in raptorflow.tenancy.workspace_context(workspace_id).';
        END IF;
        IF p_agent_id IS NULL OR p_success IS NULL OR p_duration_ms IS NULL OR p_executed_at IS NULL THEN
            RAISE EXCEPTION 'agent id, success, duration and executed_at are required'
                USING ERRCODE = '22004';
        END IF;
        IF p_duration_ms < 0 THEN
            RAISE EXCEPTION 'duration must be >= 0 ms, got %', p_duration_ms
                USING ERRCODE = '22023', HINT = 'Pass the wall-clock duration of the execution in milliseconds.';
        END IF;
        IF p_tokens_used < 0 THEN
            RAISE EXCEPTION 'tokens used must be >= 0, got %', p_tokens_used USING ERRCODE = '22023';
        END IF;
        IF p_cost_usd < 0 THEN
            RAISE EXCEPTION 'cost must be >= 0 USD, got %', p_cost_usd USING ERRCODE = '22023';
        END IF;
        RAISE EXCEPTION 'executed_at % is in the future', p_executed_at
            USING ERRCODE = '22023', HINT = 'Record executions when they finish, with their real time.';
    END IF;

    INSERT INTO agent_executions AS e (workspace_id, agent_id, executed_at, success, duration_ms, tokens_used, cost_usd, error)
    SELECT v_workspace_id, a.id, p_executed_at, p_success, p_duration_ms,
           coalesce(p_tokens_used, 0), coalesce(p_cost_usd, 0),
           CASE WHEN p_success THEN NULL ELSE left(p_error, 2000) END
    FROM agent_registry a
    WHERE a.id = p_agent_id AND a.is_active
    -- What this call adds to its bucket, shaped as a bucket row (no id: it is not stored as one).
    RETURNING e.workspace_id, e.agent_id, (e.executed_at AT TIME ZONE 'UTC')::date,
              1, CASE WHEN e.success THEN 1 ELSE 0 END, CASE WHEN e.success THEN 0 ELSE 1 END,
              e.duration_ms, e.duration_ms, array_fill(0, ARRAY[width_bucket(e.duration_ms, agent_latency_bucket_bounds()) - 1]) || 1
              || array_fill(0, ARRAY[cardinality(agent_latency_bucket_bounds()) - width_bucket(e.duration_ms, agent_latency_bucket_bounds())]),
              e.tokens_used, e.cost_usd,
              e.error, CASE WHEN e.success THEN NULL ELSE e.executed_at END, e.executed_at,
              now(), now()
    INTO v_row.workspace_id, v_row.agent_id, v_row.day,
         v_row.executions, v_row.successes, v_row.failures,
         v_row.total_duration_ms, v_row.max_duration_ms, v_row.latency_histogram,
         v_row.total_tokens, v_row.total_cost_usd,
         v_row.last_error, v_row.last_error_at, v_row.last_executed_at,
         v_row.created_at, v_row.updated_at;

    IF NOT FOUND THEN
        SELECT slug INTO v_slug FROM agent_registry WHERE id = p_agent_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'unknown agent %', p_agent_id
                USING ERRCODE = '22023', HINT = 'Pass the id of a row of agent_registry.';
        END IF;
        RAISE EXCEPTION 'agent % (%) is inactive and cannot record executions', v_slug, p_agent_id
            USING ERRCODE = '22023', HINT = 'Use an active agent, or reactivate this one in agent_registry.';
    END IF;
    RETURN v_row;
END
$$;

COMMENT ON FUNCTION record_agent_execution(uuid, boolean, integer, integer, numeric, text, timestamptz) IS
'Records one execution of an agent for the current workspace and the UTC day of p_executed_at: appends it to agent_executions (a plain INSERT: concurrent calls, of one bucket too, never wait on each other). agent_executions_roll_up() moves the log into agent_performance; agent_performance_live reads both, exactly. Returns what this call adds to its day''s bucket, as an agent_performance row (executions 1, no id), not the bucket''s totals. Refuses: no workspace set (55000), NULL arguments (22004), negative duration/tokens/cost, a time over 5 minutes ahead, unknown or inactive agent (22023). p_error is kept only for failures. SECURITY INVOKER: RLS applies.';
