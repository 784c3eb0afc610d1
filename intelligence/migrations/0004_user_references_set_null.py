"""ON DELETE SET NULL in the database for the references to users.

Django's own SET_NULL runs an UPDATE that row-level security limits to the
current workspace, so deleting a user who triaged signals in another workspace
would leave dangling references and fail at commit. A referential action runs
as the table owner without forced RLS and reaches every workspace's rows.
"""

from django.db import migrations

from raptorflow.migration_ops import DatabaseOnDelete

# (table, column, the constraint name Django gave the foreign key in 0001)
USER_REFERENCES = [
    ("intelligence_signals", "reviewed_by_id", "intelligence_signals_reviewed_by_id_0a5d88bc_fk_users_id"),
    ("market_insights", "created_by_id", "market_insights_created_by_id_ddd7cb2a_fk_users_id"),
    ("market_insights", "published_by_id", "market_insights_published_by_id_e1d35ec2_fk_users_id"),
]


class Migration(migrations.Migration):
    dependencies = [("intelligence", "0003_functions")]

    operations = [
        DatabaseOnDelete(table, column, "users", name, "SET NULL") for table, column, name in USER_REFERENCES
    ]
