"""``record_agent_execution`` appends to the log; the roll-up; readers see buckets plus log (issue 19).

- ``record_agent_execution`` (``sql/record_agent_execution_2.sql``, same
  signature and errors): one INSERT into ``agent_executions`` instead of the
  upsert of the day's bucket row, whose row lock made the calls of one hot
  (workspace, agent, day) wait for each other. It returns what the call adds
  to its bucket (an ``agent_performance`` row with ``executions`` 1, no id),
  not the bucket's totals. Reversing puts ``record_agent_execution.sql`` back.
- ``agent_executions_roll_up()``: moves the log into ``agent_performance`` in
  one statement (``manage.py roll_up_agent_executions``, as the schema owner).
- ``agent_performance_live``: the view readers read, buckets plus the log not
  rolled up yet, exact in one snapshot (``security_invoker``, SELECT for the
  app role). Its log rows use the aggregate ``agent_histogram_of(duration)``
  (state function ``agent_histogram_count``).
- ``agent_histogram_add`` (``sql/agent_histogram_add_2.sql``): PL/pgSQL
  instead of SQL as ``agent_histogram_sum``'s state function, the
  registry's totals' main cost: about a quarter off that query
  (docs/performance-agents.md).

Reversing first rolls the log up (back into the buckets, which the first
``record_agent_execution`` writes), then removes the new objects.
"""

import django.contrib.postgres.fields
from django.db import migrations, models

from raptorflow.migration_ops import Batch, GrantToAppRole, sql_file

ROLL_UP_BEFORE_REVERSING = "SELECT agent_executions_roll_up();"


class Migration(migrations.Migration):
    dependencies = [("agents", "0007_agent_executions")]

    operations = [
        migrations.RunSQL(sql_file(__file__, "agent_histogram_add_2.sql"), sql_file(__file__, "agent_histogram_add.sql")),
        migrations.RunSQL(
            sql_file(__file__, "agent_histogram_count.sql"),
            "DROP FUNCTION IF EXISTS agent_histogram_count(integer[], integer);",
        ),
        migrations.RunSQL(sql_file(__file__, "agent_histogram_of.sql"), "DROP AGGREGATE IF EXISTS agent_histogram_of(integer);"),
        migrations.RunSQL(sql_file(__file__, "agent_performance_live.sql"), "DROP VIEW IF EXISTS agent_performance_live;"),
        GrantToAppRole("agent_performance_live", privileges="SELECT"),
        Batch(migrations.CreateModel(
            name="AgentPerformanceLive",
            fields=[
                ("id", models.UUIDField(primary_key=True, serialize=False)),
                ("day", models.DateField()),
                ("executions", models.BigIntegerField()),
                ("successes", models.BigIntegerField()),
                ("failures", models.BigIntegerField()),
                ("total_duration_ms", models.BigIntegerField()),
                ("max_duration_ms", models.IntegerField()),
                ("latency_histogram", django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), size=None)),
                ("total_tokens", models.BigIntegerField()),
                ("total_cost_usd", models.DecimalField(decimal_places=6, max_digits=20)),
                ("last_error", models.TextField(null=True)),
                ("last_error_at", models.DateTimeField(null=True)),
                ("last_executed_at", models.DateTimeField(null=True)),
                ("agent", models.ForeignKey(db_constraint=False, on_delete=models.deletion.DO_NOTHING, related_name="live_performance", to="agents.agent")),
                ("workspace", models.ForeignKey(db_constraint=False, editable=False, on_delete=models.deletion.DO_NOTHING, related_name="+", to="raptorflow.workspace")),
            ],
            options={"db_table": "agent_performance_live", "managed": False},
        )),
        migrations.RunSQL(
            sql_file(__file__, "agent_executions_roll_up.sql"),
            "DROP FUNCTION IF EXISTS agent_executions_roll_up();",
        ),
        migrations.RunSQL(
            sql_file(__file__, "record_agent_execution_2.sql"),
            # Reversed: the log goes back into the buckets before the first version returns.
            ROLL_UP_BEFORE_REVERSING + "\n" + sql_file(__file__, "record_agent_execution.sql"),
        ),
    ]
