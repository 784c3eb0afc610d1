-- Function agent_latency_bucket_bounds()
-- Created by agents/migrations/0004_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION agent_latency_bucket_bounds()
RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ARRAY[0, 10, 12, 14, 17, 20, 24, 28, 34, 40, 48, 57, 67, 80, 95, 113, 135, 160, 190, 226, 269, 320, 381, 453, 538, 640, 761, 905, 1076, 1280, 1522, 1810, 2153, 2560, 3044, 3620, 4305, 5120, 6089, 7241, 8611, 10240, 12177, 14482, 17222, 20480, 24355, 28963, 34443, 40960, 48710, 57926, 68886, 81920, 97420, 115852, 137772, 163840, 194840, 231705, 275545, 327680, 389679, 463410, 551090, 655360]::integer[] $$;

COMMENT ON FUNCTION agent_latency_bucket_bounds() IS
'Lower bounds (ms) of the agent_performance.latency_histogram buckets: bucket i counts durations in [bounds[i], bounds[i+1]), the last is open. [0,10) then x 2^(1/4) per bucket (rounded) up to 655360 ms; each bucket is at most 21.4% wider than its lower bound.';
