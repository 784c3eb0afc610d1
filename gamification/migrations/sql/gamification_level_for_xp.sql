-- Function gamification_level_for_xp(integer)
-- Created by gamification/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION gamification_level_for_xp(xp integer)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SECURITY INVOKER
AS $fn$
BEGIN
    IF xp < 0 THEN
        RAISE EXCEPTION 'xp must be zero or positive, got %', xp
            USING ERRCODE = '22023', HINT = 'Total experience points never go below zero.';
    END IF;
    RETURN floor(sqrt(xp / 100.0))::integer + 1;
END
$fn$;

COMMENT ON FUNCTION gamification_level_for_xp(integer) IS
'Level for a total of experience points: floor(sqrt(xp / 100)) + 1, so level n starts at 100 * (n - 1)^2 xp '
'(level 1: 0 xp, 2: 100, 3: 400, 4: 900, 5: 1600, 10: 8100, 20: 36100). Each level costs 200 xp more than the one before. '
'NULL for NULL; negative xp raises 22023.';
