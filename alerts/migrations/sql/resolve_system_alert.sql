-- Function resolve_system_alert(uuid, text)
-- Created by alerts/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION resolve_system_alert(p_alert_id uuid, p_note text DEFAULT NULL) RETURNS system_alerts
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
DECLARE
    v_row system_alerts := alerts_lock_alert(p_alert_id, 'resolve it');
BEGIN
    IF v_row.status = 'resolved' THEN
        RETURN v_row;  -- idempotent: the first resolution (and its note) stands
    END IF;
    UPDATE system_alerts
       SET status = 'resolved',
           resolved_by_id = NULLIF(current_setting('app.current_user_id', true), '')::uuid,
           resolved_at = now(),
           resolution_note = COALESCE(btrim(p_note), ''),
           updated_at = now()
     WHERE id = p_alert_id
    RETURNING * INTO v_row;
    RETURN v_row;
END
$$;

COMMENT ON FUNCTION resolve_system_alert(uuid, text) IS
    'open or acknowledged -> resolved, recording app.current_user_id, now() and the note. Resolving a resolved alert returns it unchanged. A later raise with the same fingerprint opens a new alert.';
