"""The gamification tables (domain 014): achievements, members' progress, members' stats.

The models in their final shape (fields, constraints, indexes, table and
column comments), then the keys that keep gamification rows inside their
workspace (docs/tenancy.md, pitfall 8) and the ON DELETE rules of Django's keys:

- ``user_achievements.achievement_id`` -> achievements of the same workspace.
- ``(workspace_id, user_id)`` of user_achievements and user_stats ->
  workspace_members: only members of the workspace make progress or have
  stats, and a member who leaves takes their progress and stats along (ON
  DELETE CASCADE). The SQL functions and the validation triggers check
  membership first with a readable message; these keys are the guarantee
  behind them.
- ON DELETE rules in the database for the foreign keys Django created
  (``DatabaseOnDelete``): Django emulates CASCADE and SET NULL with its own
  queries, which row-level security limits to the rows the caller sees, so
  deleting a user would miss their progress in other workspaces (or awards
  they gave there) and fail at commit. A referential action runs as the table
  owner without forced RLS and reaches every row; the triggers use the row's
  own workspace, so they follow.
"""

from django.conf import settings
import django.contrib.postgres.functions
from django.db import migrations, models
import django.db.models.deletion
import django.db.models.fields.json
import django.db.models.functions.datetime
import django.db.models.lookups
import django.utils.timezone
import uuid

from raptorflow.migration_ops import Batch, DatabaseOnDelete, RunDeferredSQL, SameWorkspaceForeignKey


def member_key(table):
    name = f"{table}_member_fk"
    return migrations.RunSQL(
        sql=[
            f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}",
            f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY (workspace_id, user_id) "
            "REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE",
        ],
        reverse_sql=f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}",
    )


