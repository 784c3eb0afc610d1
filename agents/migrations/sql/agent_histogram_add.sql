-- Function agent_histogram_add(integer[], integer[])
-- Created by agents/migrations/0004_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

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
