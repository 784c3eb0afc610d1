"""Platform-wide alerts read through their own path; the table's SELECT policy is one equality (issue 19).

Until now system_alerts had two permissive SELECT policies for the app role,
``system_alerts_workspace_isolation`` (``workspace_id = current``) and
``system_alerts_platform_read`` (``workspace_id IS NULL``). PostgreSQL ORs
permissive policies, so every query that relied on RLS alone became a
BitmapOr of two index scans plus a sort of all the workspace's matching rows,
and a query with an explicit workspace filter had its row estimate multiplied
by the OR's (an average workspace's), so the largest workspace sorted a
bitmap scan instead of walking the ordered index (docs/performance-alerts.md).

This migration:

- creates ``platform_system_alerts()`` (``sql/platform_system_alerts.sql``):
  the platform-wide rows, read-only, only while a workspace is set. SECURITY
  DEFINER with a pinned search_path, the written reason in its file: it reads
  as the schema owner through ``system_alerts_platform_owner``. EXECUTE is
  revoked from PUBLIC and granted to the app group role only;
- replaces the three functions that read platform-wide rows from the table as
  the invoker with versions that ask ``platform_system_alerts()``:
  ``alerts_lock_alert`` (tell "read-only" from "missing"),
  ``user_notifications_check_alert`` and ``notify_user`` (a notification may
  refer to a platform-wide alert); their reverse reads the first files;
- drops ``system_alerts_platform_read``. The app role's policy on the table is
  now ``workspace_id = (SELECT current setting)`` alone; the owner's
  ``system_alerts_platform_owner`` stays (the only writer of platform-wide
  alerts). Platform-wide alerts stay visible to every workspace's staff (the
  admin reads them through ``SystemAlert.objects.platform_wide()`` and
  ``in_scope()``, alerts/models.py) and writable by none.

Locks: CREATE OR REPLACE FUNCTION takes none on the tables; DROP POLICY takes
an ACCESS EXCLUSIVE lock on system_alerts for an instant (no scan), under
migrate's lock timeout and retries. The reverse puts the policy back first.
"""

from django.db import migrations

from raptorflow.migration_ops import app_role, sql_file

PLATFORM_READ_POLICY = """
DROP POLICY IF EXISTS system_alerts_platform_read ON system_alerts;
CREATE POLICY system_alerts_platform_read ON system_alerts AS PERMISSIVE FOR SELECT TO public
    USING (workspace_id IS NULL);
"""


def _execute_privileges() -> tuple[str, str]:
    role = '"' + app_role().replace('"', '""') + '"'
    return (
        "REVOKE ALL ON FUNCTION platform_system_alerts() FROM PUBLIC;\n"
        f"GRANT EXECUTE ON FUNCTION platform_system_alerts() TO {role};",
        f"REVOKE EXECUTE ON FUNCTION platform_system_alerts() FROM {role};",
    )


class Migration(migrations.Migration):
    dependencies = [("alerts", "0004_updated_at_triggers")]

    operations = [
        migrations.RunSQL(
            sql_file(__file__, "platform_system_alerts.sql"),
            "DROP FUNCTION IF EXISTS platform_system_alerts();",
        ),
        migrations.RunSQL(*_execute_privileges()),
        migrations.RunSQL(sql_file(__file__, "alerts_lock_alert_2.sql"), sql_file(__file__, "alerts_lock_alert.sql")),
        migrations.RunSQL(
            sql_file(__file__, "user_notifications_check_alert_2.sql"),
            sql_file(__file__, "user_notifications_check_alert.sql"),
        ),
        migrations.RunSQL(sql_file(__file__, "notify_user_2.sql"), sql_file(__file__, "notify_user.sql")),
        migrations.RunSQL("DROP POLICY IF EXISTS system_alerts_platform_read ON system_alerts;", PLATFORM_READ_POLICY),
    ]