# (table, column, referenced table, the constraint name Django gives the key, rule)
REFERENCES = [
    ("achievements", "workspace_id", "workspaces", "achievements_workspace_id_021bd5be_fk_workspaces_id", "CASCADE"),
    ("user_achievements", "workspace_id", "workspaces", "user_achievements_workspace_id_d5d137b6_fk_workspaces_id", "CASCADE"),
    ("user_achievements", "user_id", "users", "user_achievements_user_id_339ff42b_fk_users_id", "CASCADE"),
    ("user_achievements", "awarded_by_id", "users", "user_achievements_awarded_by_id_144e1bb7_fk_users_id", "SET NULL"),
    ("user_stats", "workspace_id", "workspaces", "user_stats_workspace_id_24540d93_fk_workspaces_id", "CASCADE"),
    ("user_stats", "user_id", "users", "user_stats_user_id_9ea28916_fk_users_id", "CASCADE"),
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('raptorflow', '0001_tables'),  # workspaces, users, workspace_members (workspace_id, user_id)
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        Batch(
            migrations.CreateModel(
                name='Achievement',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('code', models.SlugField(db_comment='Stable identifier, unique per workspace.', db_index=False, help_text='Stable identifier used by events and imports, e.g. first-campaign. Unique in the workspace.', max_length=64, verbose_name='code')),
                    ('name', models.CharField(max_length=120, verbose_name='name')),
                    ('description', models.TextField(blank=True, db_default='', default='', verbose_name='description')),
                    ('category', models.CharField(choices=[('general', 'General'), ('campaigns', 'Campaigns'), ('quests', 'Quests'), ('audience', 'Audience'), ('intelligence', 'Intelligence'), ('operations', 'Operations'), ('engagement', 'Engagement')], db_default='general', default='general', max_length=20, verbose_name='category')),
                    ('rarity', models.CharField(choices=[('common', 'Common'), ('rare', 'Rare'), ('epic', 'Epic'), ('legendary', 'Legendary')], db_default='common', default='common', max_length=12, verbose_name='rarity')),
                    ('xp_reward', models.PositiveIntegerField(db_comment='Experience points credited once, on completion.', db_default=50, default=50, verbose_name='xp reward')),
                    ('criteria', models.JSONField(db_comment='{"event": text, "count": int = target_value, "within_days"?: 1..365}; checked by trigger achievements_check_criteria.', default=dict, help_text='What unlocks it: {"event": "quest_completed", "count": 10} with an optional "within_days" (1 to 365). Events: quest_completed, campaign_launched, campaign_completed, cohort_created, positioning_published, signal_reviewed, insight_published, alert_resolved, daily_login, manual. The count equals the target value.', verbose_name='criteria')),
                    ('target_value', models.PositiveIntegerField(db_comment='Progress needed to complete (> 0).', db_default=1, default=1, verbose_name='target value')),
                    ('icon', models.CharField(blank=True, db_default='', default='', help_text='An emoji or an icon name.', max_length=64, verbose_name='icon')),
                    ('is_active', models.BooleanField(db_default=True, default=True, help_text='Inactive achievements make no progress.', verbose_name='active')),
                    ('is_secret', models.BooleanField(db_default=False, default=False, help_text='Hidden from members until unlocked.', verbose_name='secret')),
                    ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace')),
                ],
                options={
                    'verbose_name': 'achievement',
                    'verbose_name_plural': 'achievements',
                    'db_table': 'achievements',
                    'db_table_comment': 'Achievement catalogue of a workspace (014). Unlock rules in criteria; xp credited once per user.',
                    'ordering': ['name'],
                    'indexes': [models.Index(models.F('workspace'), django.db.models.fields.json.KeyTextTransform('event', 'criteria'), condition=models.Q(('is_active', True)), name='achievements_ws_event_idx')],
                    'constraints': [models.UniqueConstraint(fields=('workspace', 'code'), name='achievements_workspace_code_uniq'), models.UniqueConstraint(fields=('workspace', 'id'), name='achievements_workspace_id_uniq'), models.CheckConstraint(condition=models.Q(('rarity__in', ['common', 'rare', 'epic', 'legendary'])), name='achievements_rarity_valid'), models.CheckConstraint(condition=models.Q(('category__in', ['general', 'campaigns', 'quests', 'audience', 'intelligence', 'operations', 'engagement'])), name='achievements_category_valid'), models.CheckConstraint(condition=models.Q(('xp_reward__lte', 100000)), name='achievements_xp_reward_max'), models.CheckConstraint(condition=models.Q(('target_value__gt', 0)), name='achievements_target_positive'), models.CheckConstraint(condition=django.db.models.lookups.Exact(models.Func(models.F('criteria'), function='jsonb_typeof', output_field=models.CharField()), 'object'), name='achievements_criteria_object'), models.CheckConstraint(condition=models.Q(('code__regex', '^[a-z0-9][a-z0-9_-]*$')), name='achievements_code_format'), models.CheckConstraint(condition=models.Q(('name', ''), _negated=True), name='achievements_name_not_blank')],
                },
            ),
            migrations.CreateModel(
                name='UserAchievement',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('progress', models.PositiveIntegerField(db_comment='0..achievements.target_value (trigger-checked).', db_default=0, default=0, verbose_name='progress')),
                    ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='completed at')),
                    ('xp_awarded', models.PositiveIntegerField(db_comment="The achievement's xp_reward at completion (0 before): what user_stats was credited.", db_default=0, default=0, editable=False, verbose_name='xp awarded')),
                    ('achievement', models.ForeignKey(db_comment='Same-workspace key user_achievements_achievement_id_same_ws_fk.', db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='user_achievements', to='gamification.achievement', verbose_name='achievement')),
                    ('awarded_by', models.ForeignKey(blank=True, db_comment='Who awarded it by hand; NULL when earned through progress.', db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='awarded by')),
                    ('user', models.ForeignKey(db_comment='The member making progress; (workspace_id, user_id) must be a workspace member (user_achievements_member_fk).', db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='achievements_progress', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace')),
                ],
                options={
                    'verbose_name': 'user achievement',
                    'verbose_name_plural': 'user achievements',
                    'db_table': 'user_achievements',
                    'db_table_comment': 'Progress of members towards achievements (014). Completion credits user_stats once (trigger).',
                    'ordering': ['-completed_at', '-updated_at'],
                    'indexes': [models.Index(fields=['workspace', 'achievement', 'completed_at'], name='user_ach_ws_achievement_idx'), models.Index(models.F('workspace'), models.OrderBy(models.F('completed_at'), descending=True), condition=models.Q(('completed_at__isnull', False)), name='user_ach_ws_recent_idx'), models.Index(fields=['user'], name='user_ach_user_idx'), models.Index(condition=models.Q(('awarded_by__isnull', False)), fields=['awarded_by'], name='user_ach_awarded_by_idx')],
                    'constraints': [models.UniqueConstraint(fields=('workspace', 'user', 'achievement'), name='user_achievements_workspace_user_achievement_uniq'), models.CheckConstraint(condition=models.Q(('awarded_by__isnull', True), ('completed_at__isnull', False), _connector='OR'), name='user_achievements_awarded_is_completed'), models.CheckConstraint(condition=models.Q(('completed_at__isnull', False), ('xp_awarded', 0), _connector='OR'), name='user_achievements_xp_only_when_completed')],
                },
            ),
            migrations.CreateModel(
                name='UserStats',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('total_xp', models.PositiveIntegerField(db_default=0, default=0, verbose_name='total xp')),
                    ('level', models.PositiveIntegerField(db_comment='gamification_level_for_xp(total_xp).', db_default=1, default=1, verbose_name='level')),
                    ('achievements_unlocked', models.PositiveIntegerField(db_default=0, default=0, verbose_name='achievements unlocked')),
                    ('quests_completed', models.PositiveIntegerField(db_default=0, default=0, verbose_name='quests completed')),
                    ('current_streak_days', models.PositiveIntegerField(db_default=0, default=0, verbose_name='current streak (days)')),
                    ('longest_streak_days', models.PositiveIntegerField(db_default=0, default=0, verbose_name='longest streak (days)')),
                    ('last_activity_at', models.DateTimeField(blank=True, null=True, verbose_name='last activity')),
                    ('user', models.ForeignKey(db_comment='The member; (workspace_id, user_id) must be a workspace member (user_stats_member_fk).', db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='gamification_stats', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace')),
                ],
                options={
                    'verbose_name': 'user stats',
                    'verbose_name_plural': 'user stats',
                    'db_table': 'user_stats',
                    'db_table_comment': 'Per-member gamification totals of a workspace (014). xp/level/unlocks credited by trigger; refresh_user_stats() recomputes them.',
                    'ordering': ['-total_xp'],
                    'indexes': [models.Index(models.F('workspace'), models.OrderBy(models.F('total_xp'), descending=True), models.F('user'), name='user_stats_ws_leaderboard_idx'), models.Index(fields=['user'], name='user_stats_user_idx')],
                    'constraints': [models.UniqueConstraint(fields=('workspace', 'user'), name='user_stats_workspace_user_uniq'), models.CheckConstraint(condition=models.Q(('level__gte', 1)), name='user_stats_level_positive'), models.CheckConstraint(condition=models.Q(('longest_streak_days__gte', models.F('current_streak_days'))), name='user_stats_longest_streak_covers_current')],
                },
            ),
        ),
        # Django adds constraints, indexes and foreign keys when the migration ends; add them now,
        # so the keys below can reference those constraints and replace Django's foreign keys.
        RunDeferredSQL(),
        SameWorkspaceForeignKey("user_achievements", "achievement_id", "achievements", on_delete="CASCADE"),
        member_key("user_achievements"),
        member_key("user_stats"),
        *[DatabaseOnDelete(table, column, ref, name, rule) for table, column, ref, name, rule in REFERENCES],
    ]
