"""The SPEC's gamification functions (SECURITY INVOKER: RLS applies to them).

- ``increment_achievement_progress(user, achievement, amount = 1)``
- ``award_achievement(user, achievement, awarded_by = NULL)``
- ``refresh_user_stats(user)``

All work in the current workspace (``app.current_workspace_id``), refuse bad
input with a readable message (SQLSTATE 22023; 55000 without a workspace), and
are safe under concurrency: one ``INSERT ... ON CONFLICT DO UPDATE ... WHERE
completed_at IS NULL`` per call, so concurrent calls serialize on the row lock
and re-check the row, and completion (hence the xp credit) happens once.
"""

from django.db import migrations

CURRENT_WORKSPACE = "NULLIF(current_setting('app.current_workspace_id', true), '')::uuid"
CURRENT_USER = "NULLIF(current_setting('app.current_user_id', true), '')::uuid"

# Shared prologue: the workspace, the achievement (visible through RLS) and the member.
PROLOGUE = f"""
    v_workspace_id := {CURRENT_WORKSPACE};
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
"""

INCREMENT = f"""
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
{PROLOGUE}
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
"""

AWARD = f"""
CREATE OR REPLACE FUNCTION award_achievement(p_user_id uuid, p_achievement_id uuid, p_awarded_by uuid DEFAULT NULL)
RETURNS user_achievements
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $fn$
DECLARE
    v_workspace_id uuid;
    v_achievement achievements;
    v_row user_achievements;
    v_awarded_by uuid := coalesce(p_awarded_by, {CURRENT_USER});
BEGIN
{PROLOGUE}
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
"""

REFRESH = f"""
CREATE OR REPLACE FUNCTION refresh_user_stats(p_user_id uuid)
RETURNS user_stats
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $fn$
DECLARE
    v_workspace_id uuid := {CURRENT_WORKSPACE};
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
"""


class Migration(migrations.Migration):
    dependencies = [("gamification", "0006_progress_triggers")]

    operations = [
        migrations.RunSQL(
            sql=INCREMENT,
            reverse_sql="DROP FUNCTION IF EXISTS increment_achievement_progress(uuid, uuid, integer);",
        ),
        migrations.RunSQL(sql=AWARD, reverse_sql="DROP FUNCTION IF EXISTS award_achievement(uuid, uuid, uuid);"),
        migrations.RunSQL(sql=REFRESH, reverse_sql="DROP FUNCTION IF EXISTS refresh_user_stats(uuid);"),
    ]
