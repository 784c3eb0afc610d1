-- Function gamification_user_achievement_validate()
-- Created by gamification/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION gamification_user_achievement_validate()
RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER
AS $fn$
DECLARE
    v_achievement record;
BEGIN
    IF TG_OP = 'INSERT' OR NEW.user_id IS DISTINCT FROM OLD.user_id OR NEW.workspace_id IS DISTINCT FROM OLD.workspace_id THEN
        PERFORM gamification_assert_member(NEW.workspace_id, NEW.user_id);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.progress = OLD.progress AND NEW.completed_at IS NOT DISTINCT FROM OLD.completed_at
           AND NEW.xp_awarded = OLD.xp_awarded AND NEW.achievement_id = OLD.achievement_id THEN
            RETURN NEW;  -- nothing about progress changed (e.g. awarded_by cleared by a user deletion)
        END IF;
        IF OLD.completed_at IS NOT NULL THEN
            RAISE EXCEPTION 'this achievement is already completed for the user; its progress is final'
                USING ERRCODE = '22023', HINT = 'Delete the row to take the achievement (and its xp) back.';
        END IF;
    END IF;
    SELECT a.name, a.target_value, a.xp_reward INTO v_achievement
      FROM achievements a WHERE a.workspace_id = NEW.workspace_id AND a.id = NEW.achievement_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'achievement % does not exist in this workspace', NEW.achievement_id USING ERRCODE = '22023';
    END IF;
    IF NEW.progress > v_achievement.target_value THEN
        RAISE EXCEPTION 'progress % is above the target % of achievement "%"', NEW.progress, v_achievement.target_value, v_achievement.name
            USING ERRCODE = '22023', HINT = 'Progress runs from 0 to the target value.';
    END IF;
    IF NEW.completed_at IS NULL AND NEW.progress = v_achievement.target_value THEN
        NEW.completed_at := now();
    END IF;
    IF NEW.completed_at IS NOT NULL THEN
        NEW.progress := v_achievement.target_value;
        NEW.xp_awarded := v_achievement.xp_reward;
    ELSE
        NEW.xp_awarded := 0;
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION gamification_user_achievement_validate() IS
'Trigger function of user_achievements_validate: member check, 0 <= progress <= target, completion at the target, xp_awarded fixed at completion, completed rows final.';
