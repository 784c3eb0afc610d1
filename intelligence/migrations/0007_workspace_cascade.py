"""ON DELETE CASCADE in the database for the workspace references.

Django cascades in Python, under row-level security; a workspace deleted by
SQL (a DBA, another service) should take its signals and insights with it too.
"""

from django.db import migrations

# (table, the constraint name Django gave the workspace foreign key in 0001)
WORKSPACE_REFERENCES = [
    ("intelligence_signals", "intelligence_signals_workspace_id_d4d42ea8_fk_workspaces_id"),
    ("market_insights", "market_insights_workspace_id_2134aeb1_fk_workspaces_id"),
]


def _fk(table, name, rule):
    return (
        f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}";\n'
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") '
        f"{rule} DEFERRABLE INITIALLY DEFERRED;"
    )


class Migration(migrations.Migration):
    dependencies = [("intelligence", "0006_list_order_indexes")]

    operations = [
        migrations.RunSQL(sql=_fk(table, name, "ON DELETE CASCADE"), reverse_sql=_fk(table, name, ""))
        for table, name in WORKSPACE_REFERENCES
    ]
