-- Function agent_latency_percentile(integer[], numeric, integer)
-- Created by agents/migrations/0004_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION agent_latency_percentile(p_histogram integer[], p_fraction numeric, p_max_ms integer DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    v_bounds integer[] := agent_latency_bucket_bounds();
    v_total bigint;
    v_rank bigint;
    v_seen bigint := 0;
    v_count integer;
    v_low numeric;
    v_high numeric;
    v_estimate numeric;
BEGIN
    IF p_histogram IS NULL THEN
        RETURN NULL;
    END IF;
    IF p_fraction IS NULL OR p_fraction <= 0 OR p_fraction > 1 THEN
        RAISE EXCEPTION 'percentile fraction must be in (0, 1], got %', p_fraction
            USING ERRCODE = '22023', HINT = 'Use 0.5 for p50 and 0.95 for p95.';
    END IF;
    IF cardinality(p_histogram) <> cardinality(v_bounds) THEN
        RAISE EXCEPTION 'latency histogram must have % buckets, got %', cardinality(v_bounds), cardinality(p_histogram)
            USING ERRCODE = '22023';
    END IF;
    SELECT sum(c) INTO v_total FROM unnest(p_histogram) AS c;
    IF coalesce(v_total, 0) = 0 THEN
        RETURN NULL;
    END IF;
    -- Nearest rank: the k-th smallest duration, k = ceil(fraction * n).
    v_rank := greatest(1, ceil(p_fraction * v_total));
    FOR i IN 1 .. cardinality(p_histogram) LOOP
        v_count := coalesce(p_histogram[i], 0);
        IF v_count > 0 AND v_seen + v_count >= v_rank THEN
            v_low := v_bounds[i];
            v_high := CASE WHEN i < cardinality(v_bounds) THEN v_bounds[i + 1]
                           ELSE greatest(coalesce(p_max_ms, v_bounds[i]), v_bounds[i]) END;
            -- Linear inside the bucket: the j-th of c values sits at (j - 0.5) / c of its width.
            v_estimate := floor(v_low + (v_high - v_low) * ((v_rank - v_seen) - 0.5) / v_count + 0.5);
            IF p_max_ms IS NOT NULL THEN
                v_estimate := least(v_estimate, p_max_ms);
            END IF;
            RETURN v_estimate::integer;
        END IF;
        v_seen := v_seen + v_count;
    END LOOP;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION agent_latency_percentile(integer[], numeric, integer) IS
'Percentile (ms) of the durations counted in a latency histogram: nearest rank, interpolated linearly inside its bucket, capped at p_max_ms (pass max_duration_ms). Error below the width of the bucket holding the true value: < 10 ms under 10 ms, < 21.4% above. NULL for an empty histogram.';
