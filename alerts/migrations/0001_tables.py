"""The alerts tables (domain 017): system alerts and users' notifications.

The models in their final shape (fields, constraints, indexes, table and
column comments; the list indexes end with ``id DESC``, the admin's
tie-breaker), then:

- ``user_notifications_member_fk``: (workspace_id, user_id) references
  workspace_members (workspace_id, user_id) ON DELETE CASCADE: only members of
  the workspace are notified, and leaving a workspace removes its
  notifications.
- ON DELETE rules in the database for every foreign key Django created
  (``DatabaseOnDelete``): Django emulates CASCADE and SET NULL with its own
  queries, which row-level security limits to the rows the caller sees, so
  deleting a workspace or a user would miss other users' notifications
  (personal rows) or other workspaces' alerts acknowledged by that user, and
  fail at commit. A referential action runs as the table owner without forced
  RLS and reaches every row.
"""

from django.conf import settings
import django.contrib.postgres.functions
from django.db import migrations, models
import django.db.models.deletion
import django.db.models.functions.datetime
import django.db.models.lookups
import django.utils.timezone
import uuid

from raptorflow.migration_ops import Batch, DatabaseOnDelete, RunDeferredSQL

MEMBER_KEY = """
ALTER TABLE user_notifications DROP CONSTRAINT IF EXISTS user_notifications_member_fk;
ALTER TABLE user_notifications ADD CONSTRAINT user_notifications_member_fk
    FOREIGN KEY (workspace_id, user_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE;
"""

