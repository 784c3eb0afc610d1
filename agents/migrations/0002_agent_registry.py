"""Seed the global agent registry: the council, the 7 lords, their specialists and workers.

The rows are in ``sql/agent_registry_seed.sql`` (73 agents, 98 capabilities),
one ``INSERT ... ON CONFLICT`` per table: upsert by slug (capabilities by
(agent, capability)), writing a row only when it differs, so re-running
changes nothing, not even updated_at. ``sql/agent_registry_unseed.sql``, the
reverse, deletes exactly the seeded slugs and, as the ORM's cascade did, their
capabilities, assignments and performance. It runs before the tenant tables
are put under RLS (0003), so on the way back, when RLS is already gone, the
reverse reaches the workspaces' assignments and performance of those agents
instead of failing on their foreign keys.

SQL rather than ``RunPython``: reviewable as SQL (``sqlmigrate`` prints it,
squawk lints it), and ``migrate`` needs no model classes for it (a
``RunPython`` makes Django render every model state again first).
"""

from django.db import migrations

from raptorflow.migration_ops import sql_file


class Migration(migrations.Migration):
    dependencies = [("agents", "0001_tables")]

    operations = [
        migrations.RunSQL(
            sql_file(__file__, "agent_registry_seed.sql"),
            sql_file(__file__, "agent_registry_unseed.sql"),
        ),
    ]
