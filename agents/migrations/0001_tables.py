"""The agent tables (domain 015): the global registry and capabilities, the workspaces' assignments and daily performance.

The models in their final shape (fields, constraints, indexes, table and
column comments), then:

- ``agent_performance`` keeps 20% of each page free (fillfactor 80):
  ``record_agent_execution`` updates today's bucket row again and again, and
  with room on the page PostgreSQL writes each new row version next to the
  old one (a HOT update) without touching the table's indexes.
- ``agent_assignments.campaign_id`` stays inside its workspace: the composite
  key ``(workspace_id, campaign_id) -> campaigns(workspace_id, id)`` is the
  column's only foreign key (the model declares ``db_constraint=False``), and
  deleting a campaign nulls ``campaign_id`` (not ``workspace_id``).
- ``agent_assignments.assigned_by`` keys to users with ON DELETE SET NULL in
  the database: users are global while assignments are under RLS, so deleting
  a user through Django only sees (and nulls) the current workspace's rows.
"""

import agents.latency
from django.conf import settings
import django.contrib.postgres.fields
import django.contrib.postgres.functions
from django.db import migrations, models
import django.db.models.deletion
import django.db.models.expressions
import django.db.models.functions.datetime
import django.db.models.lookups
import django.utils.timezone
import uuid

from raptorflow.migration_ops import Batch, RunDeferredSQL, SameWorkspaceForeignKey

