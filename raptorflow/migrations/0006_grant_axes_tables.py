"""Privileges of the app group role on django-axes' tables (global, no tenant data).

The web process records failed sign-ins, reads them to decide a lockout,
deletes them on success or after the cool-off, and logs successful sign-ins
and sign-outs. The ids are identity columns; their sequences are granted as
for Django's tables (0003), which also covers a database where they are serial.
"""

from django.db import migrations

from raptorflow.migration_ops import GrantToAppRole

READ_WRITE = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE = "USAGE, SELECT"


class Migration(migrations.Migration):
    dependencies = [
        ("raptorflow", "0005_database_on_delete"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
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
