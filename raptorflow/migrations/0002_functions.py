"""The membership rules' SQL functions, each in its own file under ``sql/`` (all SECURITY INVOKER).

- ``current_workspace_role(workspace)``: the role of ``app.current_user_id``
  there, read through the caller's own SELECT policies (a policy on
  workspace_members cannot query workspace_members directly: PostgreSQL
  reports infinite recursion).
- ``workspace_has_members(workspace)``: lets the founder of a new workspace
  become its first owner.
- ``accept_workspace_invitation(token)``: marks the invitation accepted and
  creates the membership with its role, in one transaction; SQLSTATE RFI01 to
  RFI06 name what is wrong with the link.

They come before the row-level security migration: its membership policies
call the first two.
"""

from django.db import migrations

from raptorflow.migration_ops import sql_file


class Migration(migrations.Migration):
    dependencies = [("raptorflow", "0001_tables")]

    operations = [
        migrations.RunSQL(
            sql_file(__file__, "current_workspace_role.sql"), "DROP FUNCTION IF EXISTS current_workspace_role(uuid);"
        ),
        migrations.RunSQL(
            sql_file(__file__, "workspace_has_members.sql"), "DROP FUNCTION IF EXISTS workspace_has_members(uuid);"
        ),
        migrations.RunSQL(
            sql_file(__file__, "accept_workspace_invitation.sql"),
            "DROP FUNCTION IF EXISTS accept_workspace_invitation(text);",
        ),
    ]
