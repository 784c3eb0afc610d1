-- Function gamification_daily_login()
-- Created by gamification/migrations/0005_event_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION gamification_daily_login()
RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER
AS $fn$
-- users.last_login moves at every sign-in (Django's update_last_login, or any
-- service's). The first sign-in of a UTC day is a daily_login in each of the
-- person's workspaces: the event is unique per day, so later sign-ins add nothing.
DECLARE
    v_previous_workspace text := current_setting('app.current_workspace_id', true);
    v_previous_user text := current_setting('app.current_user_id', true);
    v_workspace_id uuid;
BEGIN
    -- The person signing in is the actor; their own memberships are visible to them.
    PERFORM set_config('app.current_user_id', NEW.id::text, true);
    PERFORM set_config('app.current_workspace_id', '', true);
    FOR v_workspace_id IN
        SELECT m.workspace_id FROM workspace_members m WHERE m.user_id = NEW.id ORDER BY m.workspace_id
    LOOP
        PERFORM set_config('app.current_workspace_id', v_workspace_id::text, true);
        PERFORM record_gamification_event(NEW.id, 'daily_login', NULL, NEW.last_login);
    END LOOP;
    PERFORM set_config('app.current_workspace_id', coalesce(v_previous_workspace, ''), true);
    PERFORM set_config('app.current_user_id', coalesce(v_previous_user, ''), true);
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION gamification_daily_login() IS
'Trigger function of users_daily_login: when last_login moves, records daily_login (once per UTC day) for the person in each workspace they belong to, then restores the caller''s app.current_* settings.';

