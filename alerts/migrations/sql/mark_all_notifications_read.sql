-- Function mark_all_notifications_read()
-- Created by alerts/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION mark_all_notifications_read() RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
DECLARE
    v_count integer;
BEGIN
    UPDATE user_notifications
       SET read_at = now(), updated_at = now()
     WHERE workspace_id = NULLIF(current_setting('app.current_workspace_id', true), '')::uuid
       AND user_id = NULLIF(current_setting('app.current_user_id', true), '')::uuid
       AND read_at IS NULL;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

COMMENT ON FUNCTION mark_all_notifications_read() IS
    'Mark every unread notification of the current user in the current workspace read; returns how many changed.';
