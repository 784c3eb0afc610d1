-- Function refresh_user_stats(uuid), second version: also counts gamification_events
-- (quest xp, quests completed, streaks). Replaces refresh_user_stats.sql; created by
-- gamification/migrations/0005_event_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: add a new file and a new migration instead.

CREATE OR REPLACE FUNCTION refresh_user_stats(p_user_id uuid)
RETURNS user_stats
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $fn$
DECLARE
    v_workspace_id uuid := NULLIF(current_setting('app.current_workspace_id', true), '')::uuid;
    v_xp bigint;
    v_unlocked integer;
    v_last timestamptz;
    v_event_xp bigint;
    v_quests integer;
    v_last_event timestamptz;
    v_streaks record;
    v_row user_stats;
BEGIN
    IF v_workspace_id IS NULL THEN
        RAISE EXCEPTION 'no workspace is set (app.current_workspace_id is empty)'
            USING ERRCODE = '55000', HINT = 'Call it inside a request or raptorflow.tenancy.workspace_context().';
    END IF;
    PERFORM gamification_assert_member(v_workspace_id, p_user_id);
    -- Lock the stats row first: a completion or event committing meanwhile waits, then adds on top of our total.
    INSERT INTO user_stats (workspace_id, user_id) VALUES (v_workspace_id, p_user_id)
    ON CONFLICT (workspace_id, user_id) DO NOTHING;
    PERFORM 1 FROM user_stats s WHERE s.workspace_id = v_workspace_id AND s.user_id = p_user_id FOR UPDATE;
    SELECT coalesce(sum(ua.xp_awarded), 0), count(*), max(ua.completed_at)
      INTO v_xp, v_unlocked, v_last
      FROM user_achievements ua
     WHERE ua.workspace_id = v_workspace_id AND ua.user_id = p_user_id AND ua.completed_at IS NOT NULL;
    SELECT coalesce(sum(e.xp_awarded), 0), count(*) FILTER (WHERE e.event = 'quest_completed'), max(e.occurred_at)
      INTO v_event_xp, v_quests, v_last_event
      FROM gamification_events e
     WHERE e.workspace_id = v_workspace_id AND e.user_id = p_user_id;
    SELECT * INTO v_streaks FROM gamification_streaks(v_workspace_id, p_user_id);
    UPDATE user_stats s
       SET total_xp = v_xp + v_event_xp,
           achievements_unlocked = v_unlocked,
           quests_completed = v_quests,
           current_streak_days = v_streaks.current_streak_days,
           longest_streak_days = v_streaks.longest_streak_days,
           last_activity_at = GREATEST(s.last_activity_at, v_last, v_last_event),
           updated_at = now()
     WHERE s.workspace_id = v_workspace_id AND s.user_id = p_user_id
    RETURNING * INTO v_row;
    RETURN v_row;
END
$fn$;

COMMENT ON FUNCTION refresh_user_stats(uuid) IS
'Recomputes a member''s stats in the current workspace: total_xp (completed achievements'' xp_awarded plus the xp of completed quests in gamification_events), level, achievements_unlocked, quests_completed, current and longest streak, last activity; creates the row if missing.';