ASSIGNED_BY_KEY = (
    'ALTER TABLE "agent_assignments" DROP CONSTRAINT IF EXISTS "agent_assignments_assigned_by_fk";'
    ' ALTER TABLE "agent_assignments" ADD CONSTRAINT "agent_assignments_assigned_by_fk"'
    ' FOREIGN KEY ("assigned_by_id") REFERENCES "users" ("id") ON DELETE SET NULL;'
)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('raptorflow', '0001_tables'),
        ('campaigns', '0001_tables'),  # campaigns and campaigns_workspace_id_uniq
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        Batch(
            migrations.CreateModel(
                name='AgentRegistry',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('slug', models.SlugField(db_comment='Stable identifier used by code and the seed migration.', db_index=False, max_length=80, verbose_name='slug')),
                    ('name', models.CharField(max_length=120, verbose_name='name')),
                    ('tier', models.CharField(choices=[('council', 'Council (orchestrator)'), ('lord', 'Lord (strategic supervisor)'), ('specialist', 'Specialist'), ('worker', 'Worker')], db_comment='council (orchestrator) > lord (one of the 7 strategic supervisors) > specialist > worker.', max_length=16, verbose_name='tier')),
                    ('domain', models.CharField(choices=[('council', 'Council'), ('strategy', 'Strategy'), ('brand', 'Brand'), ('growth', 'Growth'), ('content', 'Content'), ('analytics', 'Analytics'), ('customer', 'Customer'), ('operations', 'Operations')], max_length=16, verbose_name='domain')),
                    ('description', models.TextField(blank=True, db_default='', default='', verbose_name='description')),
                    ('default_model', models.CharField(db_comment='LLM the agent runs on unless an assignment overrides it.', max_length=80, verbose_name='default model')),
                    ('version', models.CharField(db_comment='Semantic version MAJOR.MINOR.PATCH.', db_default='1.0.0', default='1.0.0', max_length=20, verbose_name='version')),
                    ('is_active', models.BooleanField(db_default=True, default=True, help_text='Inactive agents cannot record executions. Agents are retired, never deleted.', verbose_name='active')),
                    ('config', models.JSONField(blank=True, db_comment='Default runtime settings (temperature, max_tokens, tools...) as a JSON object.', db_default={}, default=dict, verbose_name='config')),
                    ('supervisor', models.ForeignKey(blank=True, db_comment='The agent this one reports to (null for the council).', db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='reports', to='agents.agentregistry', verbose_name='supervisor')),
                ],
                options={
                    'verbose_name': 'agent',
                    'verbose_name_plural': 'agent registry',
                    'db_table': 'agent_registry',
                    'db_table_comment': 'Agent definitions shared by every workspace (global: no workspace_id, no RLS). The web role may only read it; the seed migration writes it as the owner.',
                    'ordering': ['tier', 'domain', 'name'],
                    'indexes': [models.Index(fields=['tier', 'domain', 'name'], name='agent_registry_tier_dom_idx'), models.Index(fields=['domain', 'tier'], name='agent_registry_domain_idx'), models.Index(fields=['supervisor'], name='agent_registry_supervisor_idx')],
                    'constraints': [models.UniqueConstraint(fields=('slug',), name='agent_registry_slug_uniq'), models.CheckConstraint(condition=models.Q(('tier__in', ['council', 'lord', 'specialist', 'worker'])), name='agent_registry_tier_valid'), models.CheckConstraint(condition=models.Q(('domain__in', ['council', 'strategy', 'brand', 'growth', 'content', 'analytics', 'customer', 'operations'])), name='agent_registry_domain_valid'), models.CheckConstraint(condition=models.Q(('version__regex', '^[0-9]+\\.[0-9]+\\.[0-9]+$')), name='agent_registry_version_semver'), models.CheckConstraint(condition=models.Q(('slug__regex', '^[a-z0-9]+(-[a-z0-9]+)*$')), name='agent_registry_slug_format'), models.CheckConstraint(condition=models.Q(('name', ''), _negated=True), name='agent_registry_name_not_empty'), models.CheckConstraint(condition=models.Q(('default_model', ''), _negated=True), name='agent_registry_model_not_empty'), models.CheckConstraint(condition=models.Q(('supervisor', models.F('id')), _negated=True), name='agent_registry_not_own_supervisor'), models.CheckConstraint(condition=django.db.models.lookups.Exact(models.Func(models.F('config'), function='jsonb_typeof', output_field=models.CharField()), 'object'), name='agent_registry_config_object')],
                },
            ),
            migrations.CreateModel(
                name='AgentPerformance',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('day', models.DateField(db_comment='UTC day of the executions.', verbose_name='day')),
                    ('executions', models.PositiveIntegerField(db_default=0, default=0, verbose_name='executions')),
                    ('successes', models.PositiveIntegerField(db_default=0, default=0, verbose_name='successes')),
                    ('failures', models.PositiveIntegerField(db_default=0, default=0, verbose_name='failures')),
                    ('total_duration_ms', models.BigIntegerField(db_default=0, default=0, verbose_name='total duration (ms)')),
                    ('max_duration_ms', models.PositiveIntegerField(db_default=0, default=0, verbose_name='max duration (ms)')),
                    ('latency_histogram', django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), db_comment='Execution counts per fixed log-spaced latency bucket; bucket i counts durations in [agent_latency_bucket_bounds()[i], agent_latency_bucket_bounds()[i+1]) ms.', default=agents.latency.empty_histogram, size=66, verbose_name='latency histogram')),
                    ('total_tokens', models.BigIntegerField(db_default=0, default=0, verbose_name='total tokens')),
                    ('total_cost_usd', models.DecimalField(db_default=0, decimal_places=6, default=0, max_digits=14, verbose_name='total cost (USD)')),
                    ('last_error', models.TextField(blank=True, db_comment='Message of the latest failed execution of the day (first 2000 characters).', null=True, verbose_name='last error')),
                    ('last_error_at', models.DateTimeField(blank=True, null=True, verbose_name='last error at')),
                    ('last_executed_at', models.DateTimeField(blank=True, null=True, verbose_name='last executed at')),
                    ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace')),
                    ('agent', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='performance', to='agents.agentregistry', verbose_name='agent')),
                ],
                options={
                    'verbose_name': 'agent performance (day)',
                    'verbose_name_plural': 'agent performance',
                    'db_table': 'agent_performance',
                    'db_table_comment': 'Daily execution metrics per (workspace, agent, UTC day), maintained by record_agent_execution().',
                    'ordering': ['-day'],
                    'indexes': [models.Index(fields=['workspace', 'day'], name='agent_perf_ws_day_idx')],
                    'constraints': [models.CheckConstraint(condition=models.Q(('failures__gte', 0), ('successes__gte', 0)), name='agent_performance_counts_nonneg'), models.CheckConstraint(condition=models.Q(('executions', django.db.models.expressions.CombinedExpression(models.F('successes'), '+', models.F('failures')))), name='agent_performance_executions_sum'), models.CheckConstraint(condition=models.Q(('max_duration_ms__gte', 0), ('total_cost_usd__gte', 0), ('total_duration_ms__gte', 0), ('total_tokens__gte', 0)), name='agent_performance_totals_nonneg'), models.CheckConstraint(condition=models.Q(('max_duration_ms__lte', models.F('total_duration_ms')), ('executions', 0), _connector='OR'), name='agent_performance_max_le_total'), models.CheckConstraint(condition=django.db.models.lookups.Exact(models.Func(models.F('latency_histogram'), function='cardinality', output_field=models.IntegerField()), 66), name='agent_performance_histogram_size'), models.UniqueConstraint(fields=('agent', 'workspace', 'day'), name='agent_performance_agent_ws_day_uniq')],
                },
            ),
            migrations.CreateModel(
                name='AgentCapability',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('capability', models.SlugField(db_comment='Capability code, unique per agent (e.g. competitor-teardown).', db_index=False, max_length=80, verbose_name='capability')),
                    ('description', models.TextField(blank=True, db_default='', default='', verbose_name='description')),
                    ('input_schema', models.JSONField(blank=True, db_comment='JSON Schema of the input (an object).', db_default={}, default=dict, verbose_name='input schema')),
                    ('output_schema', models.JSONField(blank=True, db_comment='JSON Schema of the output (an object).', db_default={}, default=dict, verbose_name='output schema')),
                    ('agent', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='capabilities', to='agents.agentregistry', verbose_name='agent')),
                ],
                options={
                    'verbose_name': 'agent capability',
                    'verbose_name_plural': 'agent capabilities',
                    'db_table': 'agent_capabilities',
                    'db_table_comment': 'What each registry agent can do (global, read-only for the web role).',
                    'ordering': ['agent', 'capability'],
                    'indexes': [models.Index(fields=['capability'], name='agent_capabilities_cap_idx')],
                    'constraints': [models.UniqueConstraint(fields=('agent', 'capability'), name='agent_capabilities_agent_cap_uniq'), models.CheckConstraint(condition=django.db.models.lookups.Exact(models.Func(models.F('input_schema'), function='jsonb_typeof', output_field=models.CharField()), 'object'), name='agent_capabilities_input_object'), models.CheckConstraint(condition=django.db.models.lookups.Exact(models.Func(models.F('output_schema'), function='jsonb_typeof', output_field=models.CharField()), 'object'), name='agent_capabilities_output_object')],
                },
            ),
            migrations.CreateModel(
                name='AgentAssignment',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('role', models.CharField(choices=[('lead', 'Lead'), ('support', 'Support'), ('reviewer', 'Reviewer'), ('observer', 'Observer')], db_default='support', default='support', max_length=16, verbose_name='role')),
                    ('status', models.CharField(choices=[('active', 'Active'), ('paused', 'Paused'), ('retired', 'Retired')], db_default='active', default='active', max_length=16, verbose_name='status')),
                    ('config_overrides', models.JSONField(blank=True, db_comment='Per-workspace overrides of agent_registry.config (a JSON object).', db_default={}, default=dict, help_text='Keys that replace the agent\'s default config in this workspace, e.g. {"temperature": 0.2}.', verbose_name='config overrides')),
                    ('assigned_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, verbose_name='assigned at')),
                    ('notes', models.TextField(blank=True, db_default='', default='', verbose_name='notes')),
                    ('assigned_by', models.ForeignKey(blank=True, db_comment='Who made the assignment; null once that user is deleted.', db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='assigned by')),
                    ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace')),
                    ('agent', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='agents.agentregistry', verbose_name='agent')),
                    ('campaign', models.ForeignKey(blank=True, db_comment='Campaign the agent works on; null for a workspace-wide assignment.', db_constraint=False, db_index=False, help_text='Leave empty for a workspace-wide assignment.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='agent_assignments', to='campaigns.campaign', verbose_name='campaign')),
                ],
                options={
                    'verbose_name': 'agent assignment',
                    'verbose_name_plural': 'agent assignments',
                    'db_table': 'agent_assignments',
                    'db_table_comment': 'Agents assigned to a workspace (optionally to a campaign), with role, status and config overrides.',
                    'ordering': ['-assigned_at'],
                    'indexes': [models.Index(fields=['workspace', 'status', '-assigned_at'], name='agent_assign_ws_status_idx'), models.Index(condition=models.Q(('campaign__isnull', False)), fields=['workspace', 'campaign'], name='agent_assign_ws_campaign_idx'), models.Index(fields=['agent', 'workspace', '-assigned_at'], name='agent_assign_agent_ws_idx'), models.Index(condition=models.Q(('assigned_by__isnull', False)), fields=['assigned_by'], name='agent_assign_by_idx')],
                    'constraints': [models.CheckConstraint(condition=models.Q(('role__in', ['lead', 'support', 'reviewer', 'observer'])), name='agent_assignments_role_valid'), models.CheckConstraint(condition=models.Q(('status__in', ['active', 'paused', 'retired'])), name='agent_assignments_status_valid'), models.CheckConstraint(condition=django.db.models.lookups.Exact(models.Func(models.F('config_overrides'), function='jsonb_typeof', output_field=models.CharField()), 'object'), name='agent_assignments_overrides_object'), models.UniqueConstraint(condition=models.Q(('status', 'active')), fields=('workspace', 'agent', 'campaign'), name='agent_assignments_one_active_uniq', nulls_distinct=False)],
                },
            ),
        ),
        # Django adds constraints, indexes and foreign keys when the migration ends; add them now,
        # so the keys below can reference those constraints and replace Django's foreign keys.
        RunDeferredSQL(),
        migrations.RunSQL(
            sql="ALTER TABLE agent_performance SET (fillfactor = 80)",
            reverse_sql="ALTER TABLE agent_performance RESET (fillfactor)",
        ),
        SameWorkspaceForeignKey("agent_assignments", "campaign_id", "campaigns", on_delete="SET NULL"),
        migrations.RunSQL(
            sql=ASSIGNED_BY_KEY,
            reverse_sql='ALTER TABLE "agent_assignments" DROP CONSTRAINT IF EXISTS "agent_assignments_assigned_by_fk";',
        ),
    ]
