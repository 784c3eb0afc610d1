"""Row-level security on the tenancy core, and the app role's privileges on its tables.

- cohorts: the standard workspace policy.
- workspace_members: the workspace policy for every command, plus a
  SELECT-only policy showing a user their own memberships in other workspaces
  (the switcher and the middleware's membership check read them before a
  workspace is set). RESTRICTIVE policies (ANDed with the workspace policy)
  narrow every write:

  - INSERT: an owner of the workspace adds anyone; an admin adds anyone but an
    owner; a person adds themselves only with the role of an invitation to
    their own email that they accepted in this same transaction
    (``accept_workspace_invitation``); the first member of a memberless
    workspace is its owner, adding themselves (creating a workspace). Nothing
    else: a platform superuser, too, invites.
  - UPDATE: an owner, an admin (rows that are not and do not become owners),
    or a platform superuser.
  - DELETE: the same, or the member themselves (leaving).
- workspace_invitations: the workspace policy; written by owners and admins
  (an admin never for the owner role) or a platform superuser; the invitee's
  only write is marking an invitation to their own email accepted by
  themselves, now.
- workspaces: written only in their own context; visible in their own context,
  to their members and to superusers (who may enter any workspace).
- users: global (sign-in needs them before any context); the app role may read
  and write them, the admin lists only members of the current workspace.
"""

from django.db import migrations
from django_rls.policies import BasePolicy, CustomPolicy

from raptorflow.migration_ops import CommandPolicy, EnsureAppRole, GrantToAppRole, TenantRLS, own_rows_policy, workspace_policy
from raptorflow.tenancy import CURRENT_USER_SQL, CURRENT_WORKSPACE_SQL

READ_WRITE = "SELECT, INSERT, UPDATE, DELETE"

WORKSPACE_VISIBLE_SQL = (
    f"id = {CURRENT_WORKSPACE_SQL}"
    f" OR EXISTS (SELECT 1 FROM workspace_members m WHERE m.workspace_id = workspaces.id AND m.user_id = {CURRENT_USER_SQL})"
    f" OR EXISTS (SELECT 1 FROM users u WHERE u.id = {CURRENT_USER_SQL} AND u.is_superuser)"
)
IS_SUPERUSER_SQL = f"EXISTS (SELECT 1 FROM users u WHERE u.id = {CURRENT_USER_SQL} AND u.is_superuser)"
# Owners manage every row; admins every row that is not, and does not become, an owner's.
MANAGER_SQL = (
    "(current_workspace_role(workspace_id) = 'owner'"
    " OR (current_workspace_role(workspace_id) = 'admin' AND role <> 'owner'))"
)
ACCEPTED_NOW_SQL = (
    f"(user_id = {CURRENT_USER_SQL} AND EXISTS (SELECT 1 FROM workspace_invitations i"
    " WHERE i.workspace_id = workspace_members.workspace_id AND i.accepted_by_id = workspace_members.user_id"
    " AND i.role = workspace_members.role AND i.accepted_at = now()"
    " AND i.email = (SELECT lower(u.email) FROM users u WHERE u.id = workspace_members.user_id)))"
)
FOUNDER_SQL = f"(user_id = {CURRENT_USER_SQL} AND role = 'owner' AND NOT workspace_has_members(workspace_id))"
INVITATION_MANAGER_SQL = f"({MANAGER_SQL} OR {IS_SUPERUSER_SQL})"


class Migration(migrations.Migration):
    dependencies = [("raptorflow", "0002_functions")]

    operations = [
        EnsureAppRole(),
        TenantRLS("cohort"),
        TenantRLS(
            "workspacemember",
            policies=[
                workspace_policy("workspace_members"),
                own_rows_policy("workspace_members", operation=BasePolicy.SELECT),
                CommandPolicy(
                    "workspace_members_insert_rules",
                    f"({MANAGER_SQL} OR {ACCEPTED_NOW_SQL} OR {FOUNDER_SQL})",
                    operation=BasePolicy.INSERT,
                    permissive=False,
                ),
                CommandPolicy(
                    "workspace_members_update_rules",
                    f"({MANAGER_SQL} OR {IS_SUPERUSER_SQL})",
                    operation=BasePolicy.UPDATE,
                    permissive=False,
                ),
                CommandPolicy(
                    "workspace_members_delete_rules",
                    f"({MANAGER_SQL} OR {IS_SUPERUSER_SQL} OR user_id = {CURRENT_USER_SQL})",
                    operation=BasePolicy.DELETE,
                    permissive=False,
                ),
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
        TenantRLS(
            "workspaceinvitation",
            policies=[
                workspace_policy("workspace_invitations"),
                CommandPolicy(
                    "workspace_invitations_insert_rules",
                    INVITATION_MANAGER_SQL,
                    operation=BasePolicy.INSERT,
                    permissive=False,
                ),
                CommandPolicy(
                    "workspace_invitations_update_rules",
                    f"({INVITATION_MANAGER_SQL} OR (accepted_at IS NULL AND revoked_at IS NULL))",
                    check=(
                        f"({INVITATION_MANAGER_SQL} OR (accepted_by_id = {CURRENT_USER_SQL} AND accepted_at = now()"
                        f" AND email = (SELECT lower(u.email) FROM users u WHERE u.id = {CURRENT_USER_SQL})))"
                    ),
                    operation=BasePolicy.UPDATE,
                    permissive=False,
                ),
                CommandPolicy(
                    "workspace_invitations_delete_rules",
                    INVITATION_MANAGER_SQL,
                    operation=BasePolicy.DELETE,
                    permissive=False,
                ),
            ],
        ),
        GrantToAppRole("users", privileges=READ_WRITE),
        GrantToAppRole("users_groups", privileges=READ_WRITE),
        GrantToAppRole("users_user_permissions", privileges=READ_WRITE),
        GrantToAppRole("users_groups_id_seq", privileges="USAGE, SELECT"),
        GrantToAppRole("users_user_permissions_id_seq", privileges="USAGE, SELECT"),
    ]
