-- Function user_notifications_check_alert(), second version
-- Created by alerts/migrations/0005_platform_alerts_read_path.py, which reads this file at this path
-- (its reverse reads user_notifications_check_alert.sql). Never edit this file after release: to
-- change the function, add a new file and a new migration that replaces it.
--
-- Since alerts 0005 a workspace reads platform-wide alerts through
-- platform_system_alerts(), not from the table (whose SELECT policy for the
-- app role is the workspace equality alone); the schema owner still reads them
-- from the table through system_alerts_platform_owner.

CREATE OR REPLACE FUNCTION user_notifications_check_alert() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER SET search_path = public, pg_temp AS $$
DECLARE
    v_alert_workspace uuid;
BEGIN
    IF NEW.alert_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT a.workspace_id INTO v_alert_workspace FROM system_alerts a WHERE a.id = NEW.alert_id;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM platform_system_alerts() AS p WHERE p.id = NEW.alert_id) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'alert % does not exist in this workspace', NEW.alert_id
            USING ERRCODE = '23503',
                  HINT = 'A notification may refer to an alert of its own workspace or to a platform-wide alert.';
    END IF;
    IF v_alert_workspace IS NOT NULL AND v_alert_workspace IS DISTINCT FROM NEW.workspace_id THEN
        RAISE EXCEPTION 'alert % does not exist in this workspace', NEW.alert_id
            USING ERRCODE = '23503',
                  HINT = 'A notification may refer to an alert of its own workspace or to a platform-wide alert.';
    END IF;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION user_notifications_check_alert() IS
    'Trigger: a notification''s alert belongs to the same workspace or is platform-wide (RLS-hidden alerts count as missing).';
