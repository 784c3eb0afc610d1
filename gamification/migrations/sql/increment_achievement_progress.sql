-- Function increment_achievement_progress(uuid, uuid, integer)
-- Created by gamification/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION increment_achievement_progress(p_user_id uuid, p_achievement_id uuid, p_amount integer DEFAULT 1)
RETURNS user_achievements
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $fn$
DECLARE
    v_workspace_id uuid;
    v_achievement achievements;
    v_row user_achievements;
BEGIN
    IF p_amount IS NULL OR p_amount <= 0 THEN
        RAISE EXCEPTION 'amount must be positive, got %', coalesce(p_amount::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Progress only moves forward; delete the row to start over.';
    END IF;

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

    IF NOT v_achievement.is_active THEN
        RAISE EXCEPTION 'achievement "%" is inactive and makes no progress', v_achievement.name
            USING ERRCODE = '22023', HINT = 'Activate it in the admin first.';
    END IF;
    -- The validation trigger completes the row when progress reaches the target.
    INSERT INTO user_achievements AS ua (workspace_id, user_id, achievement_id, progress)
    VALUES (v_workspace_id, p_user_id, p_achievement_id, LEAST(p_amount, v_achievement.target_value))
    ON CONFLICT (workspace_id, user_id, achievement_id) DO UPDATE
       SET progress = LEAST(ua.progress::bigint + p_amount, v_achievement.target_value)::integer,
           updated_at = now()
     WHERE ua.completed_at IS NULL
    RETURNING * INTO v_row;
    IF NOT FOUND THEN
        -- Already completed: progress is final, nothing to do.
        SELECT * INTO v_row FROM user_achievements ua
         WHERE ua.workspace_id = v_workspace_id AND ua.user_id = p_user_id AND ua.achievement_id = p_achievement_id;
    END IF;
    RETURN v_row;
END
$fn$;

COMMENT ON FUNCTION increment_achievement_progress(uuid, uuid, integer) IS
'Adds p_amount (> 0) to a member''s progress on an active achievement of the current workspace: creates the row, caps at target_value, completes it once (the credit_stats trigger then adds xp, level and an unlock to user_stats). A completed row is returned unchanged. Concurrency-safe (INSERT ... ON CONFLICT DO UPDATE).';
