"""Deleting users and workspaces reaches rows RLS hides from the caller.

- ON DELETE CASCADE in the database for the tenancy core's references
  (see ``DatabaseOnDelete``): a user who is a member of a workspace the
  caller cannot see, or a workspace's members and cohorts, go with it.
- The app role may DELETE from django_admin_log: Django's collector removes a
  deleted user's admin history.
"""

from django.db import migrations

from raptorflow.migration_ops import DatabaseOnDelete, GrantToAppRole


class Migration(migrations.Migration):
    dependencies = [("raptorflow", "0004_drop_redundant_single_column_indexes")]

    operations = [
        DatabaseOnDelete("workspace_members", "user_id", "users", "workspace_members_user_id_b4ccc11d_fk_users_id", "CASCADE"),
        DatabaseOnDelete(
            "workspace_members", "workspace_id", "workspaces", "workspace_members_workspace_id_3a96620d_fk_workspaces_id", "CASCADE"
        ),
        DatabaseOnDelete("cohorts", "workspace_id", "workspaces", "cohorts_workspace_id_8ce1a4c5_fk_workspaces_id", "CASCADE"),
        GrantToAppRole("django_admin_log", privileges="DELETE"),
    ]
