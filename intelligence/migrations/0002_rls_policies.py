"""Row-level security on both intelligence tables: the standard workspace policy (FOR ALL)."""

from django.db import migrations

from raptorflow.migration_ops import TenantRLS


class Migration(migrations.Migration):
    dependencies = [("intelligence", "0001_initial")]

    operations = [
        TenantRLS("intelligencesignal"),
        TenantRLS("marketinsight"),
    ]
