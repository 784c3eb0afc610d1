-- Function refresh_user_stats(uuid)
-- Created by gamification/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION refresh_user_stats(p_user_id uuid)
RETURNS user_stats
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $fn$
DECLARE
    v_workspace_id uuid := NULLIF(current_setting('app.current_workspace_id', true), '')::uuid;
    v_xp bigint;
    v_unlocked integer;
    v_last timestamptz;
    v_row user_stats;
BEGIN
    IF v_workspace_id IS NULL THEN
        RAISE EXCEPTION 'no workspace is set (app.current_workspace_id is empty)'
            USING ERRCODE = '55000', HINT = 'Call it inside a request or raptorflow.tenancy.workspace_context().';
    END IF;
    PERFORM gamification_assert_member(v_workspace_id, p_user_id);
    -- Lock the stats row first: a completion committing meanwhile waits, then adds on top of our total.
    INSERT INTO user_stats (workspace_id, user_id) VALUES (v_workspace_id, p_user_id)
    ON CONFLICT (workspace_id, user_id) DO NOTHING;
    PERFORM 1 FROM user_stats s WHERE s.workspace_id = v_workspace_id AND s.user_id = p_user_id FOR UPDATE;
    SELECT coalesce(sum(ua.xp_awarded), 0), count(*), max(ua.completed_at)
      INTO v_xp, v_unlocked, v_last
      FROM user_achievements ua
     WHERE ua.workspace_id = v_workspace_id AND ua.user_id = p_user_id AND ua.completed_at IS NOT NULL;
    UPDATE user_stats s
       SET total_xp = v_xp,
           achievements_unlocked = v_unlocked,
           last_activity_at = GREATEST(s.last_activity_at, v_last),
           updated_at = now()
     WHERE s.workspace_id = v_workspace_id AND s.user_id = p_user_id
    RETURNING * INTO v_row;
    RETURN v_row;
END
$fn$;

COMMENT ON FUNCTION refresh_user_stats(uuid) IS
'Recomputes a member''s total_xp, level and achievements_unlocked in the current workspace from their completed user_achievements (xp_awarded), creating the stats row if missing. quests_completed and streaks are left as they are.';
