"""Privileges of the app group role on Django's own tables (global, no tenant data)."""

from django.db import migrations

from raptorflow.migration_ops import GrantToAppRole

READ_WRITE = "SELECT, INSERT, UPDATE, DELETE"


class Migration(migrations.Migration):
    dependencies = [
        ("raptorflow", "0002_rls_policies"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        GrantToAppRole("django_session", privileges=READ_WRITE),
        GrantToAppRole("django_admin_log", privileges="SELECT, INSERT"),
        GrantToAppRole("django_admin_log_id_seq", privileges="USAGE, SELECT"),
        # post_migrate creates content types and permissions; the web role only reads
        # them, except group assignments, which staff manage in the admin.
        GrantToAppRole("django_content_type", privileges="SELECT"),
        GrantToAppRole("django_migrations", privileges="SELECT"),
        GrantToAppRole("auth_permission", privileges="SELECT"),
        GrantToAppRole("auth_group", privileges=READ_WRITE),
        GrantToAppRole("auth_group_id_seq", privileges="USAGE, SELECT"),
        GrantToAppRole("auth_group_permissions", privileges=READ_WRITE),
        GrantToAppRole("auth_group_permissions_id_seq", privileges="USAGE, SELECT"),
        GrantToAppRole("users_groups_id_seq", privileges="USAGE, SELECT"),
        GrantToAppRole("users_user_permissions_id_seq", privileges="USAGE, SELECT"),
    ]
