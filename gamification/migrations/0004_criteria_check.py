"""Achievement criteria: one documented shape, checked by the database.

``gamification_criteria_problem(criteria, target_value)`` returns NULL for valid
criteria, else a readable sentence; the admin form shows that same sentence
next to the field, and trigger ``achievements_check_criteria`` raises it
(SQLSTATE 23514) for any other writer. The shape:

    {"event": "quest_completed", "count": 10, "within_days": 30}

- ``event`` (required): one of EVENTS below (copied from gamification.models.CRITERIA_EVENTS).
- ``count`` (required): a whole number >= 1, equal to the achievement's target_value.
- ``within_days`` (optional): a whole number from 1 to 365.
No other keys.
"""

from django.db import migrations

EVENTS = (
    "quest_completed",
    "campaign_launched",
    "campaign_completed",
    "cohort_created",
    "positioning_published",
    "signal_reviewed",
    "insight_published",
    "alert_resolved",
    "daily_login",
    "manual",
)
EVENTS_SQL = "ARRAY[" + ", ".join(f"'{e}'" for e in EVENTS) + "]::text[]"

PROBLEM_FUNCTION = f"""
CREATE OR REPLACE FUNCTION gamification_criteria_problem(p_criteria jsonb, p_target_value integer)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SECURITY INVOKER
AS $fn$
DECLARE
    v_events text[] := {EVENTS_SQL};
    v_key text;
    v_count jsonb;
    v_days jsonb;
BEGIN
    IF p_criteria IS NULL OR jsonb_typeof(p_criteria) <> 'object' THEN
        RETURN format('criteria must be a JSON object like {{"event": "quest_completed", "count": 10}}, got %s',
                      coalesce(jsonb_typeof(p_criteria), 'nothing'));
    END IF;
    FOR v_key IN SELECT jsonb_object_keys(p_criteria) LOOP
        IF v_key <> ALL (ARRAY['event', 'count', 'within_days']) THEN
            RETURN format('criteria: unknown key "%s" (allowed: event, count, within_days)', v_key);
        END IF;
    END LOOP;
    IF NOT p_criteria ? 'event' THEN
        RETURN format('criteria: "event" is required (one of: %s)', array_to_string(v_events, ', '));
    END IF;
    IF jsonb_typeof(p_criteria -> 'event') <> 'string' OR NOT (p_criteria ->> 'event') = ANY (v_events) THEN
        RETURN format('criteria: unknown event %s (allowed: %s)', p_criteria -> 'event', array_to_string(v_events, ', '));
    END IF;
    IF NOT p_criteria ? 'count' THEN
        RETURN 'criteria: "count" is required (a whole number >= 1)';
    END IF;
    v_count := p_criteria -> 'count';
    IF jsonb_typeof(v_count) <> 'number' OR v_count::text::numeric <> trunc(v_count::text::numeric)
       OR v_count::text::numeric < 1 OR v_count::text::numeric > 2147483647 THEN
        RETURN format('criteria: "count" must be a whole number >= 1, got %s', v_count);
    END IF;
    IF p_target_value IS NOT NULL AND v_count::text::numeric <> p_target_value THEN
        RETURN format('criteria: "count" (%s) must equal the target value (%s)', v_count, p_target_value);
    END IF;
    IF p_criteria ? 'within_days' THEN
        v_days := p_criteria -> 'within_days';
        IF jsonb_typeof(v_days) <> 'number' OR v_days::text::numeric <> trunc(v_days::text::numeric)
           OR v_days::text::numeric NOT BETWEEN 1 AND 365 THEN
            RETURN format('criteria: "within_days" must be a whole number from 1 to 365, got %s', v_days);
        END IF;
    END IF;
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION gamification_criteria_problem(jsonb, integer) IS
'NULL when achievement criteria are valid, else a readable reason. Shape: {{"event": <{", ".join(EVENTS)}>, "count": <whole number = target_value>, "within_days": <optional 1..365>}}, no other keys.';
"""

TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION gamification_check_criteria()
RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER
AS $fn$
DECLARE
    v_problem text := gamification_criteria_problem(NEW.criteria, NEW.target_value);
BEGIN
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION '%', v_problem
            USING ERRCODE = '23514',
                  HINT = 'Criteria look like {"event": "quest_completed", "count": 10}; count equals target_value.';
    END IF;
    RETURN NEW;
END
$fn$;
COMMENT ON FUNCTION gamification_check_criteria() IS
'Trigger function of achievements_check_criteria: raises gamification_criteria_problem() as a check violation.';
DROP TRIGGER IF EXISTS achievements_check_criteria ON achievements;
CREATE TRIGGER achievements_check_criteria
    BEFORE INSERT OR UPDATE OF criteria, target_value ON achievements
    FOR EACH ROW EXECUTE FUNCTION gamification_check_criteria();
"""


class Migration(migrations.Migration):
    dependencies = [("gamification", "0003_same_workspace_keys")]

    operations = [
        migrations.RunSQL(
            sql=PROBLEM_FUNCTION,
            reverse_sql="DROP FUNCTION IF EXISTS gamification_criteria_problem(jsonb, integer);",
        ),
        migrations.RunSQL(
            sql=TRIGGER_FUNCTION,
            reverse_sql=[
                "DROP TRIGGER IF EXISTS achievements_check_criteria ON achievements;",
                "DROP FUNCTION IF EXISTS gamification_check_criteria();",
            ],
        ),
    ]
