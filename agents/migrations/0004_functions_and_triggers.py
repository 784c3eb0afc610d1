"""The agents' SQL functions (``sql/``, one file each) and the assignments' trigger.

Latency histogram helpers (IMMUTABLE, PARALLEL SAFE, they read no table):

- ``agent_latency_bucket_bounds()``: the fixed lower bounds (ms) of the 66
  buckets (copied from agents/latency.py; a test keeps the two equal).
- ``agent_histogram_add(a, b)`` and the aggregate ``agent_histogram_sum(histogram)``:
  element-wise sums, to merge days (the registry list, the period totals).
- ``agent_latency_percentile(histogram, fraction, max_ms)``: p50/p95 read from
  a histogram (nearest rank, linear inside the bucket, capped at max_ms).

``record_agent_execution(...)`` (SECURITY INVOKER): one execution into the
current workspace's daily bucket, atomically (a single INSERT ... ON CONFLICT
(workspace_id, agent_id, day) DO UPDATE: concurrent calls for the same bucket
serialise on the row and every increment lands).

``agent_assignments_retire_orphaned()`` and its BEFORE UPDATE trigger:
deleting a campaign nulls its assignments' campaign_id; an active one that
would then duplicate an active workspace-wide assignment of the same agent
(and fail on agent_assignments_one_active_uniq) is retired instead; without a
workspace-wide twin it stays active and becomes workspace-wide.
"""

from django.db import migrations

from raptorflow.migration_ops import sql_file

RETIRE_ORPHANED_TRIGGER = """
DROP TRIGGER IF EXISTS agent_assignments_retire_orphaned ON agent_assignments;
CREATE TRIGGER agent_assignments_retire_orphaned
    BEFORE UPDATE OF campaign_id ON agent_assignments
    FOR EACH ROW
    WHEN (OLD.campaign_id IS NOT NULL AND NEW.campaign_id IS NULL AND NEW.status = 'active')
    EXECUTE FUNCTION agent_assignments_retire_orphaned();
"""


class Migration(migrations.Migration):
    dependencies = [("agents", "0003_row_level_security")]

    operations = [
        migrations.RunSQL(
            sql_file(__file__, "agent_latency_bucket_bounds.sql"),
            "DROP FUNCTION IF EXISTS agent_latency_bucket_bounds();",
        ),
        migrations.RunSQL(
            sql_file(__file__, "agent_histogram_add.sql"),
            "DROP FUNCTION IF EXISTS agent_histogram_add(integer[], integer[]);",
        ),
        migrations.RunSQL(
            sql_file(__file__, "agent_histogram_sum.sql"), "DROP AGGREGATE IF EXISTS agent_histogram_sum(integer[]);"
        ),
        migrations.RunSQL(
            sql_file(__file__, "agent_latency_percentile.sql"),
            "DROP FUNCTION IF EXISTS agent_latency_percentile(integer[], numeric, integer);",
        ),
        migrations.RunSQL(
            sql_file(__file__, "record_agent_execution.sql"),
            "DROP FUNCTION IF EXISTS record_agent_execution(uuid, boolean, integer, integer, numeric, text, timestamptz);",
        ),
        migrations.RunSQL(
            sql_file(__file__, "agent_assignments_retire_orphaned.sql"),
            "DROP FUNCTION IF EXISTS agent_assignments_retire_orphaned();",
        ),
        migrations.RunSQL(
            RETIRE_ORPHANED_TRIGGER,
            "DROP TRIGGER IF EXISTS agent_assignments_retire_orphaned ON agent_assignments;",
        ),
    ]
