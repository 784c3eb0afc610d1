"""Positioning names unique per workspace ignoring case (issue 17): the unique index, built without blocking.

``CREATE UNIQUE INDEX CONCURRENTLY`` lets reads and writes go on while it
builds, so the migration is non-atomic and does this one thing; the model
state gets the constraint (``UniqueConstraint("workspace", Lower("name"))``)
it implements. Values that differ only by case stop it first, all of them
named (``refuse_case_duplicates``); a failed build leaves an INVALID index
that ``migrate`` drops.
"""

from django.db import migrations, models
from django.db.models.functions import Lower

from raptorflow.migration_ops import Batch, refuse_case_duplicates


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("campaigns", "0003_functions_and_triggers")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                refuse_case_duplicates("positioning", "name"),
                migrations.RunSQL(
                    'CREATE UNIQUE INDEX CONCURRENTLY "positioning_workspace_lower_name_uniq" ON "positioning" ("workspace_id", (lower("name")))',
                    'DROP INDEX CONCURRENTLY IF EXISTS "positioning_workspace_lower_name_uniq"',
                ),
            ],
            state_operations=[
                Batch(migrations.AddConstraint(
                    model_name="positioning",
                    constraint=models.UniqueConstraint(
                        models.F("workspace"), Lower("name"), name="positioning_workspace_lower_name_uniq",
                        violation_error_message="A positioning with this name already exists in this workspace.",
                    ),
                )),
            ],
        ),
    ]
