"""ON DELETE rules in the database for every foreign key of the alerts tables.

Django emulates CASCADE and SET NULL with its own queries, which row-level
security limits to the rows the caller sees: deleting a workspace or a user
would miss other users' notifications (personal rows) or other workspaces'
alerts acknowledged by that user, and fail at commit. A referential action runs
as the table owner without forced RLS and reaches every row.
"""

from django.db import migrations

from raptorflow.migration_ops import DatabaseOnDelete

# (table, column, referenced table, the constraint name Django gave the key in 0001, rule)
REFERENCES = [
    ("system_alerts", "workspace_id", "workspaces", "system_alerts_workspace_id_c55a9dbd_fk_workspaces_id", "CASCADE"),
    ("system_alerts", "acknowledged_by_id", "users", "system_alerts_acknowledged_by_id_55579986_fk_users_id", "SET NULL"),
    ("system_alerts", "resolved_by_id", "users", "system_alerts_resolved_by_id_534c32bc_fk_users_id", "SET NULL"),
    ("user_notifications", "workspace_id", "workspaces", "user_notifications_workspace_id_58b3b31a_fk_workspaces_id", "CASCADE"),
    ("user_notifications", "user_id", "users", "user_notifications_user_id_0ac00350_fk_users_id", "CASCADE"),
    ("user_notifications", "alert_id", "system_alerts", "user_notifications_alert_id_e52ec21f_fk_system_alerts_id", "SET NULL"),
]


class Migration(migrations.Migration):
    dependencies = [("alerts", "0005_notify_admins_trigger")]

    operations = [DatabaseOnDelete(table, column, ref, name, rule) for table, column, ref, name, rule in REFERENCES]
