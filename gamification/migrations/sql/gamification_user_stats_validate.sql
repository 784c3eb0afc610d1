-- Function gamification_user_stats_validate()
-- Created by gamification/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION gamification_user_stats_validate()
RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER
AS $fn$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.user_id IS DISTINCT FROM OLD.user_id OR NEW.workspace_id IS DISTINCT FROM OLD.workspace_id THEN
        PERFORM gamification_assert_member(NEW.workspace_id, NEW.user_id);
    END IF;
    NEW.level := gamification_level_for_xp(NEW.total_xp);
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION gamification_user_stats_validate() IS
'Trigger function of user_stats_validate: member check; level = gamification_level_for_xp(total_xp).';
