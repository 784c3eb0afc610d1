-- Aggregate agent_histogram_of(integer)
-- Created by agents/migrations/0008_record_into_the_log.py, which reads this file at this path.
-- Never edit this file after release: to change the aggregate, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE AGGREGATE agent_histogram_of(integer) (
    SFUNC = agent_histogram_count,
    STYPE = integer[],
    COMBINEFUNC = agent_histogram_add,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE agent_histogram_of(integer) IS
'The latency histogram of a set of durations (ms), as agent_performance.latency_histogram counts them; NULL over no rows. Reads the log (agent_executions) into bucket rows.';
