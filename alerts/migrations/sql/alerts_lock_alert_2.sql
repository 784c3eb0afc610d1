-- Function alerts_lock_alert(uuid, text), second version
-- Created by alerts/migrations/0005_platform_alerts_read_path.py, which reads this file at this path
-- (its reverse reads alerts_lock_alert.sql). Never edit this file after release: to change the
-- function, add a new file and a new migration that replaces it.
--
-- Since alerts 0005 a workspace no longer reads platform-wide rows from the
-- table (its SELECT policy is the workspace equality alone): "read-only" is
-- told apart from "missing" through platform_system_alerts().

CREATE OR REPLACE FUNCTION alerts_lock_alert(p_alert_id uuid, p_action text) RETURNS system_alerts
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
DECLARE
    v_row system_alerts;
BEGIN
    IF p_alert_id IS NULL THEN
        RAISE EXCEPTION 'an alert id is required' USING ERRCODE = '22023';
    END IF;
    -- FOR UPDATE reads through the UPDATE policies: a platform-wide alert is not
    -- lockable by a workspace, so tell "read-only" apart from "missing".
    SELECT * INTO v_row FROM system_alerts WHERE id = p_alert_id FOR UPDATE;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM platform_system_alerts() AS p WHERE p.id = p_alert_id) THEN
            RAISE EXCEPTION 'alert % is platform-wide: a workspace may read it but not %', p_alert_id, p_action
                USING ERRCODE = '42501', HINT = 'Platform-wide alerts are handled by the platform team (the schema owner).';
        END IF;
        RAISE EXCEPTION 'alert % does not exist in this workspace', p_alert_id USING ERRCODE = 'P0002';
    END IF;
    RETURN v_row;
END
$$;

COMMENT ON FUNCTION alerts_lock_alert(uuid, text) IS
    'Helper of acknowledge/resolve_system_alert: the alert row locked FOR UPDATE, or a readable error (missing, platform-wide).';
