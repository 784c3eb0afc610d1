"""``updated_at`` kept by the database on the agents tables (issue 18).

``<table>_set_updated_at`` on agent_registry, agent_capabilities,
agent_assignments and agent_performance: any UPDATE that changes the row,
from Django, psql or a SQL function, stamps ``updated_at``
(``set_updated_at()``, created by campaigns 0003;
``raptorflow.migration_ops.updated_at_trigger``). Python no longer sets the
column on save (``TimestampedModel``).

agent_registry's seed (0002) changes a row only when it differs, so
re-running it still moves no ``updated_at``. agent_performance's bucket row,
updated by every ``record_agent_execution``: ``updated_at`` is in no index,
so the update stays HOT; the trigger adds one PL/pgSQL call to it.

Depends on campaigns 0003 for the function: rolling campaigns back past it
unapplies this migration first. CREATE TRIGGER takes a brief SHARE ROW
EXCLUSIVE lock on each table (reads go on, writes wait); no rows are read or
rewritten.
"""

from django.db import migrations

from raptorflow.migration_ops import updated_at_trigger

TABLES = ("agent_registry", "agent_capabilities", "agent_assignments", "agent_performance")


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0005_rename_agentregistry_agent"),
        ("campaigns", "0003_functions_and_triggers"),  # set_updated_at()
    ]

    operations = [updated_at_trigger(table) for table in TABLES]
