"""ON DELETE rules in the database for the foreign keys Django created in 0001.

Django emulates CASCADE and SET NULL with its own queries, which row-level
security limits to the rows the caller sees: deleting a user would miss their
progress in other workspaces (or awards they gave there) and fail at commit. A
referential action runs as the table owner without forced RLS and reaches
every row; the triggers of 0006 use the row's own workspace, so they follow.
"""

from django.db import migrations

from raptorflow.migration_ops import DatabaseOnDelete

# (table, column, referenced table, the constraint name Django gave the key in 0001, rule)
REFERENCES = [
    ("achievements", "workspace_id", "workspaces", "achievements_workspace_id_021bd5be_fk_workspaces_id", "CASCADE"),
    ("user_achievements", "workspace_id", "workspaces", "user_achievements_workspace_id_d5d137b6_fk_workspaces_id", "CASCADE"),
    ("user_achievements", "user_id", "users", "user_achievements_user_id_339ff42b_fk_users_id", "CASCADE"),
    ("user_achievements", "awarded_by_id", "users", "user_achievements_awarded_by_id_144e1bb7_fk_users_id", "SET NULL"),
    ("user_stats", "workspace_id", "workspaces", "user_stats_workspace_id_24540d93_fk_workspaces_id", "CASCADE"),
    ("user_stats", "user_id", "users", "user_stats_user_id_9ea28916_fk_users_id", "CASCADE"),
]


class Migration(migrations.Migration):
    dependencies = [("gamification", "0007_progress_functions")]

    operations = [DatabaseOnDelete(table, column, ref, name, rule) for table, column, ref, name, rule in REFERENCES]
