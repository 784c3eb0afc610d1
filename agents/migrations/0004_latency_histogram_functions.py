"""SQL helpers for the latency histogram of agent_performance.

- agent_latency_bucket_bounds(): the fixed lower bounds (ms) of the 66 buckets.
- agent_histogram_add(a, b) and the aggregate agent_histogram_sum(histogram):
  element-wise sums, to merge days (the registry list, the period totals).
- agent_latency_percentile(histogram, fraction, max_ms): p50/p95 read from a
  histogram (nearest rank, linear inside the bucket, capped at max_ms); the
  error is below the width of the bucket holding the true value (see
  agents/latency.py, which mirrors these in Python).

All IMMUTABLE and PARALLEL SAFE; they read no table.
"""

from django.db import migrations

# Copied from agents/latency.py at the time of writing (migrations never import
# app code). A test keeps the two equal; change the bounds with a new migration.
BOUNDS = (
    0, 10, 12, 14, 17, 20, 24, 28, 34, 40, 48, 57, 67, 80, 95, 113, 135, 160, 190, 226, 269, 320, 381, 453, 538,
    640, 761, 905, 1076, 1280, 1522, 1810, 2153, 2560, 3044, 3620, 4305, 5120, 6089, 7241, 8611, 10240, 12177,
    14482, 17222, 20480, 24355, 28963, 34443, 40960, 48710, 57926, 68886, 81920, 97420, 115852, 137772, 163840,
    194840, 231705, 275545, 327680, 389679, 463410, 551090, 655360,
)  # fmt: skip
BOUNDS_SQL = "ARRAY[" + ", ".join(str(b) for b in BOUNDS) + "]::integer[]"

BOUNDS_FUNCTION = f"""
CREATE OR REPLACE FUNCTION agent_latency_bucket_bounds()
RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT {BOUNDS_SQL} $$;

COMMENT ON FUNCTION agent_latency_bucket_bounds() IS
'Lower bounds (ms) of the agent_performance.latency_histogram buckets: bucket i counts durations in [bounds[i], bounds[i+1]), the last is open. [0,10) then x 2^(1/4) per bucket (rounded) up to 655360 ms; each bucket is at most 21.4% wider than its lower bound.';
"""

ADD_FUNCTION = """
CREATE OR REPLACE FUNCTION agent_histogram_add(a integer[], b integer[])
RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN a IS NULL THEN b
        WHEN b IS NULL THEN a
        ELSE ARRAY(
            SELECT coalesce(x, 0) + coalesce(y, 0)
            FROM unnest(a, b) WITH ORDINALITY AS t(x, y, n)
            ORDER BY n
        )
    END
$$;

COMMENT ON FUNCTION agent_histogram_add(integer[], integer[]) IS
'Element-wise sum of two latency histograms (NULL counts as empty). State function of agent_histogram_sum.';

CREATE OR REPLACE AGGREGATE agent_histogram_sum(integer[]) (
    SFUNC = agent_histogram_add,
    STYPE = integer[],
    COMBINEFUNC = agent_histogram_add,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE agent_histogram_sum(integer[]) IS
'Merges latency histograms (e.g. the days of a period) by element-wise sum; NULL over no rows.';
"""

PERCENTILE_FUNCTION = """
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
"""


class Migration(migrations.Migration):
    dependencies = [("agents", "0003_rls_and_grants")]

    operations = [
        migrations.RunSQL(sql=BOUNDS_FUNCTION, reverse_sql="DROP FUNCTION IF EXISTS agent_latency_bucket_bounds();"),
        migrations.RunSQL(
            sql=ADD_FUNCTION,
            reverse_sql=(
                "DROP AGGREGATE IF EXISTS agent_histogram_sum(integer[]);"
                "DROP FUNCTION IF EXISTS agent_histogram_add(integer[], integer[]);"
            ),
        ),
        migrations.RunSQL(
            sql=PERCENTILE_FUNCTION,
            reverse_sql="DROP FUNCTION IF EXISTS agent_latency_percentile(integer[], numeric, integer);",
        ),
    ]
