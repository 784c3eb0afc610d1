-- Aggregate agent_histogram_sum(integer[])
-- Created by agents/migrations/0004_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the aggregate, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE AGGREGATE agent_histogram_sum(integer[]) (
    SFUNC = agent_histogram_add,
    STYPE = integer[],
    COMBINEFUNC = agent_histogram_add,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE agent_histogram_sum(integer[]) IS
'Merges latency histograms (e.g. the days of a period) by element-wise sum; NULL over no rows.';
