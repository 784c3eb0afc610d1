"""Keys that keep gamification rows inside their workspace (RLS_NOTES item 8).

- user_achievements.achievement_id -> achievements of the same workspace.
- (workspace_id, user_id) of user_achievements and user_stats -> workspace_members:
  only members of the workspace make progress or have stats, and a member who
  leaves takes their progress and stats along (ON DELETE CASCADE). The SQL
  functions and the validation triggers check membership first with a readable
  message; these keys are the guarantee behind them.
"""

from django.db import migrations

from raptorflow.migration_ops import SameWorkspaceForeignKey


def member_key(table):
    name = f"{table}_member_fk"
    return migrations.RunSQL(
        sql=[
            f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}",
            f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY (workspace_id, user_id) "
            "REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE",
        ],
        reverse_sql=f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("gamification", "0002_rls_policies"),
        ("raptorflow", "0002_rls_policies"),
    ]

    operations = [
        SameWorkspaceForeignKey("user_achievements", "achievement_id", "achievements", on_delete="CASCADE"),
        member_key("user_achievements"),
        member_key("user_stats"),
    ]
