-- Function system_alerts_notify_admins()
-- Created by alerts/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION system_alerts_notify_admins() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.workspace_id IS NULL OR NEW.severity NOT IN ('error', 'critical') THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.severity IN ('error', 'critical') THEN
        RETURN NULL;  -- already notified when it first reached error/critical
    END IF;
    INSERT INTO user_notifications (id, created_at, updated_at, workspace_id, user_id, alert_id, kind, title, body, link)
    SELECT gen_random_uuid(), now(), now(), NEW.workspace_id, m.user_id, NEW.id, 'alert',
           left(initcap(NEW.severity) || ' alert: ' || NEW.title, 200),
           NEW.message,
           '/admin/alerts/systemalert/' || NEW.id || '/change/'
      FROM workspace_members m
     WHERE m.workspace_id = NEW.workspace_id
       AND m.role IN ('owner', 'admin');
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION system_alerts_notify_admins() IS
    'Trigger: when a workspace alert is raised at (or escalates to) error or critical, notify the workspace''s owners and admins once.';
