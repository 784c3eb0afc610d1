-- Function gamification_check_criteria()
-- Created by gamification/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

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
