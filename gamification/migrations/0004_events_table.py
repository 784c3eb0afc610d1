"""gamification_events: what members did that achievements count, once per (workspace, user, event, subject).

A new table, created with its keys and under row-level security in one
migration, so it never exists unprotected:
- the member key (workspace_id, user_id) -> workspace_members, ON DELETE
  CASCADE, as for user_achievements and user_stats (a removed member's
  events go with their progress);
- ON DELETE rules for the workspace and user keys in the database (Django's
  emulation cannot reach rows RLS hides);
- the standard workspace policy, FORCE, the workspace_id default and grants.
The function that writes it and the triggers that call that function come
in 0005.
"""

import django.contrib.postgres.functions
import django.db.models.deletion
import django.db.models.functions.datetime
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models

from raptorflow.migration_ops import Batch, DatabaseOnDelete, RunDeferredSQL, TenantRLS


class Migration(migrations.Migration):

    dependencies = [
        ('gamification', '0003_functions_and_triggers'),
        ('raptorflow', '0004_django_and_axes_grants'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        Batch(migrations.CreateModel(
            name='GamificationEvent',
            fields=[
                ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                ('event', models.CharField(choices=[('quest_completed', 'quest completed'), ('campaign_launched', 'campaign launched'), ('campaign_completed', 'campaign completed'), ('cohort_created', 'cohort created'), ('positioning_published', 'positioning published'), ('signal_reviewed', 'signal reviewed'), ('insight_published', 'insight published'), ('alert_resolved', 'alert resolved'), ('daily_login', 'daily login')], max_length=40, verbose_name='event')),
                ('subject_id', models.UUIDField(blank=True, db_comment='The row the event is about (quest, campaign, cohort, positioning, signal, insight, alert); for daily_login a uuid of the UTC day.', null=True, verbose_name='subject')),
                ('occurred_at', models.DateTimeField(verbose_name='occurred at')),
                ('xp_awarded', models.PositiveIntegerField(db_comment="xp credited by the event itself: a completed quest's xp_reward.", db_default=0, default=0, verbose_name='xp awarded')),
                ('user', models.ForeignKey(db_comment='The actor; (workspace_id, user_id) must be a workspace member (gamification_events_member_fk).', db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='member')),
                ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace')),
            ],
            options={
                'verbose_name': 'gamification event',
                'verbose_name_plural': 'gamification events',
                'db_table': 'gamification_events',
                'db_table_comment': 'What members did that achievements count (014), once per (workspace, user, event, subject); written by record_gamification_event.',
                'ordering': ['-occurred_at'],
                'indexes': [models.Index(fields=['workspace', 'user', 'event', 'occurred_at'], name='gam_events_window_idx'), models.Index(models.F('workspace'), models.OrderBy(models.F('occurred_at'), descending=True), name='gam_events_ws_recent_idx'), models.Index(fields=['user'], name='gam_events_user_idx')],
                'constraints': [models.UniqueConstraint(fields=('workspace', 'user', 'event', 'subject_id'), name='gamification_events_once', nulls_distinct=False), models.CheckConstraint(condition=models.Q(('event__in', ['quest_completed', 'campaign_launched', 'campaign_completed', 'cohort_created', 'positioning_published', 'signal_reviewed', 'insight_published', 'alert_resolved', 'daily_login'])), name='gamification_events_event_valid')],
            },
        )),
        RunDeferredSQL(),
        migrations.RunSQL(
            sql=[
                "ALTER TABLE gamification_events DROP CONSTRAINT IF EXISTS gamification_events_member_fk",
                "ALTER TABLE gamification_events ADD CONSTRAINT gamification_events_member_fk FOREIGN KEY (workspace_id, user_id) "
                "REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE",
            ],
            reverse_sql="ALTER TABLE gamification_events DROP CONSTRAINT IF EXISTS gamification_events_member_fk",
        ),
        DatabaseOnDelete(
            "gamification_events", "workspace_id", "workspaces", "gamification_events_workspace_id_837ed667_fk_workspaces_id", "CASCADE"
        ),
        DatabaseOnDelete("gamification_events", "user_id", "users", "gamification_events_user_id_daad0626_fk_users_id", "CASCADE"),
        TenantRLS("gamificationevent"),
    ]
