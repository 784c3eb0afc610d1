"""Privileges of the app group role on Django's and django-axes' tables (global, no tenant data).

- Django: sessions read and written; the admin log read, appended to, and
  deleted from (Django's collector removes a deleted user's admin history);
  content types, permissions and the migration history read only
  (``post_migrate`` writes them as the owner); groups and their permissions
  read and written (staff manage them in the admin).
- django-axes: the web process records failed sign-ins, reads them to decide
  a lockout, deletes them on success or after the cool-off, and logs
  successful sign-ins and sign-outs. The ids are identity columns; their
  sequences are granted as for Django's tables, which also covers a database
  where they are serial.
"""

from django.db import migrations

from raptorflow.migration_ops import GrantToAppRole

READ_WRITE = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE = "USAGE, SELECT"


class Migration(migrations.Migration):
    dependencies = [
        ("raptorflow", "0003_row_level_security"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sessions", "0001_initial"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        GrantToAppRole("django_session", privileges=READ_WRITE),
        GrantToAppRole("django_admin_log", privileges="SELECT, INSERT, DELETE"),
        GrantToAppRole("django_admin_log_id_seq", privileges=SEQUENCE),
        GrantToAppRole("django_content_type", privileges="SELECT"),
        GrantToAppRole("django_migrations", privileges="SELECT"),
        GrantToAppRole("auth_permission", privileges="SELECT"),
        GrantToAppRole("auth_group", privileges=READ_WRITE),
        GrantToAppRole("auth_group_id_seq", privileges=SEQUENCE),
        GrantToAppRole("auth_group_permissions", privileges=READ_WRITE),
        GrantToAppRole("auth_group_permissions_id_seq", privileges=SEQUENCE),
        GrantToAppRole("axes_accessattempt", privileges=READ_WRITE),
        GrantToAppRole("axes_accessattempt_id_seq", privileges=SEQUENCE),
        # Deleting an attempt deletes its expiration row (Django's cascade), so the
        # role needs it even while AXES_USE_ATTEMPT_EXPIRATION is off.
        GrantToAppRole("axes_accessattemptexpiration", privileges=READ_WRITE),
        # Sign-ins are inserted, sign-outs update their row; pruning is a DBA command.
        GrantToAppRole("axes_accesslog", privileges="SELECT, INSERT, UPDATE"),
        GrantToAppRole("axes_accesslog_id_seq", privileges=SEQUENCE),
        # Written only with AXES_ENABLE_ACCESS_FAILURE_LOG, which prunes each
        # account's history in the request.
        GrantToAppRole("axes_accessfailurelog", privileges=READ_WRITE),
        GrantToAppRole("axes_accessfailurelog_id_seq", privileges=SEQUENCE),
    ]
