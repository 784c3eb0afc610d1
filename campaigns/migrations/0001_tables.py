"""The campaign tables (domain 013): positioning, message architecture, campaigns, quests, cohort targeting.

The models in their final shape (fields, constraints, indexes, table and
column comments), then the keys the database enforces beyond Django's:

- References between campaign rows, and to cohorts, stay inside one
  workspace: composite keys ``(workspace_id, x_id) -> x(workspace_id, id)``
  carrying the ON DELETE rule (``SameWorkspaceForeignKey``). The models declare
  these fields with ``db_constraint=False`` so there is exactly one constraint
  per reference.
- ``created_by`` keys to users with ON DELETE SET NULL in the database: users
  are global while these rows are under RLS, so deleting a user through Django
  only sees (and nulls) the current workspace's rows; the database nulls the
  rest itself.
"""

from django.conf import settings
import django.contrib.postgres.fields
import django.contrib.postgres.functions
import django.core.validators
from django.db import migrations, models
import django.db.models.deletion
import django.db.models.functions.datetime
import django.db.models.lookups
import django.utils.timezone
import uuid

from raptorflow.migration_ops import Batch, RunDeferredSQL, SameWorkspaceForeignKey


def created_by_key(table):
    name = f"{table}_created_by_fk"
    return migrations.RunSQL(
        sql=(
            f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}";'
            f' ALTER TABLE "{table}" ADD CONSTRAINT "{name}"'
            ' FOREIGN KEY ("created_by_id") REFERENCES "users" ("id") ON DELETE SET NULL;'
        ),
        reverse_sql=f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}";',
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('raptorflow', '0001_tables'),  # workspaces, users, cohorts (and cohorts_workspace_id_uniq)
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        Batch(
            migrations.CreateModel(
                name='Positioning',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('name', models.CharField(max_length=120, verbose_name='name')),
                    ('target_segment', models.CharField(blank=True, db_default='', default='', help_text='Who this positioning speaks to, e.g. “weekend hikers in the Alps”.', max_length=200, verbose_name='target segment')),
                    ('problem_statement', models.TextField(blank=True, db_default='', default='', verbose_name='problem statement')),
                    ('value_proposition', models.TextField(blank=True, db_default='', default='', verbose_name='value proposition')),
                    ('differentiators', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=200), blank=True, db_comment='What sets the offer apart, one short phrase each.', db_default=[], default=list, size=None, verbose_name='differentiators')),
                    ('proof_points', models.JSONField(blank=True, db_comment='JSON array of evidence, e.g. [{"claim": "...", "source": "..."}].', db_default=[], default=list, verbose_name='proof points')),
                    ('status', models.CharField(choices=[('draft', 'Draft'), ('active', 'Active'), ('archived', 'Archived')], db_default='draft', default='draft', max_length=16, verbose_name='status')),
                    ('created_by', models.ForeignKey(blank=True, db_comment='Who created the row; null once that user is deleted.', db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='positionings_created', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                    ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace')),
                ],
                options={
                    'verbose_name': 'positioning',
                    'verbose_name_plural': 'positioning',
                    'db_table': 'positioning',
                    'db_table_comment': 'Market positioning of a workspace: segment, problem, value proposition, differentiators, proof.',
                    'ordering': ['name'],
                    'indexes': [models.Index(condition=models.Q(('created_by__isnull', False)), fields=['created_by'], name='positioning_created_by_idx')],
                    'constraints': [models.UniqueConstraint(fields=('workspace', 'name'), name='positioning_workspace_name_uniq'), models.UniqueConstraint(fields=('workspace', 'id'), name='positioning_workspace_id_uniq'), models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'active', 'archived'])), name='positioning_status_valid'), models.CheckConstraint(condition=models.Q(('name__regex', '\\S')), name='positioning_name_not_blank'), models.CheckConstraint(condition=django.db.models.lookups.Exact(models.Func(models.F('proof_points'), function='jsonb_typeof', output_field=models.CharField()), 'array'), name='positioning_proof_points_array')],
                },
            ),
            migrations.CreateModel(
                name='MessageArchitecture',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('name', models.CharField(max_length=120, verbose_name='name')),
                    ('core_message', models.TextField(blank=True, db_default='', default='', verbose_name='core message')),
                    ('pillars', models.JSONField(blank=True, db_comment='JSON array of message pillars: [{"title": "...", "message": "...", "proof": "..."}].', db_default=[], default=list, verbose_name='pillars')),
                    ('tone', models.CharField(blank=True, db_default='', default='', max_length=120, verbose_name='tone of voice')),
                    ('version', models.IntegerField(db_default=1, default=1, validators=[django.core.validators.MinValueValidator(1)], verbose_name='version')),
                    ('is_primary', models.BooleanField(db_comment='At most one primary architecture per positioning (partial unique index).', db_default=False, default=False, help_text='The messaging campaigns use by default; at most one per positioning.', verbose_name='primary')),
                    ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace')),
                    ('positioning', models.ForeignKey(db_comment='Positioning this messaging serves; deleted with it (same-workspace key, ON DELETE CASCADE).', db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='message_architectures', to='campaigns.positioning', verbose_name='positioning')),
                ],
                options={
                    'verbose_name': 'message architecture',
                    'verbose_name_plural': 'message architectures',
                    'db_table': 'message_architecture',
                    'db_table_comment': 'Messaging frameworks (core message, pillars, tone), versioned per positioning.',
                    'ordering': ['positioning__name', 'name', '-version'],
                    'indexes': [],
                    'constraints': [models.UniqueConstraint(fields=('workspace', 'positioning', 'name', 'version'), name='message_architecture_name_version_uniq'), models.UniqueConstraint(condition=models.Q(('is_primary', True)), fields=('workspace', 'positioning'), name='message_architecture_one_primary_uniq'), models.UniqueConstraint(fields=('workspace', 'id'), name='message_architecture_workspace_id_uniq'), models.CheckConstraint(condition=models.Q(('version__gte', 1)), name='message_architecture_version_positive'), models.CheckConstraint(condition=models.Q(('name__regex', '\\S')), name='message_architecture_name_not_blank'), models.CheckConstraint(condition=django.db.models.lookups.Exact(models.Func(models.F('pillars'), function='jsonb_typeof', output_field=models.CharField()), 'array'), name='message_architecture_pillars_array'), models.CheckConstraint(condition=django.db.models.lookups.Exact(models.Func(models.F('pillars'), models.Value('$[*] ? (@.type() != "object" || !exists(@.title) || @.title.type() != "string")'), function='jsonb_path_exists', output_field=models.BooleanField(), template='%(function)s(%(expressions)s::jsonpath)'), False), name='message_architecture_pillars_have_titles')],
                },
            ),
            migrations.CreateModel(
                name='Campaign',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('name', models.CharField(max_length=160, verbose_name='name')),
                    ('objective', models.TextField(blank=True, db_default='', default='', verbose_name='objective')),
                    ('status', models.CharField(choices=[('draft', 'Draft'), ('scheduled', 'Scheduled'), ('active', 'Active'), ('paused', 'Paused'), ('completed', 'Completed'), ('archived', 'Archived')], db_default='draft', default='draft', max_length=16, verbose_name='status')),
                    ('channels', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('email', 'Email'), ('social', 'Organic social'), ('paid_social', 'Paid social'), ('paid_search', 'Paid search'), ('display', 'Display'), ('content', 'Content / SEO'), ('events', 'Events'), ('webinar', 'Webinar'), ('partner', 'Partners'), ('retail', 'In store'), ('sms', 'SMS'), ('direct_mail', 'Direct mail')], max_length=32), blank=True, db_comment='Channels the campaign runs on (values of the Channel enumeration).', db_default=[], default=list, size=None, verbose_name='channels')),
                    ('budget', models.DecimalField(blank=True, db_comment='Total budget, numeric(12,2), never negative; null while not set.', decimal_places=2, help_text="Total budget in the workspace's currency; leave empty if not set yet.", max_digits=12, null=True, verbose_name='budget')),
                    ('starts_at', models.DateTimeField(blank=True, null=True, verbose_name='starts at')),
                    ('ends_at', models.DateTimeField(blank=True, null=True, verbose_name='ends at')),
                    ('kpi_targets', models.JSONField(blank=True, db_comment='JSON object of metric -> target, e.g. {"signups": 5000, "ctr": 0.02}.', db_default={}, default=dict, verbose_name='KPI targets')),
                    ('created_by', models.ForeignKey(blank=True, db_comment='Who created the row; null once that user is deleted.', db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='campaigns_created', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                    ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace')),
                    ('message_architecture', models.ForeignKey(blank=True, db_comment='Messaging the campaign uses; nulled when it is deleted.', db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='campaigns', to='campaigns.messagearchitecture', verbose_name='message architecture')),
                    ('positioning', models.ForeignKey(blank=True, db_comment='Positioning the campaign expresses; nulled when it is deleted.', db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='campaigns', to='campaigns.positioning', verbose_name='positioning')),
                ],
                options={
                    'verbose_name': 'campaign',
                    'verbose_name_plural': 'campaigns',
                    'db_table': 'campaigns',
                    'db_table_comment': 'Marketing campaigns of a workspace, linked to positioning and messaging, with quests and targeted cohorts.',
                    'ordering': ['name'],
                    'indexes': [models.Index(fields=['workspace', 'status', 'name'], name='campaigns_ws_status_name_idx'), models.Index(condition=models.Q(('positioning__isnull', False)), fields=['workspace', 'positioning'], name='campaigns_ws_positioning_idx'), models.Index(condition=models.Q(('message_architecture__isnull', False)), fields=['workspace', 'message_architecture'], name='campaigns_ws_message_arch_idx'), models.Index(condition=models.Q(('created_by__isnull', False)), fields=['created_by'], name='campaigns_created_by_idx')],
                    'constraints': [models.UniqueConstraint(fields=('workspace', 'name'), name='campaigns_workspace_name_uniq'), models.UniqueConstraint(fields=('workspace', 'id'), name='campaigns_workspace_id_uniq'), models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'scheduled', 'active', 'paused', 'completed', 'archived'])), name='campaigns_status_valid'), models.CheckConstraint(condition=models.Q(('name__regex', '\\S')), name='campaigns_name_not_blank'), models.CheckConstraint(condition=models.Q(('budget__gte', 0)), name='campaigns_budget_not_negative'), models.CheckConstraint(condition=models.Q(('starts_at__isnull', True), ('ends_at__isnull', True), ('ends_at__gte', models.F('starts_at')), _connector='OR'), name='campaigns_ends_after_start'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'scheduled'), _negated=True), ('starts_at__isnull', False), _connector='OR'), name='campaigns_scheduled_has_start'), models.CheckConstraint(condition=models.Q(('channels__contained_by', ['email', 'social', 'paid_social', 'paid_search', 'display', 'content', 'events', 'webinar', 'partner', 'retail', 'sms', 'direct_mail'])), name='campaigns_channels_valid'), models.CheckConstraint(condition=django.db.models.lookups.Exact(models.Func(models.F('kpi_targets'), function='jsonb_typeof', output_field=models.CharField()), 'object'), name='campaigns_kpi_targets_object')],
                },
            ),
            migrations.CreateModel(
                name='CampaignCohort',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('role', models.CharField(choices=[('primary', 'Primary'), ('secondary', 'Secondary'), ('control', 'Control (held out)')], db_default='primary', default='primary', max_length=16, verbose_name='role')),
                    ('added_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='added at')),
                    ('campaign', models.ForeignKey(db_comment='Targeting campaign; the row goes with it.', db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='cohort_targets', to='campaigns.campaign', verbose_name='campaign')),
                    ('cohort', models.ForeignKey(db_comment='Targeted cohort; the row goes with it.', db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='campaign_targets', to='raptorflow.cohort', verbose_name='cohort')),
                    ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace')),
                ],
                options={
                    'verbose_name': 'campaign cohort',
                    'verbose_name_plural': 'campaign cohorts',
                    'db_table': 'campaign_cohorts',
                    'db_table_comment': 'Which cohorts a campaign targets, and as what (primary, secondary, control).',
                    'ordering': ['role', 'added_at'],
                    'indexes': [models.Index(fields=['workspace', 'cohort'], name='campaign_cohorts_ws_cohort_idx')],
                    'constraints': [models.UniqueConstraint(fields=('workspace', 'campaign', 'cohort'), name='campaign_cohorts_pair_uniq'), models.CheckConstraint(condition=models.Q(('role__in', ['primary', 'secondary', 'control'])), name='campaign_cohorts_role_valid')],
                },
            ),
            migrations.CreateModel(
                name='CampaignQuest',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('title', models.CharField(max_length=200, verbose_name='title')),
                    ('description', models.TextField(blank=True, db_default='', default='', verbose_name='description')),
                    ('position', models.IntegerField(db_comment='Order among the quests with the same parent, ascending.', db_default=0, default=0, validators=[django.core.validators.MinValueValidator(0)], verbose_name='position')),
                    ('status', models.CharField(choices=[('pending', 'To do'), ('in_progress', 'In progress'), ('completed', 'Completed'), ('skipped', 'Skipped')], db_default='pending', default='pending', max_length=16, verbose_name='status')),
                    ('xp_reward', models.IntegerField(db_comment='Experience points granted when the quest is completed.', db_default=10, default=10, validators=[django.core.validators.MinValueValidator(0)], verbose_name='XP reward')),
                    ('due_at', models.DateTimeField(blank=True, null=True, verbose_name='due at')),
                    ('completed_at', models.DateTimeField(blank=True, db_comment='Set exactly when status is completed.', editable=False, null=True, verbose_name='completed at')),
                    ('campaign', models.ForeignKey(db_comment='Campaign the quest belongs to; deleted with it.', db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='quests', to='campaigns.campaign', verbose_name='campaign')),
                    ('parent', models.ForeignKey(blank=True, db_comment='Parent quest in the same campaign (null for a top-level quest); a trigger refuses cycles. Deleting a quest deletes its subtree.', db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='children', to='campaigns.campaignquest', verbose_name='parent quest')),
                    ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace')),
                ],
                options={
                    'verbose_name': 'campaign quest',
                    'verbose_name_plural': 'campaign quests',
                    'db_table': 'campaign_quests',
                    'db_table_comment': 'Quests (tasks) of a campaign, as a tree: parent in the same campaign, no cycles.',
                    'ordering': ['position', 'created_at'],
                    'indexes': [models.Index(fields=['workspace', 'campaign', 'position'], name='quests_ws_campaign_pos_idx'), models.Index(condition=models.Q(('parent__isnull', False)), fields=['workspace', 'parent', 'position'], name='quests_ws_parent_pos_idx'), models.Index(models.F('workspace'), models.F('position'), models.F('created_at'), models.OrderBy(models.F('id'), descending=True), name='quests_ws_admin_order_idx')],
                    'constraints': [models.UniqueConstraint(fields=('workspace', 'id'), name='campaign_quests_workspace_id_uniq'), models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'in_progress', 'completed', 'skipped'])), name='campaign_quests_status_valid'), models.CheckConstraint(condition=models.Q(('title__regex', '\\S')), name='campaign_quests_title_not_blank'), models.CheckConstraint(condition=models.Q(('xp_reward__gte', 0)), name='campaign_quests_xp_reward_not_negative'), models.CheckConstraint(condition=models.Q(('position__gte', 0)), name='campaign_quests_position_not_negative'), models.CheckConstraint(condition=models.Q(('parent', models.F('id')), _negated=True), name='campaign_quests_not_own_parent'), models.CheckConstraint(condition=models.Q(models.Q(('completed_at__isnull', False), ('status', 'completed')), models.Q(models.Q(('status', 'completed'), _negated=True), ('completed_at__isnull', True)), _connector='OR'), name='campaign_quests_completed_at_matches_status')],
                },
            ),
        ),
        # Django adds constraints, indexes and foreign keys when the migration ends; add them now,
        # so the keys below can reference those constraints and replace Django's foreign keys.
        RunDeferredSQL(),
        SameWorkspaceForeignKey("message_architecture", "positioning_id", "positioning", on_delete="CASCADE"),
        SameWorkspaceForeignKey("campaigns", "positioning_id", "positioning", on_delete="SET NULL"),
        SameWorkspaceForeignKey("campaigns", "message_architecture_id", "message_architecture", on_delete="SET NULL"),
        SameWorkspaceForeignKey("campaign_quests", "campaign_id", "campaigns", on_delete="CASCADE"),
        SameWorkspaceForeignKey("campaign_quests", "parent_id", "campaign_quests", on_delete="CASCADE"),
        SameWorkspaceForeignKey("campaign_cohorts", "campaign_id", "campaigns", on_delete="CASCADE"),
        SameWorkspaceForeignKey("campaign_cohorts", "cohort_id", "cohorts", on_delete="CASCADE"),
        created_by_key("positioning"),
        created_by_key("campaigns"),
    ]
