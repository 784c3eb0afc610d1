"""The gamification functions (``sql/``, one file each) and the triggers that keep progress and stats honest.

All SECURITY INVOKER: row-level security applies to them. Triggers use the
row's own workspace_id, never the session setting, so they behave the same
inside foreign-key cascades.

Achievement criteria, one documented shape checked by the database:
``{"event": "quest_completed", "count": 10, "within_days": 30}``; ``event``
one of the events of gamification.models.CRITERIA_EVENTS, ``count`` a whole
number >= 1 equal to the achievement's target_value, ``within_days`` optional,
1 to 365; no other keys.

- ``gamification_criteria_problem(criteria, target_value)``: NULL for valid
  criteria, else a readable sentence (the admin form shows the same one);
  trigger ``achievements_check_criteria`` raises it (SQLSTATE 23514) for any
  other writer.
- ``gamification_level_for_xp(xp)``: the level curve.
- ``gamification_assert_member(workspace, user)``: a readable error when the
  user is not a member (the member keys are the hard guarantee).
- ``user_achievements_validate`` (BEFORE INSERT/UPDATE): member check,
  progress within 0..target, reaching the target completes the row,
  completion records the achievement's xp in ``xp_awarded``, a completed row
  is final.
- ``user_achievements_credit_stats`` (AFTER INSERT/UPDATE/DELETE): when a row
  becomes completed, the user's stats gain its xp and one unlock, exactly
  once; deleting a completed row takes them back.
- ``user_stats_validate`` (BEFORE INSERT/UPDATE): member check; ``level`` is
  always ``gamification_level_for_xp(total_xp)``.
- ``increment_achievement_progress``, ``award_achievement``,
  ``refresh_user_stats``: the SPEC's functions. They work in the current
  workspace, refuse bad input with a readable message (22023; 55000 without a
  workspace), and are safe under concurrency: one INSERT ... ON CONFLICT DO
  UPDATE ... WHERE completed_at IS NULL per call, so completion (hence the xp
  credit) happens once.
"""

from django.db import migrations

from raptorflow.migration_ops import sql_file


CHECK_CRITERIA_TRIGGER = """
DROP TRIGGER IF EXISTS achievements_check_criteria ON achievements;
CREATE TRIGGER achievements_check_criteria
    BEFORE INSERT OR UPDATE OF criteria, target_value ON achievements
    FOR EACH ROW EXECUTE FUNCTION gamification_check_criteria();
"""
USER_ACHIEVEMENTS_VALIDATE_TRIGGER = """
DROP TRIGGER IF EXISTS user_achievements_validate ON user_achievements;
CREATE TRIGGER user_achievements_validate
    BEFORE INSERT OR UPDATE ON user_achievements
    FOR EACH ROW EXECUTE FUNCTION gamification_user_achievement_validate();
"""
CREDIT_STATS_TRIGGER = """
DROP TRIGGER IF EXISTS user_achievements_credit_stats ON user_achievements;
CREATE TRIGGER user_achievements_credit_stats
    AFTER INSERT OR UPDATE OR DELETE ON user_achievements
    FOR EACH ROW EXECUTE FUNCTION gamification_credit_user_stats();
"""
USER_STATS_VALIDATE_TRIGGER = """
DROP TRIGGER IF EXISTS user_stats_validate ON user_stats;
CREATE TRIGGER user_stats_validate
    BEFORE INSERT OR UPDATE ON user_stats
    FOR EACH ROW EXECUTE FUNCTION gamification_user_stats_validate();
"""


class Migration(migrations.Migration):
    dependencies = [("gamification", "0002_row_level_security")]

    operations = [
        migrations.RunSQL(
            sql_file(__file__, "gamification_criteria_problem.sql"),
            "DROP FUNCTION IF EXISTS gamification_criteria_problem(jsonb, integer);",
        ),
        migrations.RunSQL(
            sql_file(__file__, "gamification_check_criteria.sql"),
            "DROP FUNCTION IF EXISTS gamification_check_criteria();",
        ),
        migrations.RunSQL(CHECK_CRITERIA_TRIGGER, "DROP TRIGGER IF EXISTS achievements_check_criteria ON achievements;"),
        migrations.RunSQL(
            sql_file(__file__, "gamification_level_for_xp.sql"),
            "DROP FUNCTION IF EXISTS gamification_level_for_xp(integer);",
        ),
        migrations.RunSQL(
            sql_file(__file__, "gamification_assert_member.sql"),
            "DROP FUNCTION IF EXISTS gamification_assert_member(uuid, uuid);",
        ),
        migrations.RunSQL(
            sql_file(__file__, "gamification_user_achievement_validate.sql"),
            "DROP FUNCTION IF EXISTS gamification_user_achievement_validate();",
        ),
        migrations.RunSQL(
            USER_ACHIEVEMENTS_VALIDATE_TRIGGER, "DROP TRIGGER IF EXISTS user_achievements_validate ON user_achievements;"
        ),
        migrations.RunSQL(
            sql_file(__file__, "gamification_credit_user_stats.sql"),
            "DROP FUNCTION IF EXISTS gamification_credit_user_stats();",
        ),
        migrations.RunSQL(
            CREDIT_STATS_TRIGGER, "DROP TRIGGER IF EXISTS user_achievements_credit_stats ON user_achievements;"
        ),
        migrations.RunSQL(
            sql_file(__file__, "gamification_user_stats_validate.sql"),
            "DROP FUNCTION IF EXISTS gamification_user_stats_validate();",
        ),
        migrations.RunSQL(USER_STATS_VALIDATE_TRIGGER, "DROP TRIGGER IF EXISTS user_stats_validate ON user_stats;"),
        migrations.RunSQL(
            sql_file(__file__, "increment_achievement_progress.sql"),
            "DROP FUNCTION IF EXISTS increment_achievement_progress(uuid, uuid, integer);",
        ),
        migrations.RunSQL(
            sql_file(__file__, "award_achievement.sql"),
            "DROP FUNCTION IF EXISTS award_achievement(uuid, uuid, uuid);",
        ),
        migrations.RunSQL(
            sql_file(__file__, "refresh_user_stats.sql"),
            "DROP FUNCTION IF EXISTS refresh_user_stats(uuid);",
        ),
    ]
