"""Row-level security on the alerts tables (5 policies).

system_alerts
- ``system_alerts_workspace_isolation`` (ALL): the current workspace's alerts.
- ``system_alerts_platform_read`` (SELECT): platform-wide alerts (workspace_id
  IS NULL) are readable by every workspace. No policy for the app role lets a
  row with a NULL workspace be inserted, updated or deleted: a workspace can
  never write one (``NULL = x`` is never true).
- ``system_alerts_platform_owner`` (ALL, TO the migrating role, i.e. the
  schema owner): the narrow path for platform-wide alerts. FORCE binds the
  owner too, so without it the DBA could not raise one either; it is a role,
  not a flag in a setting (docs/tenancy.md, pitfall 11), and the web role is never the
  owner (the startup guard refuses that).

user_notifications
- ``user_notifications_own_rows`` (ALL): the current user's own notifications
  in the current workspace, for every command. Personal: a workspace admin
  does not see a marketer's notifications.
- ``user_notifications_member_insert`` (INSERT only): anyone working in the
  workspace may notify a *member* of it (notify_user, the alert trigger).
  INSERT ... RETURNING would need the SELECT policy, which hides another
  user's row; notify_user therefore inserts without RETURNING.
"""

from django.db import migrations
from django_rls.policies import BasePolicy, CustomPolicy

from raptorflow.migration_ops import CommandPolicy, TenantRLS, workspace_policy
from raptorflow.tenancy import CURRENT_USER_SQL, CURRENT_WORKSPACE_SQL

MEMBER_OF_WORKSPACE_SQL = (
    "EXISTS (SELECT 1 FROM workspace_members m"
    " WHERE m.workspace_id = user_notifications.workspace_id AND m.user_id = user_notifications.user_id)"
)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_tables"), ("raptorflow", "0003_row_level_security")]

    operations = [
        TenantRLS(
            "systemalert",
            policies=[
                workspace_policy("system_alerts"),
                CustomPolicy("system_alerts_platform_read", expression="workspace_id IS NULL", operation=BasePolicy.SELECT),
                # CURRENT_USER is resolved when the policy is created: the role running the migration.
                CustomPolicy("system_alerts_platform_owner", expression="workspace_id IS NULL", roles="CURRENT_USER"),
            ],
        ),
        TenantRLS(
            "usernotification",
            policies=[
                CustomPolicy(
                    "user_notifications_own_rows",
                    expression=f"user_id = {CURRENT_USER_SQL} AND workspace_id = {CURRENT_WORKSPACE_SQL}",
                ),
                CommandPolicy(
                    "user_notifications_member_insert",
                    f"workspace_id = {CURRENT_WORKSPACE_SQL} AND {MEMBER_OF_WORKSPACE_SQL}",
                    operation=BasePolicy.INSERT,
                ),
            ],
        ),
    ]
