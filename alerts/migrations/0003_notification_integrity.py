"""Keep notifications inside their workspace.

- ``user_notifications_member_fk``: (workspace_id, user_id) references
  workspace_members (workspace_id, user_id) ON DELETE CASCADE: only members of
  the workspace are notified, and leaving a workspace removes its notifications.
- ``user_notifications_alert_scope`` trigger: ``alert_id`` must name an alert
  of the same workspace or a platform-wide one. A composite foreign key cannot
  express "same workspace or NULL workspace", and a plain one ignores RLS
  (RLS_NOTES item 8), so a trigger checks it. It runs as the invoker: an alert
  hidden from the caller by RLS is reported as missing, never revealed.
"""

from django.db import migrations

FORWARD = r"""
ALTER TABLE user_notifications DROP CONSTRAINT IF EXISTS user_notifications_member_fk;
ALTER TABLE user_notifications ADD CONSTRAINT user_notifications_member_fk
    FOREIGN KEY (workspace_id, user_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE;

CREATE OR REPLACE FUNCTION user_notifications_check_alert() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER SET search_path = public, pg_temp AS $$
DECLARE
    v_alert_workspace uuid;
BEGIN
    IF NEW.alert_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT a.workspace_id INTO v_alert_workspace FROM system_alerts a WHERE a.id = NEW.alert_id;
    IF NOT FOUND OR (v_alert_workspace IS NOT NULL AND v_alert_workspace IS DISTINCT FROM NEW.workspace_id) THEN
        RAISE EXCEPTION 'alert % does not exist in this workspace', NEW.alert_id
            USING ERRCODE = '23503',
                  HINT = 'A notification may refer to an alert of its own workspace or to a platform-wide alert.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION user_notifications_check_alert() IS
    'Trigger: a notification''s alert belongs to the same workspace or is platform-wide (RLS-hidden alerts count as missing).';

DROP TRIGGER IF EXISTS user_notifications_alert_scope ON user_notifications;
CREATE TRIGGER user_notifications_alert_scope
    BEFORE INSERT OR UPDATE OF alert_id, workspace_id ON user_notifications
    FOR EACH ROW EXECUTE FUNCTION user_notifications_check_alert();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS user_notifications_alert_scope ON user_notifications;
DROP FUNCTION IF EXISTS user_notifications_check_alert();
ALTER TABLE user_notifications DROP CONSTRAINT IF EXISTS user_notifications_member_fk;
"""


class Migration(migrations.Migration):
    dependencies = [("alerts", "0002_rls_policies"), ("raptorflow", "0001_initial")]

    operations = [migrations.RunSQL(sql=FORWARD, reverse_sql=REVERSE)]
