"""The alerts functions (``sql/``, one file each) and their two triggers.

All SECURITY INVOKER with a pinned search_path: RLS applies to the caller,
so a workspace only ever raises, acknowledges and resolves its own alerts,
and only the schema owner writes platform-wide ones. Errors are readable
(``RAISE ... USING ERRCODE``): 22023 bad input, P0002 unknown row, 42501 not
allowed, 55000 invalid transition or missing context.

- ``user_notifications_check_alert()`` and trigger
  ``user_notifications_alert_scope``: ``alert_id`` must name an alert of the
  same workspace or a platform-wide one. A composite foreign key cannot
  express "same workspace or NULL workspace", and a plain one ignores RLS
  (docs/tenancy.md, pitfall 8), so a trigger checks it; an alert hidden from the caller
  by RLS is reported as missing, never revealed.
- The alert lifecycle and notification procedures: ``raise_system_alert``,
  ``acknowledge_system_alert``, ``resolve_system_alert`` (through
  ``alerts_lock_alert``; ``alerts_is_schema_owner`` decides who writes
  platform-wide alerts), ``notify_user``, ``mark_notification_read``,
  ``mark_all_notifications_read``, ``unread_notification_count``.
  notify_user writes a row for *another* user, which the caller's SELECT
  policy hides; ``INSERT ... RETURNING`` would therefore fail, so it builds
  the row in plpgsql, inserts it without RETURNING (the INSERT-only policy
  ``user_notifications_member_insert`` checks the workspace and the
  membership) and returns the built row.
- ``system_alerts_notify_admins()`` and its trigger: the workspace's owners
  and admins are notified of error and critical alerts, exactly once per
  alert, whichever way it reaches that severity (the procedure, a repeat that
  escalates, a direct INSERT or UPDATE by the DBA). Platform-wide alerts
  notify nobody. It runs as the invoker: it reads the members through the
  workspace_members policy and inserts through
  user_notifications_member_insert, without RETURNING.
"""

from django.db import migrations

from raptorflow.migration_ops import sql_file

ALERT_SCOPE_TRIGGER = """
DROP TRIGGER IF EXISTS user_notifications_alert_scope ON user_notifications;
CREATE TRIGGER user_notifications_alert_scope
    BEFORE INSERT OR UPDATE OF alert_id, workspace_id ON user_notifications
    FOR EACH ROW EXECUTE FUNCTION user_notifications_check_alert();
"""
NOTIFY_ADMINS_TRIGGER = """
DROP TRIGGER IF EXISTS system_alerts_notify_admins ON system_alerts;
CREATE TRIGGER system_alerts_notify_admins
    AFTER INSERT OR UPDATE OF severity ON system_alerts
    FOR EACH ROW EXECUTE FUNCTION system_alerts_notify_admins();
"""


class Migration(migrations.Migration):
    dependencies = [("alerts", "0002_row_level_security")]

    operations = [
        migrations.RunSQL(
            sql_file(__file__, "user_notifications_check_alert.sql"),
            "DROP FUNCTION IF EXISTS user_notifications_check_alert();",
        ),
        migrations.RunSQL(
            ALERT_SCOPE_TRIGGER, "DROP TRIGGER IF EXISTS user_notifications_alert_scope ON user_notifications;"
        ),
        migrations.RunSQL(
            sql_file(__file__, "alerts_is_schema_owner.sql"), "DROP FUNCTION IF EXISTS alerts_is_schema_owner();"
        ),
        migrations.RunSQL(
            sql_file(__file__, "raise_system_alert.sql"),
            "DROP FUNCTION IF EXISTS raise_system_alert(text, text, text, text, jsonb, text);",
        ),
        migrations.RunSQL(
            sql_file(__file__, "alerts_lock_alert.sql"), "DROP FUNCTION IF EXISTS alerts_lock_alert(uuid, text);"
        ),
        migrations.RunSQL(
            sql_file(__file__, "acknowledge_system_alert.sql"), "DROP FUNCTION IF EXISTS acknowledge_system_alert(uuid);"
        ),
        migrations.RunSQL(
            sql_file(__file__, "resolve_system_alert.sql"),
            "DROP FUNCTION IF EXISTS resolve_system_alert(uuid, text);",
        ),
        migrations.RunSQL(
            sql_file(__file__, "notify_user.sql"),
            "DROP FUNCTION IF EXISTS notify_user(uuid, text, text, text, text, uuid);",
        ),
        migrations.RunSQL(
            sql_file(__file__, "mark_notification_read.sql"), "DROP FUNCTION IF EXISTS mark_notification_read(uuid);"
        ),
        migrations.RunSQL(
            sql_file(__file__, "mark_all_notifications_read.sql"),
            "DROP FUNCTION IF EXISTS mark_all_notifications_read();",
        ),
        migrations.RunSQL(
            sql_file(__file__, "unread_notification_count.sql"), "DROP FUNCTION IF EXISTS unread_notification_count();"
        ),
        migrations.RunSQL(
            sql_file(__file__, "system_alerts_notify_admins.sql"),
            "DROP FUNCTION IF EXISTS system_alerts_notify_admins();",
        ),
        migrations.RunSQL(NOTIFY_ADMINS_TRIGGER, "DROP TRIGGER IF EXISTS system_alerts_notify_admins ON system_alerts;"),
    ]
