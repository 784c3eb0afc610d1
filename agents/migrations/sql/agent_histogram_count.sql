-- Function agent_histogram_count(integer[], integer)
-- Created by agents/migrations/0008_record_into_the_log.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION agent_histogram_count(p_histogram integer[], p_duration_ms integer)
RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    v_bounds integer[] := agent_latency_bucket_bounds();
    v_bucket integer;
BEGIN
    IF p_histogram IS NULL THEN
        p_histogram := array_fill(0, ARRAY[cardinality(v_bounds)]);
    END IF;
    IF p_duration_ms IS NOT NULL THEN
        v_bucket := width_bucket(p_duration_ms, v_bounds);
        p_histogram[v_bucket] := p_histogram[v_bucket] + 1;
    END IF;
    RETURN p_histogram;
END
$$;

COMMENT ON FUNCTION agent_histogram_count(integer[], integer) IS
'Adds one duration (ms) to a latency histogram (NULL: an empty one), in the bucket agent_latency_bucket_bounds() gives it. State function of agent_histogram_of.';
