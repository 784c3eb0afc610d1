-- Function gamification_criteria_problem(jsonb, integer)
-- Created by gamification/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION gamification_criteria_problem(p_criteria jsonb, p_target_value integer)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SECURITY INVOKER
AS $fn$
DECLARE
    v_events text[] := ARRAY['quest_completed', 'campaign_launched', 'campaign_completed', 'cohort_created', 'positioning_published', 'signal_reviewed', 'insight_published', 'alert_resolved', 'daily_login', 'manual']::text[];
    v_key text;
    v_count jsonb;
    v_days jsonb;
BEGIN
    IF p_criteria IS NULL OR jsonb_typeof(p_criteria) <> 'object' THEN
        RETURN format('criteria must be a JSON object like {"event": "quest_completed", "count": 10}, got %s',
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
'NULL when achievement criteria are valid, else a readable reason. Shape: {"event": <quest_completed, campaign_launched, campaign_completed, cohort_created, positioning_published, signal_reviewed, insight_published, alert_resolved, daily_login, manual>, "count": <whole number = target_value>, "within_days": <optional 1..365>}, no other keys.';
