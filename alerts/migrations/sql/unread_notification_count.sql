-- Function unread_notification_count()
-- Created by alerts/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION unread_notification_count() RETURNS integer
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = public, pg_temp AS $$
    SELECT count(*)::integer
      FROM user_notifications
     WHERE workspace_id = (SELECT NULLIF(current_setting('app.current_workspace_id', true), '')::uuid)
       AND user_id = (SELECT NULLIF(current_setting('app.current_user_id', true), '')::uuid)
       AND read_at IS NULL
       AND (expires_at IS NULL OR expires_at > now())
$$;

COMMENT ON FUNCTION unread_notification_count() IS
    'Unread, unexpired notifications of the current user in the current workspace (the admin header badge); 0 without a context.';
