-- Function record_agent_execution(uuid, boolean, integer, integer, numeric, text, timestamptz)
-- Created by agents/migrations/0004_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

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
    v_agent agent_registry%ROWTYPE;
    v_bounds integer[] := agent_latency_bucket_bounds();
    v_bucket integer;
    v_histogram integer[];
    v_failed_at timestamptz;
    v_row agent_performance%ROWTYPE;
BEGIN
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
    IF coalesce(p_tokens_used, 0) < 0 THEN
        RAISE EXCEPTION 'tokens used must be >= 0, got %', p_tokens_used USING ERRCODE = '22023';
    END IF;
    IF coalesce(p_cost_usd, 0) < 0 THEN
        RAISE EXCEPTION 'cost must be >= 0 USD, got %', p_cost_usd USING ERRCODE = '22023';
    END IF;
    IF p_executed_at > now() + interval '5 minutes' THEN
        RAISE EXCEPTION 'executed_at % is in the future', p_executed_at
            USING ERRCODE = '22023', HINT = 'Record executions when they finish, with their real time.';
    END IF;

    SELECT * INTO v_agent FROM agent_registry WHERE id = p_agent_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown agent %', p_agent_id
            USING ERRCODE = '22023', HINT = 'Pass the id of a row of agent_registry.';
    END IF;
    IF NOT v_agent.is_active THEN
        RAISE EXCEPTION 'agent % (%) is inactive and cannot record executions', v_agent.slug, p_agent_id
            USING ERRCODE = '22023', HINT = 'Use an active agent, or reactivate this one in agent_registry.';
    END IF;

    v_bucket := width_bucket(p_duration_ms, v_bounds);
    v_histogram := array_fill(0, ARRAY[cardinality(v_bounds)]);
    v_histogram[v_bucket] := 1;
    v_failed_at := CASE WHEN p_success THEN NULL ELSE p_executed_at END;

    INSERT INTO agent_performance AS p (
        id, workspace_id, agent_id, day,
        executions, successes, failures,
        total_duration_ms, max_duration_ms, latency_histogram,
        total_tokens, total_cost_usd,
        last_error, last_error_at, last_executed_at,
        created_at, updated_at
    ) VALUES (
        gen_random_uuid(), v_workspace_id, p_agent_id, (p_executed_at AT TIME ZONE 'UTC')::date,
        1, CASE WHEN p_success THEN 1 ELSE 0 END, CASE WHEN p_success THEN 0 ELSE 1 END,
        p_duration_ms, p_duration_ms, v_histogram,
        coalesce(p_tokens_used, 0), coalesce(p_cost_usd, 0),
        CASE WHEN p_success THEN NULL ELSE left(p_error, 2000) END, v_failed_at, p_executed_at,
        now(), now()
    )
    ON CONFLICT (workspace_id, agent_id, day) DO UPDATE SET
        executions = p.executions + 1,
        successes = p.successes + EXCLUDED.successes,
        failures = p.failures + EXCLUDED.failures,
        total_duration_ms = p.total_duration_ms + EXCLUDED.total_duration_ms,
        max_duration_ms = greatest(p.max_duration_ms, EXCLUDED.max_duration_ms),
        latency_histogram[v_bucket] = p.latency_histogram[v_bucket] + 1,
        total_tokens = p.total_tokens + EXCLUDED.total_tokens,
        total_cost_usd = p.total_cost_usd + EXCLUDED.total_cost_usd,
        -- The latest failure by execution time wins (backfills may arrive out of order).
        last_error = CASE WHEN EXCLUDED.last_error_at >= coalesce(p.last_error_at, '-infinity')
                          THEN EXCLUDED.last_error ELSE p.last_error END,
        last_error_at = greatest(p.last_error_at, EXCLUDED.last_error_at),
        last_executed_at = greatest(p.last_executed_at, EXCLUDED.last_executed_at),
        updated_at = now()
    RETURNING * INTO v_row;

    RETURN v_row;
END
$$;

COMMENT ON FUNCTION record_agent_execution(uuid, boolean, integer, integer, numeric, text, timestamptz) IS
'Records one execution of an agent into the current workspace''s bucket for the UTC day of p_executed_at (agent_performance), atomically (INSERT ... ON CONFLICT DO UPDATE): counts, durations, latency histogram, tokens, cost, last error. Refuses: no workspace set (55000), NULL arguments (22004), negative duration/tokens/cost, a time over 5 minutes ahead, unknown or inactive agent (22023). p_error is kept only for failures. SECURITY INVOKER: RLS applies.';
