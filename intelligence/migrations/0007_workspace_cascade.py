"""ON DELETE CASCADE in the database for the workspace references.

Django cascades in Python, under row-level security; a workspace deleted by
SQL (a DBA, another service) should take its signals and insights with it too.
"""

from django.db import migrations

from raptorflow.migration_ops import DatabaseOnDelete

# (table, the constraint name Django gave the workspace foreign key in 0001)
WORKSPACE_REFERENCES = [
    ("intelligence_signals", "intelligence_signals_workspace_id_d4d42ea8_fk_workspaces_id"),
    ("market_insights", "market_insights_workspace_id_2134aeb1_fk_workspaces_id"),
]


class Migration(migrations.Migration):
    dependencies = [("intelligence", "0006_list_order_indexes")]

    operations = [
        DatabaseOnDelete(table, "workspace_id", "workspaces", name, "CASCADE") for table, name in WORKSPACE_REFERENCES
    ]
