"""Positioning names: the case-sensitive unique rule goes, now that ``positioning_workspace_lower_name_uniq`` holds (issue 17).

Every pair the old rule refused, the case-insensitive index refuses too, and
it serves the same lookups (workspace first), so keeping both would only cost
a second index on every write. Dropping a constraint takes a brief ACCESS
EXCLUSIVE lock (catalogue only; ``migrate``'s lock timeout and retries apply).
squawk's ban-drop-constraint warns that clients may rely on the guarantee:
they keep it, stricter, hence the squawk-ignore comment on the statement.
Rolling back rebuilds the old index under a SHARE lock: a small table.
"""

from django.db import migrations

from raptorflow.migration_ops import Batch


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0005_campaigns_name_unique_ignoring_case")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=[
                        "-- positioning_workspace_lower_name_uniq is stricter: nothing the old rule refused gets through\n"
                        "-- squawk-ignore ban-drop-constraint\n"
                        'ALTER TABLE "positioning" DROP CONSTRAINT IF EXISTS "positioning_workspace_name_uniq"',
                    ],
                    reverse_sql=['ALTER TABLE "positioning" ADD CONSTRAINT "positioning_workspace_name_uniq" UNIQUE ("workspace_id", "name")'],
                ),
            ],
            state_operations=[Batch(migrations.RemoveConstraint(model_name="positioning", name="positioning_workspace_name_uniq"))],
        ),
    ]
