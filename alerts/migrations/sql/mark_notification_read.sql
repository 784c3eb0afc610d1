-- Function mark_notification_read(uuid)
-- Created by alerts/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION mark_notification_read(p_notification_id uuid) RETURNS user_notifications
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
DECLARE
    v_row user_notifications;
BEGIN
    UPDATE user_notifications
       SET read_at = COALESCE(read_at, now()),
           updated_at = CASE WHEN read_at IS NULL THEN now() ELSE updated_at END
     WHERE id = p_notification_id
       AND user_id = NULLIF(current_setting('app.current_user_id', true), '')::uuid
    RETURNING * INTO v_row;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'notification % does not exist among your notifications in this workspace', p_notification_id
            USING ERRCODE = 'P0002';
    END IF;
    RETURN v_row;
END
$$;

COMMENT ON FUNCTION mark_notification_read(uuid) IS
    'Mark one of the current user''s notifications read (idempotent: the first read_at stays). Another user''s notification is reported as missing.';
