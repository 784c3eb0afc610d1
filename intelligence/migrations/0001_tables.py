"""The intelligence tables (domain 016): market signals and the insights synthesized from them.

The models in their final shape (fields, constraints, indexes, table and
column comments; the list indexes end with ``id DESC``, the admin's
tie-breaker, so a changelist page is an index range scan), then ON DELETE
rules in the database for the foreign keys Django created
(``DatabaseOnDelete``):

- SET NULL for the references to users and to the global agent registry
  (``market_insights.generated_by_agent``): Django's own SET_NULL runs an
  UPDATE that row-level security limits to the current workspace, so deleting
  a user who triaged signals in another workspace would leave dangling
  references and fail at commit. A referential action runs as the table owner
  without forced RLS and reaches every workspace's rows.
- CASCADE for the workspace references: a workspace deleted by SQL (a DBA,
  another service) takes its signals and insights with it too.
"""

from django.conf import settings
import django.contrib.postgres.fields
import django.contrib.postgres.functions
import django.contrib.postgres.indexes
from django.db import migrations, models
import django.db.models.deletion
import django.db.models.functions.datetime
import django.db.models.lookups
import django.utils.timezone
import uuid

from raptorflow.migration_ops import Batch, DatabaseOnDelete, RunDeferredSQL

# (table, column, referenced table, the constraint name Django gives the key, rule)
REFERENCES = [
    ("intelligence_signals", "reviewed_by_id", "users", "intelligence_signals_reviewed_by_id_0a5d88bc_fk_users_id", "SET NULL"),
    ("market_insights", "created_by_id", "users", "market_insights_created_by_id_ddd7cb2a_fk_users_id", "SET NULL"),
    ("market_insights", "published_by_id", "users", "market_insights_published_by_id_e1d35ec2_fk_users_id", "SET NULL"),
    (
        "market_insights", "generated_by_agent", "agent_registry",
        "market_insights_generated_by_agent_cf26a68a_fk_agent_reg", "SET NULL",
    ),
    ("intelligence_signals", "workspace_id", "workspaces", "intelligence_signals_workspace_id_d4d42ea8_fk_workspaces_id", "CASCADE"),
    ("market_insights", "workspace_id", "workspaces", "market_insights_workspace_id_2134aeb1_fk_workspaces_id", "CASCADE"),
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('raptorflow', '0001_tables'),
        ('agents', '0001_tables'),  # agent_registry
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        Batch(
            migrations.CreateModel(
                name='IntelligenceSignal',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('source', models.CharField(help_text='Where the signal came from, e.g. "g2_reviews" or "news_api".', max_length=100, verbose_name='source')),
                    ('signal_type', models.CharField(db_comment='Kind of signal, a lower-case identifier (letters, digits, underscores).', help_text='Lower-case identifier, e.g. "competitor_pricing", "trend", "review".', max_length=50, verbose_name='type')),
                    ('title', models.CharField(max_length=300, verbose_name='title')),
                    ('summary', models.TextField(blank=True, db_default='', default='', verbose_name='summary')),
                    ('url', models.URLField(blank=True, db_default='', default='', max_length=2000, verbose_name='URL')),
                    ('payload', models.JSONField(blank=True, db_comment='Feed-specific details as a JSON object; searched by containment (GIN).', db_default={}, default=dict, help_text='The raw feed record (a JSON object).', verbose_name='payload')),
                    ('strength', models.DecimalField(db_comment='0..1; on a repeat occurrence the strongest value is kept.', db_default=0.5, decimal_places=3, default=0.5, help_text='How strongly the signal indicates something, 0 to 1. Repeats keep the strongest.', max_digits=4, verbose_name='strength')),
                    ('sentiment', models.DecimalField(blank=True, db_comment='-1..1, NULL when the feed gave none.', decimal_places=3, help_text='-1 (negative) to 1 (positive); empty when unknown.', max_digits=4, null=True, verbose_name='sentiment')),
                    ('fingerprint', models.CharField(db_comment='Dedupe key, unique per workspace. Given by the feed, or sha256 of lower(source)|lower(type)|normalized lower(title).', help_text='Identifies repeats of the same signal within the workspace.', max_length=200, verbose_name='fingerprint')),
                    ('occurrences', models.PositiveIntegerField(db_comment='How many times the signal was ingested (>= 1).', db_default=1, default=1, verbose_name='occurrences')),
                    ('first_detected_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, verbose_name='first detected')),
                    ('last_detected_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, verbose_name='last detected')),
                    ('expires_at', models.DateTimeField(blank=True, db_comment='NULL: never expires. Past it, expire_intelligence_signals deletes the signal unless actioned.', help_text='After this time expire_intelligence_signals removes the signal unless it is actioned.', null=True, verbose_name='expires at')),
                    ('status', models.CharField(choices=[('new', 'New'), ('reviewed', 'Reviewed'), ('dismissed', 'Dismissed'), ('actioned', 'Actioned (used in an insight)')], db_default='new', default='new', max_length=16, verbose_name='status')),
                    ('reviewed_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='triaged at')),
                    ('reviewed_by', models.ForeignKey(blank=True, db_comment='Who last reviewed, dismissed or actioned the signal.', editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='triaged by')),
                    ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace')),
                ],
                options={
                    'verbose_name': 'intelligence signal',
                    'verbose_name_plural': 'intelligence signals',
                    'db_table': 'intelligence_signals',
                    'db_table_comment': 'Market signals of a workspace (reviews, competitor moves, trends), deduplicated by fingerprint: written by ingest_intelligence_signal, triaged in the admin, turned into market_insights.',
                    'ordering': ['-last_detected_at'],
                    'indexes': [models.Index(models.F('workspace'), models.F('expires_at'), condition=models.Q(('expires_at__isnull', False), models.Q(('status', 'actioned'), _negated=True)), name='intel_signals_ws_expiry_idx'), django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass('payload', name='jsonb_path_ops'), name='intel_signals_payload_gin'), models.Index(models.F('workspace'), models.F('status'), models.OrderBy(models.F('last_detected_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='intel_signals_ws_status_idx'), models.Index(models.F('workspace'), models.OrderBy(models.F('last_detected_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='intel_signals_ws_recent_idx'), models.Index(models.F('workspace'), models.F('signal_type'), models.OrderBy(models.F('last_detected_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='intel_signals_ws_type_idx')],
                    'constraints': [models.UniqueConstraint(fields=('workspace', 'fingerprint'), name='intelligence_signals_ws_fingerprint_uniq'), models.CheckConstraint(condition=models.Q(('status__in', ['new', 'reviewed', 'dismissed', 'actioned'])), name='intelligence_signals_status_valid'), models.CheckConstraint(condition=models.Q(('strength__gte', 0), ('strength__lte', 1)), name='intelligence_signals_strength_range'), models.CheckConstraint(condition=models.Q(('sentiment__isnull', True), models.Q(('sentiment__gte', -1), ('sentiment__lte', 1)), _connector='OR'), name='intelligence_signals_sentiment_range'), models.CheckConstraint(condition=models.Q(('occurrences__gte', 1)), name='intelligence_signals_occurrences_positive'), models.CheckConstraint(condition=models.Q(('last_detected_at__gte', models.F('first_detected_at'))), name='intelligence_signals_detected_order'), models.CheckConstraint(condition=models.Q(('expires_at__isnull', True), ('expires_at__gt', models.F('first_detected_at')), _connector='OR'), name='intelligence_signals_expires_after_detection'), models.CheckConstraint(condition=models.Q(('source__regex', '^\\s*$'), _negated=True), name='intelligence_signals_source_not_blank'), models.CheckConstraint(condition=models.Q(('signal_type__regex', '^[a-z][a-z0-9_]*$')), name='intelligence_signals_type_identifier'), models.CheckConstraint(condition=models.Q(('title__regex', '^\\s*$'), _negated=True), name='intelligence_signals_title_not_blank'), models.CheckConstraint(condition=models.Q(('fingerprint__regex', '^\\s*$'), _negated=True), name='intelligence_signals_fingerprint_not_blank'), models.CheckConstraint(condition=django.db.models.lookups.Exact(models.Func(models.F('payload'), function='jsonb_typeof', output_field=models.CharField()), 'object'), name='intelligence_signals_payload_object'), models.CheckConstraint(condition=models.Q(('status', 'new'), ('reviewed_at__isnull', False), _connector='OR'), name='intelligence_signals_triage_recorded')],
                },
            ),
            migrations.CreateModel(
                name='MarketInsight',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('title', models.CharField(max_length=300, verbose_name='title')),
                    ('summary', models.TextField(blank=True, db_default='', default='', verbose_name='summary')),
                    ('category', models.CharField(choices=[('general', 'General'), ('competitor', 'Competitor'), ('pricing', 'Pricing'), ('product', 'Product'), ('audience', 'Audience'), ('channel', 'Channel'), ('trend', 'Market trend'), ('regulatory', 'Regulatory')], db_default='general', default='general', max_length=20, verbose_name='category')),
                    ('confidence', models.DecimalField(db_comment='0..1. synthesize_market_insight: least(0.99, 1 - prod(1 - strength * (1 - 0.5^occurrences))).', db_default=0, decimal_places=3, default=0, help_text='0 to 1; computed from the contributing signals by synthesis.', max_digits=4, verbose_name='confidence')),
                    ('impact', models.CharField(choices=[('low', 'Low'), ('medium', 'Medium'), ('high', 'High'), ('critical', 'Critical')], db_default='medium', default='medium', max_length=10, verbose_name='impact')),
                    ('signal_ids', django.contrib.postgres.fields.ArrayField(base_field=models.UUIDField(), blank=True, db_comment='Ids of the intelligence_signals (same workspace) the insight was synthesized from. Not a foreign key: a signal deleted later leaves its id here.', db_default=models.Value([], output_field=django.contrib.postgres.fields.ArrayField(base_field=models.UUIDField(), size=None)), default=list, size=None, verbose_name='contributing signals')),
                    ('recommended_actions', models.JSONField(blank=True, db_comment='JSON array of recommended actions (strings or objects).', db_default=[], default=list, help_text='A JSON list, e.g. ["Match the price cut on tents", "Brief the sales team"].', verbose_name='recommended actions')),
                    ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('archived', 'Archived')], db_default='draft', default='draft', max_length=16, verbose_name='status')),
                    ('generated_by_agent', models.ForeignKey(blank=True, db_column='generated_by_agent', db_comment='agent_registry id of the agent that drafted the insight; NULL when a person did.', editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='agents.agentregistry', verbose_name='generated by agent')),
                    ('valid_until', models.DateTimeField(blank=True, help_text='After this the insight is considered stale.', null=True, verbose_name='valid until')),
                    ('published_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='published at')),
                    ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                    ('published_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='published by')),
                    ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace')),
                ],
                options={
                    'verbose_name': 'market insight',
                    'verbose_name_plural': 'market insights',
                    'db_table': 'market_insights',
                    'db_table_comment': 'Insights of a workspace synthesized from intelligence_signals (synthesize_market_insight), edited and published by staff.',
                    'ordering': ['-created_at'],
                    'indexes': [models.Index(models.F('workspace'), models.F('valid_until'), condition=models.Q(('status', 'published')), name='market_insights_ws_valid_idx'), django.contrib.postgres.indexes.GinIndex(models.F('signal_ids'), name='market_insights_signal_ids_gin'), models.Index(models.F('workspace'), models.F('status'), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='market_insights_ws_status_idx')],
                    'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'published', 'archived'])), name='market_insights_status_valid'), models.CheckConstraint(condition=models.Q(('impact__in', ['low', 'medium', 'high', 'critical'])), name='market_insights_impact_valid'), models.CheckConstraint(condition=models.Q(('category__in', ['general', 'competitor', 'pricing', 'product', 'audience', 'channel', 'trend', 'regulatory'])), name='market_insights_category_valid'), models.CheckConstraint(condition=models.Q(('confidence__gte', 0), ('confidence__lte', 1)), name='market_insights_confidence_range'), models.CheckConstraint(condition=models.Q(('title__regex', '^\\s*$'), _negated=True), name='market_insights_title_not_blank'), models.CheckConstraint(condition=django.db.models.lookups.Exact(models.Func(models.F('recommended_actions'), function='jsonb_typeof', output_field=models.CharField()), 'array'), name='market_insights_actions_array'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'published'), _negated=True), ('published_at__isnull', False), _connector='OR'), name='market_insights_published_at_set'), models.CheckConstraint(condition=models.Q(('valid_until__isnull', True), ('valid_until__gt', models.F('created_at')), _connector='OR'), name='market_insights_valid_after_creation')],
                },
            ),
        ),
        # Django adds constraints, indexes and foreign keys when the migration ends; add them now,
        # so the keys below can reference those constraints and replace Django's foreign keys.
        RunDeferredSQL(),
        *[DatabaseOnDelete(table, column, ref, name, rule) for table, column, ref, name, rule in REFERENCES],
    ]
