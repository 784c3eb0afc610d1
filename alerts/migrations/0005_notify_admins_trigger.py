"""Notify the workspace's owners and admins of error and critical alerts.

A trigger rather than code in raise_system_alert, so every way an alert
reaches error or critical (the procedure, a repeat that escalates the
severity, a direct INSERT or UPDATE by the DBA) notifies exactly once per
alert: on INSERT at error/critical, and on an UPDATE that raises the severity
from below error to error/critical. Platform-wide alerts have no workspace
admins and notify nobody.

The trigger runs as the invoker: it reads the members through the
workspace_members policy and inserts through user_notifications_member_insert,
without RETURNING, so it needs no extra rights.
"""

from django.db import migrations

FORWARD = r"""
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

DROP TRIGGER IF EXISTS system_alerts_notify_admins ON system_alerts;
CREATE TRIGGER system_alerts_notify_admins
    AFTER INSERT OR UPDATE OF severity ON system_alerts
    FOR EACH ROW EXECUTE FUNCTION system_alerts_notify_admins();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS system_alerts_notify_admins ON system_alerts;
DROP FUNCTION IF EXISTS system_alerts_notify_admins();
"""


class Migration(migrations.Migration):
    dependencies = [("alerts", "0004_functions")]

    operations = [migrations.RunSQL(sql=FORWARD, reverse_sql=REVERSE)]
