-- Function agent_histogram_add(integer[], integer[]), second version
-- Created by agents/migrations/0008_record_into_the_log.py, which reads this file at this path;
-- reversing that migration puts agent_histogram_add.sql (the first version) back.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).
--
-- The first version was SQL (unnest both arrays WITH ORDINALITY, ARRAY(...) of the sums), started
-- afresh for every row as an aggregate's state function. Merging the 2,190 daily histograms of the
-- registry's totals in the bench's large workspace took about 30 ms of the query's 40 to 46; with
-- this PL/pgSQL loop, which adds in place, about 21 of 31 to 33 (alternating runs in one session;
-- docs/performance-agents.md). About a quarter off the query, not more: the merge stays one pass
-- over 66 buckets per daily row.

CREATE OR REPLACE FUNCTION agent_histogram_add(a integer[], b integer[])
RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF a IS NULL THEN
        RETURN b;
    END IF;
    IF b IS NULL THEN
        RETURN a;
    END IF;
    IF cardinality(b) > cardinality(a) THEN
        RETURN agent_histogram_add(b, a);
    END IF;
    FOR i IN 1 .. cardinality(b) LOOP
        a[i] := coalesce(a[i], 0) + coalesce(b[i], 0);
    END LOOP;
    RETURN a;
END
$$;

COMMENT ON FUNCTION agent_histogram_add(integer[], integer[]) IS
'Element-wise sum of two latency histograms (NULL counts as empty). State function of agent_histogram_sum.';
