"""Triggers that keep progress and stats honest, whoever writes them.

- ``gamification_assert_member(workspace, user)``: raises a readable error when
  the user is not a member of the workspace (the member keys of 0003 are the
  hard guarantee; this is the message).
- ``user_achievements_validate`` (BEFORE INSERT/UPDATE): member check, progress
  within 0..target, reaching the target completes the row, completion records
  the achievement's xp in ``xp_awarded``, a completed row is final.
- ``user_achievements_credit_stats`` (AFTER INSERT/UPDATE/DELETE): when a row
  becomes completed, the user's stats gain its xp and one unlock, exactly once
  (the transition NULL -> NOT NULL happens once per row under its row lock);
  deleting a completed row takes them back.
- ``user_stats_validate`` (BEFORE INSERT/UPDATE): member check; ``level`` is
  always ``gamification_level_for_xp(total_xp)``.

Triggers use the row's own workspace_id, never the session setting, so they
behave the same inside foreign-key cascades.
"""

from django.db import migrations

ASSERT_MEMBER = """
CREATE OR REPLACE FUNCTION gamification_assert_member(p_workspace_id uuid, p_user_id uuid)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY INVOKER
AS $fn$
DECLARE
    v_email text;
BEGIN
    IF p_user_id IS NULL THEN
        RAISE EXCEPTION 'a user is required' USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM workspace_members m WHERE m.workspace_id = p_workspace_id AND m.user_id = p_user_id) THEN
        RETURN;
    END IF;
    SELECT u.email INTO v_email FROM users u WHERE u.id = p_user_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user % does not exist', p_user_id USING ERRCODE = '22023';
    END IF;
    RAISE EXCEPTION 'user % is not a member of this workspace', v_email
        USING ERRCODE = '22023', HINT = 'Only members of the workspace earn its achievements; add them as a member first.';
END
$fn$;
COMMENT ON FUNCTION gamification_assert_member(uuid, uuid) IS
'Raises a readable 22023 error unless the user is a member of the workspace (used by the gamification functions and triggers).';
"""

USER_ACHIEVEMENT_VALIDATE = """
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
DROP TRIGGER IF EXISTS user_achievements_validate ON user_achievements;
CREATE TRIGGER user_achievements_validate
    BEFORE INSERT OR UPDATE ON user_achievements
    FOR EACH ROW EXECUTE FUNCTION gamification_user_achievement_validate();
"""

CREDIT_STATS = """
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
DROP TRIGGER IF EXISTS user_achievements_credit_stats ON user_achievements;
CREATE TRIGGER user_achievements_credit_stats
    AFTER INSERT OR UPDATE OR DELETE ON user_achievements
    FOR EACH ROW EXECUTE FUNCTION gamification_credit_user_stats();
"""

USER_STATS_VALIDATE = """
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
DROP TRIGGER IF EXISTS user_stats_validate ON user_stats;
CREATE TRIGGER user_stats_validate
    BEFORE INSERT OR UPDATE ON user_stats
    FOR EACH ROW EXECUTE FUNCTION gamification_user_stats_validate();
"""


def trigger_sql(sql, trigger, table, function):
    return migrations.RunSQL(
        sql=sql,
        reverse_sql=[f"DROP TRIGGER IF EXISTS {trigger} ON {table};", f"DROP FUNCTION IF EXISTS {function}();"],
    )


class Migration(migrations.Migration):
    dependencies = [("gamification", "0005_level_curve")]

    operations = [
        migrations.RunSQL(sql=ASSERT_MEMBER, reverse_sql="DROP FUNCTION IF EXISTS gamification_assert_member(uuid, uuid);"),
        trigger_sql(USER_ACHIEVEMENT_VALIDATE, "user_achievements_validate", "user_achievements", "gamification_user_achievement_validate"),
        trigger_sql(CREDIT_STATS, "user_achievements_credit_stats", "user_achievements", "gamification_credit_user_stats"),
        trigger_sql(USER_STATS_VALIDATE, "user_stats_validate", "user_stats", "gamification_user_stats_validate"),
    ]
