-- Function gamification_fire_event()
-- Created by gamification/migrations/0005_event_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION gamification_fire_event()
RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER
AS $fn$
-- TG_ARGV[0]: the event. On UPDATE, only a change of status fires (the WHEN clause
-- of the trigger names the new status).
DECLARE
    v_actor uuid := NULLIF(current_setting('app.current_user_id', true), '')::uuid;
    v_workspace_id uuid := NULLIF(current_setting('app.current_workspace_id', true), '')::uuid;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- Nested: OLD.status is only planned for tables that have it (cohorts fire on INSERT).
        IF OLD.status IS NOT DISTINCT FROM NEW.status THEN
            RETURN NULL;
        END IF;
    END IF;
    -- No actor, no credit: a write without app.current_user_id (a DBA, a job) earns nobody
    -- anything. Nor does one from outside the row's workspace or by a non-member (a
    -- platform superuser visiting): the write itself goes through untouched.
    IF v_actor IS NULL OR v_workspace_id IS DISTINCT FROM NEW.workspace_id THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM workspace_members m WHERE m.workspace_id = v_workspace_id AND m.user_id = v_actor) THEN
        RETURN NULL;
    END IF;
    PERFORM record_gamification_event(v_actor, TG_ARGV[0], NEW.id, now());
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION gamification_fire_event() IS
'Trigger function: records the event named by the trigger''s argument for app.current_user_id (the actor) with the row as subject, through record_gamification_event. No actor, another workspace or a non-member: no credit, and the write proceeds.';

