"""The tenancy core's tables: workspaces, users, memberships, cohorts and invitations.

The models in their final shape (fields, constraints, indexes, table and
column comments), then the ON DELETE rules the database enforces itself for
the keys Django created (``DatabaseOnDelete``): deleting a user or a
workspace reaches rows row-level security hides from the caller (a membership
in a workspace the caller cannot see; a workspace's members, cohorts and
invitations; the invitations a deleted user sent, accepted or revoked).
"""

from django.conf import settings
import django.contrib.postgres.functions
from django.db import migrations, models
import django.db.models.deletion
import django.db.models.functions.datetime
import django.db.models.functions.text
import django.db.models.lookups
import django.utils.timezone
import raptorflow.models
import uuid

from raptorflow.migration_ops import Batch, DatabaseOnDelete, RunDeferredSQL


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        Batch(
            migrations.CreateModel(
                name='Workspace',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('name', models.CharField(max_length=120, verbose_name='name')),
                    ('slug', models.SlugField(max_length=60, unique=True, verbose_name='slug')),
                    ('is_active', models.BooleanField(db_default=True, default=True, verbose_name='active')),
                ],
                options={
                    'verbose_name': 'workspace',
                    'verbose_name_plural': 'workspaces',
                    'db_table': 'workspaces',
                    'db_table_comment': 'Customer workspaces. Visible to their members, to the workspace in context, and to superusers.',
                    'ordering': ['name'],
                    'indexes': [],
                    'constraints': [],
                },
            ),
            migrations.CreateModel(
                name='User',
                fields=[
                    ('password', models.CharField(max_length=128, verbose_name='password')),
                    ('last_login', models.DateTimeField(blank=True, null=True, verbose_name='last login')),
                    ('is_superuser', models.BooleanField(default=False, help_text='Designates that this user has all permissions without explicitly assigning them.', verbose_name='superuser status')),
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('email', models.EmailField(max_length=254, unique=True, verbose_name='email address')),
                    ('full_name', models.CharField(blank=True, max_length=150, verbose_name='full name')),
                    ('is_staff', models.BooleanField(db_default=False, default=False, help_text='Internal RaptorFlow staff: may sign in to the admin.', verbose_name='staff status')),
                    ('is_active', models.BooleanField(db_default=True, default=True, verbose_name='active')),
                    ('date_joined', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, verbose_name='date joined')),
                    ('groups', models.ManyToManyField(blank=True, help_text='The groups this user belongs to. A user will get all permissions granted to each of their groups.', related_name='user_set', related_query_name='user', to='auth.group', verbose_name='groups')),
                    ('user_permissions', models.ManyToManyField(blank=True, help_text='Specific permissions for this user.', related_name='user_set', related_query_name='user', to='auth.permission', verbose_name='user permissions')),
                ],
                options={
                    'verbose_name': 'user',
                    'verbose_name_plural': 'users',
                    'db_table': 'users',
                    'db_table_comment': 'People who sign in (email login). Global: not under row-level security, since sign-in happens before any workspace is chosen.',
                    'indexes': [],
                    'constraints': [models.CheckConstraint(condition=models.Q(('email', django.db.models.functions.text.Lower('email'))), name='users_email_lowercase')],
                },
                managers=[
                    ('objects', raptorflow.models.UserManager()),
                ],
            ),
            migrations.CreateModel(
                name='Cohort',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('name', models.CharField(max_length=120, verbose_name='name')),
                    ('description', models.TextField(blank=True, db_default='', default='', verbose_name='description')),
                    ('criteria', models.JSONField(blank=True, db_comment='Segment rules as a JSON object.', db_default={}, default=dict, help_text='Segment rules, e.g. {"country": ["DE", "FR"], "plan": "pro"}.', verbose_name='criteria')),
                    ('size_estimate', models.PositiveIntegerField(db_comment='Estimated number of people in the cohort.', db_default=0, default=0, verbose_name='size estimate')),
                    ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace')),
                ],
                options={
                    'verbose_name': 'cohort',
                    'verbose_name_plural': 'cohorts',
                    'db_table': 'cohorts',
                    'db_table_comment': 'Audience segments of a workspace.',
                    'ordering': ['name'],
                    'indexes': [],
                    'constraints': [models.UniqueConstraint(fields=('workspace', 'name'), name='cohorts_workspace_name_uniq'), models.UniqueConstraint(fields=('workspace', 'id'), name='cohorts_workspace_id_uniq'), models.CheckConstraint(condition=django.db.models.lookups.Exact(models.Func(models.F('criteria'), function='jsonb_typeof', output_field=models.CharField()), 'object'), name='cohorts_criteria_object')],
                },
            ),
            migrations.CreateModel(
                name='WorkspaceMember',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('role', models.CharField(choices=[('owner', 'Owner'), ('admin', 'Admin'), ('marketer', 'Marketer'), ('viewer', 'Viewer')], default='marketer', max_length=16, verbose_name='role')),
                    ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace')),
                ],
                options={
                    'verbose_name': 'workspace member',
                    'verbose_name_plural': 'workspace members',
                    'db_table': 'workspace_members',
                    'db_table_comment': 'Who belongs to which workspace, with which role. A user also sees their own memberships in other workspaces (for the switcher).',
                    'indexes': [models.Index(fields=['user', 'workspace'], name='workspace_members_user_idx')],
                    'constraints': [models.UniqueConstraint(fields=('workspace', 'user'), name='workspace_members_workspace_user_uniq'), models.CheckConstraint(condition=models.Q(('role__in', ['owner', 'admin', 'marketer', 'viewer'])), name='workspace_members_role_valid')],
                },
            ),
            migrations.CreateModel(
                name='WorkspaceInvitation',
                fields=[
                    ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('created_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('email', models.EmailField(db_comment='Invited address, lower case.', max_length=254, verbose_name='email address')),
                    ('role', models.CharField(choices=[('owner', 'Owner'), ('admin', 'Admin'), ('marketer', 'Marketer'), ('viewer', 'Viewer')], default='marketer', max_length=16, verbose_name='role')),
                    ('token_hash', models.CharField(db_comment="Hex SHA-256 of the link's token; the token itself is only ever in the email.", editable=False, max_length=64, verbose_name='token hash')),
                    ('sent_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, verbose_name='last sent')),
                    ('send_count', models.PositiveSmallIntegerField(db_default=1, default=1, verbose_name='times sent')),
                    ('expires_at', models.DateTimeField(verbose_name='expires at')),
                    ('accepted_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='accepted at')),
                    ('revoked_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='revoked at')),
                    ('accepted_by', models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='accepted by')),
                    ('invited_by', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='invited by')),
                    ('revoked_by', models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='revoked by')),
                    ('workspace', models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace')),
                ],
                options={
                    'verbose_name': 'invitation',
                    'verbose_name_plural': 'invitations',
                    'db_table': 'workspace_invitations',
                    'db_table_comment': 'Invitations to join a workspace by email: token stored as a hash, expiry, role, inviter; accepted or revoked once.',
                    'ordering': ['-sent_at'],
                    'indexes': [models.Index(fields=['workspace', '-sent_at'], name='workspace_invitations_ws_idx'), models.Index(fields=['invited_by'], name='workspace_invitations_inv_idx'), models.Index(fields=['accepted_by'], name='workspace_invitations_acc_idx'), models.Index(fields=['revoked_by'], name='workspace_invitations_rev_idx')],
                    'constraints': [models.UniqueConstraint(fields=('token_hash',), name='workspace_invitations_token_hash_uniq'), models.UniqueConstraint(condition=models.Q(('accepted_at__isnull', True), ('revoked_at__isnull', True)), fields=('workspace', 'email'), name='workspace_invitations_one_open_per_email', violation_error_message='This address already has an open invitation; resend it instead.'), models.CheckConstraint(condition=models.Q(('email', django.db.models.functions.text.Lower('email'))), name='workspace_invitations_email_lowercase'), models.CheckConstraint(condition=models.Q(('role__in', ['owner', 'admin', 'marketer', 'viewer'])), name='workspace_invitations_role_valid'), models.CheckConstraint(condition=models.Q(('accepted_at__isnull', True), ('revoked_at__isnull', True), _connector='OR'), name='workspace_invitations_accepted_or_revoked'), models.CheckConstraint(condition=models.Q(('accepted_at__isnull', True), ('accepted_by__isnull', False), _connector='OR'), name='workspace_invitations_accepted_by_someone'), models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('sent_at'))), name='workspace_invitations_expiry_after_send')],
                },
            ),
        ),
        # Django adds constraints, indexes and foreign keys when the migration ends; add them now,
        # so the keys below can reference those constraints and replace Django's foreign keys.
        RunDeferredSQL(),
        DatabaseOnDelete("workspace_members", "user_id", "users", "workspace_members_user_id_b4ccc11d_fk_users_id", "CASCADE"),
        DatabaseOnDelete(
            "workspace_members", "workspace_id", "workspaces", "workspace_members_workspace_id_3a96620d_fk_workspaces_id", "CASCADE"
        ),
        DatabaseOnDelete("cohorts", "workspace_id", "workspaces", "cohorts_workspace_id_8ce1a4c5_fk_workspaces_id", "CASCADE"),
        DatabaseOnDelete(
            "workspace_invitations", "workspace_id", "workspaces", "workspace_invitations_workspace_id_c67db95c_fk_workspaces_id", "CASCADE"
        ),
        DatabaseOnDelete(
            "workspace_invitations", "invited_by_id", "users", "workspace_invitations_invited_by_id_9283daf5_fk_users_id", "SET NULL"
        ),
        DatabaseOnDelete(
            "workspace_invitations", "accepted_by_id", "users", "workspace_invitations_accepted_by_id_08826ecf_fk_users_id", "SET NULL"
        ),
        DatabaseOnDelete(
            "workspace_invitations", "revoked_by_id", "users", "workspace_invitations_revoked_by_id_71ed80eb_fk_users_id", "SET NULL"
        ),
    ]
