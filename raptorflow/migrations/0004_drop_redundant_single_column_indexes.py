"""Drop single-column indexes that composite ones already serve (workspace-leading uniques, workspace_members_user_idx)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('raptorflow', '0003_grant_django_tables'),
    ]

    operations = [
        migrations.AlterField(
            model_name='cohort',
            name='workspace',
            field=models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace'),
        ),
        migrations.AlterField(
            model_name='workspacemember',
            name='user',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL, verbose_name='user'),
        ),
        migrations.AlterField(
            model_name='workspacemember',
            name='workspace',
            field=models.ForeignKey(db_comment='Owning workspace; row-level security compares it with app.current_workspace_id.', db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, to='raptorflow.workspace', verbose_name='workspace'),
        ),
    ]
