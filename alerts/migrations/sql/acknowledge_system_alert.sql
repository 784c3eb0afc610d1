-- Function acknowledge_system_alert(uuid)
-- Created by alerts/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION acknowledge_system_alert(p_alert_id uuid) RETURNS system_alerts
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
DECLARE
    v_row system_alerts := alerts_lock_alert(p_alert_id, 'acknowledge it');
BEGIN
    IF v_row.status = 'resolved' THEN
        RAISE EXCEPTION 'alert % is already resolved and cannot be acknowledged', p_alert_id
            USING ERRCODE = '55000', HINT = 'Valid transitions: open -> acknowledged -> resolved, open -> resolved.';
    END IF;
    IF v_row.status = 'acknowledged' THEN
        RETURN v_row;  -- idempotent: the first acknowledgement stands
    END IF;
    UPDATE system_alerts
       SET status = 'acknowledged',
           acknowledged_by_id = NULLIF(current_setting('app.current_user_id', true), '')::uuid,
           acknowledged_at = now(),
           updated_at = now()
     WHERE id = p_alert_id
    RETURNING * INTO v_row;
    RETURN v_row;
END
$$;

COMMENT ON FUNCTION acknowledge_system_alert(uuid) IS
    'open -> acknowledged, recording app.current_user_id and now(). Acknowledging an acknowledged alert returns it unchanged; a resolved one raises (55000).';
