-- Function gamification_credit_user_stats()
-- Created by gamification/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION gamification_credit_user_stats()
RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER
AS $fn$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.completed_at IS NOT NULL THEN
            -- UPDATE only: inside a user's or workspace's cascade the stats row may be going too.
            UPDATE user_stats s
               SET total_xp = GREATEST(s.total_xp - OLD.xp_awarded, 0),
                   achievements_unlocked = GREATEST(s.achievements_unlocked - 1, 0),
                   updated_at = now()
             WHERE s.workspace_id = OLD.workspace_id AND s.user_id = OLD.user_id;
        END IF;
        RETURN NULL;
    END IF;
    IF NEW.completed_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.completed_at IS NULL) THEN
        INSERT INTO user_stats AS s (workspace_id, user_id, total_xp, achievements_unlocked, last_activity_at)
        VALUES (NEW.workspace_id, NEW.user_id, NEW.xp_awarded, 1, NEW.completed_at)
        ON CONFLICT (workspace_id, user_id) DO UPDATE
           SET total_xp = s.total_xp + EXCLUDED.total_xp,
               achievements_unlocked = s.achievements_unlocked + 1,
               last_activity_at = GREATEST(s.last_activity_at, EXCLUDED.last_activity_at),
               updated_at = now();
    END IF;
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION gamification_credit_user_stats() IS
'Trigger function of user_achievements_credit_stats: on completion (once per row) adds xp_awarded and one unlock to user_stats (level follows); on deleting a completed row takes them back.';
