-- Function gamification_streaks(uuid, uuid)
-- Created by gamification/migrations/0005_event_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION gamification_streaks(
    p_workspace_id uuid,
    p_user_id uuid,
    OUT current_streak_days integer,
    OUT longest_streak_days integer
)
LANGUAGE sql STABLE SECURITY INVOKER
AS $fn$
    WITH days AS (
        SELECT DISTINCT (e.occurred_at AT TIME ZONE 'UTC')::date AS day
          FROM gamification_events e
         WHERE e.workspace_id = p_workspace_id AND e.user_id = p_user_id
    ),
    runs AS (SELECT day, day - (row_number() OVER (ORDER BY day))::integer AS run FROM days),
    lengths AS (SELECT count(*)::integer AS days, max(day) AS last_day FROM runs GROUP BY run)
    SELECT coalesce((SELECT l.days FROM lengths l ORDER BY l.last_day DESC LIMIT 1), 0),
           coalesce((SELECT max(l.days) FROM lengths l), 0)
$fn$;

COMMENT ON FUNCTION gamification_streaks(uuid, uuid) IS
'A member''s streaks from the event log: the run of consecutive UTC days with an event that ends on their latest active day (current) and the longest run.';
