-- Function award_achievement(uuid, uuid, uuid)
-- Created by gamification/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION award_achievement(p_user_id uuid, p_achievement_id uuid, p_awarded_by uuid DEFAULT NULL)
RETURNS user_achievements
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $fn$
DECLARE
    v_workspace_id uuid;
    v_achievement achievements;
    v_row user_achievements;
    v_awarded_by uuid := coalesce(p_awarded_by, NULLIF(current_setting('app.current_user_id', true), '')::uuid);
BEGIN

    v_workspace_id := NULLIF(current_setting('app.current_workspace_id', true), '')::uuid;
    IF v_workspace_id IS NULL THEN
        RAISE EXCEPTION 'no workspace is set (app.current_workspace_id is empty)'
            USING ERRCODE = '55000', HINT = 'Call it inside a request or raptorflow.tenancy.workspace_context().';
    END IF;
    IF p_achievement_id IS NULL THEN
        RAISE EXCEPTION 'an achievement is required' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO v_achievement FROM achievements a WHERE a.workspace_id = v_workspace_id AND a.id = p_achievement_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'achievement % does not exist in this workspace', p_achievement_id
            USING ERRCODE = '22023', HINT = 'Pick an achievement of the current workspace.';
    END IF;
    PERFORM gamification_assert_member(v_workspace_id, p_user_id);

    IF v_awarded_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = v_awarded_by) THEN
        RAISE EXCEPTION 'awarding user % does not exist', v_awarded_by USING ERRCODE = '22023';
    END IF;
    INSERT INTO user_achievements AS ua (workspace_id, user_id, achievement_id, progress, completed_at, awarded_by_id)
    VALUES (v_workspace_id, p_user_id, p_achievement_id, v_achievement.target_value, now(), v_awarded_by)
    ON CONFLICT (workspace_id, user_id, achievement_id) DO UPDATE
       SET progress = EXCLUDED.progress,
           completed_at = EXCLUDED.completed_at,
           awarded_by_id = EXCLUDED.awarded_by_id,
           updated_at = now()
     WHERE ua.completed_at IS NULL
    RETURNING * INTO v_row;
    IF NOT FOUND THEN
        -- Already completed (earned or awarded before): idempotent, the row stays as it was.
        SELECT * INTO v_row FROM user_achievements ua
         WHERE ua.workspace_id = v_workspace_id AND ua.user_id = p_user_id AND ua.achievement_id = p_achievement_id;
    END IF;
    RETURN v_row;
END
$fn$;

COMMENT ON FUNCTION award_achievement(uuid, uuid, uuid) IS
'Completes an achievement of the current workspace for a member by hand (also inactive ones). awarded_by defaults to app.current_user_id. Idempotent: awarding a completed achievement returns the existing row and credits nothing again.';