# (table, column, referenced table, the constraint name Django gives the key, rule)
REFERENCES = [
    ("system_alerts", "workspace_id", "workspaces", "system_alerts_workspace_id_c55a9dbd_fk_workspaces_id", "CASCADE"),
    ("system_alerts", "acknowledged_by_id", "users", "system_alerts_acknowledged_by_id_55579986_fk_users_id", "SET NULL"),
    ("system_alerts", "resolved_by_id", "users", "system_alerts_resolved_by_id_534c32bc_fk_users_id", "SET NULL"),
    ("user_notifications", "workspace_id", "workspaces", "user_notifications_workspace_id_58b3b31a_fk_workspaces_id", "CASCADE"),
    ("user_notifications", "user_id", "users", "user_notifications_user_id_0ac00350_fk_users_id", "CASCADE"),
    ("user_notifications", "alert_id", "system_alerts", "user_notifications_alert_id_e52ec21f_fk_system_alerts_id", "SET NULL"),
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
                name='SystemAlert',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('severity', models.CharField(choices=[('info', 'Info'), ('warning', 'Warning'), ('error', 'Error'), ('critical', 'Critical')], default='warning', max_length=10, verbose_name='severity')),
                    ('source', models.CharField(db_comment='Subsystem that raised the alert (free text, filterable).', help_text="The subsystem that raised the alert, e.g. 'agents.record_execution' or 'billing'.", max_length=100, verbose_name='source')),
                    ('title', models.CharField(max_length=200, verbose_name='title')),
                    ('message', models.TextField(blank=True, db_default='', default='', verbose_name='message')),
                    ('details', models.JSONField(blank=True, db_comment='Structured context as a JSON object.', db_default={}, default=dict, verbose_name='details')),
                    ('fingerprint', models.CharField(db_comment='Dedupe key: at most one unresolved alert per (workspace, fingerprint). Defaults to md5(source || title).', help_text='Alerts with the same fingerprint are one alert while unresolved: a repeat adds an occurrence.', max_length=200, verbose_name='fingerprint')),
                    ('occurrence_count', models.PositiveIntegerField(db_comment='How many times the alert was raised while unresolved.', db_default=1, default=1, verbose_name='occurrences')),
                    ('first_seen_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, verbose_name='first seen')),
                    ('last_seen_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, verbose_name='last seen')),
                    ('status', models.CharField(choices=[('open', 'Open'), ('acknowledged', 'Acknowledged'), ('resolved', 'Resolved')], default='open', max_length=12, verbose_name='status')),
                    ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledged at')),
                    ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='resolved at')),
                    ('resolution_note', models.TextField(blank=True, db_default='', default='', verbose_name='resolution note')),
                    ('acknowledged_by', models.ForeignKey(blank=True, db_comment='app.current_user_id when acknowledged (NULL if done by the DBA or the user was deleted).', db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='acknowledged by')),
                    ('resolved_by', models.ForeignKey(blank=True, db_comment='app.current_user_id when resolved.', db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='resolved by')),
                    ('workspace', models.ForeignKey(blank=True, db_comment='Owning workspace; NULL = platform-wide alert, readable by every workspace and writable by none.', db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='raptorflow.workspace', verbose_name='workspace')),
                ],
                options={
                    'verbose_name': 'system alert',
                    'verbose_name_plural': 'system alerts',
                    'db_table': 'system_alerts',
                    'db_table_comment': 'Operational alerts of a workspace (or platform-wide when workspace_id IS NULL). Lifecycle open -> acknowledged -> resolved through acknowledge_system_alert / resolve_system_alert.',
                    'ordering': ['-last_seen_at'],
                    'indexes': [models.Index(condition=models.Q(('status', 'open')), fields=['workspace', 'severity'], name='system_alerts_ws_open_idx'), models.Index(condition=models.Q(('acknowledged_by__isnull', False)), fields=['acknowledged_by'], name='system_alerts_ack_by_idx'), models.Index(condition=models.Q(('resolved_by__isnull', False)), fields=['resolved_by'], name='system_alerts_resolved_by_idx'), models.Index(models.F('workspace'), models.OrderBy(models.F('last_seen_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='system_alerts_ws_seen_idx'), models.Index(models.F('workspace'), models.F('status'), models.OrderBy(models.F('last_seen_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='system_alerts_ws_status_idx'), models.Index(models.F('workspace'), models.F('severity'), models.OrderBy(models.F('last_seen_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='system_alerts_ws_severity_idx'), models.Index(models.F('workspace'), models.F('source'), models.OrderBy(models.F('last_seen_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='system_alerts_ws_source_idx')],
                    'constraints': [models.CheckConstraint(condition=models.Q(('severity__in', ['info', 'warning', 'error', 'critical'])), name='system_alerts_severity_valid'), models.CheckConstraint(condition=models.Q(('status__in', ['open', 'acknowledged', 'resolved'])), name='system_alerts_status_valid'), models.CheckConstraint(condition=models.Q(models.Q(('acknowledged_at__isnull', True), ('resolved_at__isnull', True), ('status', 'open')), models.Q(('acknowledged_at__isnull', False), ('resolved_at__isnull', True), ('status', 'acknowledged')), models.Q(('resolved_at__isnull', False), ('status', 'resolved')), _connector='OR'), name='system_alerts_status_timestamps'), models.CheckConstraint(condition=models.Q(('acknowledged_at__isnull', True), ('resolved_at__isnull', True), ('resolved_at__gte', models.F('acknowledged_at')), _connector='OR'), name='system_alerts_resolved_after_ack'), models.CheckConstraint(condition=models.Q(('last_seen_at__gte', models.F('first_seen_at'))), name='system_alerts_seen_order'), models.CheckConstraint(condition=models.Q(('occurrence_count__gte', 1)), name='system_alerts_occurrences_positive'), models.CheckConstraint(condition=models.Q(('source', ''), _negated=True), name='system_alerts_source_not_blank'), models.CheckConstraint(condition=models.Q(('title', ''), _negated=True), name='system_alerts_title_not_blank'), models.CheckConstraint(condition=models.Q(('fingerprint', ''), _negated=True), name='system_alerts_fingerprint_not_blank'), models.CheckConstraint(condition=django.db.models.lookups.Exact(models.Func(models.F('details'), function='jsonb_typeof', output_field=models.CharField()), 'object'), name='system_alerts_details_object'), models.UniqueConstraint(condition=models.Q(('status', 'resolved'), _negated=True), fields=('workspace', 'fingerprint'), name='system_alerts_unresolved_fingerprint_uniq', nulls_distinct=False)],
                },
            ),
            migrations.CreateModel(
                name='UserNotification',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('kind', models.CharField(choices=[('info', 'Info'), ('success', 'Success'), ('warning', 'Warning'), ('error', 'Error'), ('alert', 'Alert')], default='info', max_length=10, verbose_name='kind')),
                    ('title', models.CharField(max_length=200, verbose_name='title')),
                    ('body', models.TextField(blank=True, db_default='', default='', verbose_name='body')),
                    ('link', models.CharField(blank=True, db_comment='Relative URL or absolute http(s) URL.', max_length=500, null=True, verbose_name='link')),
                    ('read_at', models.DateTimeField(blank=True, db_comment='NULL while unread.', null=True, verbose_name='read at')),
                    ('expires_at', models.DateTimeField(blank=True, db_comment='After this time the notification no longer counts as unread.', null=True, verbose_name='expires at')),
                    ('alert', models.ForeignKey(blank=True, db_comment="The alert this notification is about: one of the workspace's or a platform-wide one (trigger-checked).", db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='notifications', to='alerts.systemalert', verbose_name='alert')),
                    ('user', models.ForeignKey(db_comment='The recipient; only this user sees the row (RLS).', db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='raptorflow.workspace', verbose_name='workspace')),
                ],
                options={
                    'verbose_name': 'notification',
                    'verbose_name_plural': 'notifications',
                    'db_table': 'user_notifications',
                    'db_table_comment': 'Personal notifications: a user sees and updates only their own, in the current workspace. Written for other members through notify_user().',
                    'ordering': ['-created_at'],
                    'indexes': [models.Index(models.F('workspace'), models.F('user'), models.OrderBy(models.F('created_at'), descending=True), name='user_notifs_ws_user_idx'), models.Index(models.F('workspace'), models.F('user'), models.OrderBy(models.F('created_at'), descending=True), condition=models.Q(('read_at__isnull', True)), name='user_notifs_unread_idx'), models.Index(fields=['user'], name='user_notifs_user_idx'), models.Index(condition=models.Q(('alert__isnull', False)), fields=['alert'], name='user_notifs_alert_idx')],
                    'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['info', 'success', 'warning', 'error', 'alert'])), name='user_notifications_kind_valid'), models.CheckConstraint(condition=models.Q(('title', ''), _negated=True), name='user_notifications_title_not_blank'), models.CheckConstraint(condition=models.Q(('read_at__isnull', True), ('read_at__gte', models.F('created_at')), _connector='OR'), name='user_notifications_read_after_created'), models.CheckConstraint(condition=models.Q(('expires_at__isnull', True), ('expires_at__gt', models.F('created_at')), _connector='OR'), name='user_notifications_expires_after_created'), models.CheckConstraint(condition=models.Q(('link__isnull', True), ('link__startswith', '/'), ('link__regex', '^https?://'), _connector='OR'), name='user_notifications_link_safe')],
                },
            ),
        ),
        # Django adds constraints, indexes and foreign keys when the migration ends; add them now,
        # so the keys below can reference those constraints and replace Django's foreign keys.
        RunDeferredSQL(),
        migrations.RunSQL(
            sql=MEMBER_KEY,
            reverse_sql="ALTER TABLE user_notifications DROP CONSTRAINT IF EXISTS user_notifications_member_fk;",
        ),
        *[DatabaseOnDelete(table, column, ref, name, rule) for table, column, ref, name, rule in REFERENCES],
    ]
