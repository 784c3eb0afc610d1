"""Row-level security on the tenancy core.

- cohorts: the standard workspace policy.
- workspace_members: the workspace policy for every command, plus a SELECT-only
  policy showing a user their own memberships in other workspaces (the switcher
  and the middleware's membership check read them before a workspace is set).
- workspaces: written only in their own context; visible in their own context,
  to their members and to superusers (who may enter any workspace).
- users: global (sign-in needs them before any context); the app role may read
  and write them, the admin lists only members of the current workspace.
"""

from django.db import migrations
from django_rls.policies import BasePolicy, CustomPolicy

from raptorflow.migration_ops import EnsureAppRole, GrantToAppRole, TenantRLS, own_rows_policy, workspace_policy
from raptorflow.tenancy import CURRENT_USER_SQL, CURRENT_WORKSPACE_SQL

WORKSPACE_VISIBLE_SQL = (
    f"id = {CURRENT_WORKSPACE_SQL}"
    f" OR EXISTS (SELECT 1 FROM workspace_members m WHERE m.workspace_id = workspaces.id AND m.user_id = {CURRENT_USER_SQL})"
    f" OR EXISTS (SELECT 1 FROM users u WHERE u.id = {CURRENT_USER_SQL} AND u.is_superuser)"
)


class Migration(migrations.Migration):
    dependencies = [("raptorflow", "0001_initial")]

    operations = [
        EnsureAppRole(),
        TenantRLS("cohort"),
        TenantRLS(
            "workspacemember",
            policies=[
                workspace_policy("workspace_members"),
                own_rows_policy("workspace_members", operation=BasePolicy.SELECT),
            ],
        ),
        TenantRLS(
            "workspace",
            workspace_column=None,
            policies=[
                workspace_policy("workspaces", column="id"),
                CustomPolicy("workspaces_visible", expression=WORKSPACE_VISIBLE_SQL, operation=BasePolicy.SELECT),
            ],
        ),
        GrantToAppRole("users", privileges="SELECT, INSERT, UPDATE, DELETE"),
        GrantToAppRole("users_groups", privileges="SELECT, INSERT, UPDATE, DELETE"),
        GrantToAppRole("users_user_permissions", privileges="SELECT, INSERT, UPDATE, DELETE"),
    ]
