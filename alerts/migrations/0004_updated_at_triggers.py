"""``updated_at`` kept by the database on the alerts tables (issue 18).

``<table>_set_updated_at`` on system_alerts and user_notifications: any
UPDATE that changes the row, from Django, psql or a SQL function, stamps
``updated_at`` (``set_updated_at()``, created by campaigns 0003;
``raptorflow.migration_ops.updated_at_trigger``). Python no longer sets the
column on save (``TimestampedModel``).

Depends on campaigns 0003 for the function: rolling campaigns back past it
unapplies this migration first. CREATE TRIGGER takes a brief SHARE ROW
EXCLUSIVE lock on each table (reads go on, writes wait); no rows are read or
rewritten.
"""

from django.db import migrations

from raptorflow.migration_ops import updated_at_trigger

TABLES = ("system_alerts", "user_notifications")


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0003_functions_and_triggers"),
        ("campaigns", "0003_functions_and_triggers"),  # set_updated_at()
    ]

    operations = [updated_at_trigger(table) for table in TABLES]
