"""``agent_executions``: the log ``record_agent_execution`` appends to (issue 19).

A tenant table under forced row-level security like the others (the
standard workspace policy, ``workspace_id`` defaulting to the context, the
app role's grants), written at the speed of a plain INSERT: no index at all,
no unique key, no foreign key. Each of those would be written or checked by
every call (docs/performance-agents.md: a key to ``workspaces`` alone cost
10 to 20% of the rate, an index about as much), so the model's keys are
``db_constraint=False, db_index=False`` and the primary key's index is
dropped right after the table is created (``id`` stays an identity, unique
by construction, so Django's model has its key). Nothing reads the log row
by row: ``agent_executions_roll_up()`` (0008) moves it into
``agent_performance`` in one pass, readers aggregate it in the same pass
(``agent_performance_live``).

The roll-up reads every workspace's log at once, run by the schema owner:
``agent_executions_roll_up_owner`` and ``agent_performance_roll_up_owner``
(ALL, ``TO CURRENT_USER``, the role running this migration) give the owner
what FORCE takes away, as ``system_alerts_platform_owner`` does for
platform-wide alerts: a role, not a flag (docs/tenancy.md, pitfall 11). The
web role's policies are unchanged.

The new table locks nothing in use; the policy on ``agent_performance``
takes its ACCESS EXCLUSIVE lock for the catalogue change only (no scan).
"""

import django.db.models.deletion
from django.db import migrations, models
from django_rls.policies import CustomPolicy

from raptorflow.migration_ops import AddPolicies, Batch, TenantRLS, workspace_policy


def owner_policy(table):
    # CURRENT_USER is resolved when the policy is created: the role running the migration.
    return CustomPolicy(f"{table}_roll_up_owner", expression="true", roles="CURRENT_USER")


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0006_updated_at_triggers"),
        ("raptorflow", "0003_row_level_security"),
    ]

    operations = [
        Batch(migrations.CreateModel(
            name="AgentExecution",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("executed_at", models.DateTimeField(db_comment="When the execution finished; its UTC day is its bucket's day.", verbose_name="executed at")),
                ("success", models.BooleanField(verbose_name="success")),
                ("duration_ms", models.IntegerField(verbose_name="duration (ms)")),
                ("tokens_used", models.IntegerField(verbose_name="tokens used")),
                ("cost_usd", models.DecimalField(decimal_places=6, max_digits=14, verbose_name="cost (USD)")),
                ("error", models.TextField(blank=True, db_comment="Message of a failed execution (first 2000 characters); NULL for a success.", null=True, verbose_name="error")),
                ("agent", models.ForeignKey(db_comment="The agent; record_agent_execution checks it exists and is active. No foreign key (agents are never deleted).", db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="agents.agent")),
                ("workspace", models.ForeignKey(db_comment="Owning workspace; row-level security compares it with app.current_workspace_id. No foreign key: the roll-up drops the log of a deleted workspace.", db_constraint=False, db_index=False, editable=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="raptorflow.workspace")),
            ],
            options={
                "verbose_name": "agent execution (not rolled up yet)",
                "verbose_name_plural": "agent executions (not rolled up yet)",
                "db_table": "agent_executions",
                "db_table_comment": "Executions recorded by record_agent_execution() and not rolled up yet (append-only; no index, key or foreign key, so a call costs about a plain INSERT). agent_executions_roll_up() moves them into agent_performance; read both through agent_performance_live.",
                "constraints": [models.CheckConstraint(condition=models.Q(("cost_usd__gte", 0), ("duration_ms__gte", 0), ("tokens_used__gte", 0)), name="agent_executions_nonneg")],
            },
        )),
        # The primary key's index would be written by every call: the table keeps none.
        migrations.RunSQL(
            "ALTER TABLE agent_executions DROP CONSTRAINT IF EXISTS agent_executions_pkey;",
            "ALTER TABLE agent_executions ADD CONSTRAINT agent_executions_pkey PRIMARY KEY (id);",
        ),
        TenantRLS("agentexecution", policies=[workspace_policy("agent_executions"), owner_policy("agent_executions")]),
        AddPolicies("agentperformance", [owner_policy("agent_performance")]),
    ]
