"""Row-level security on both intelligence tables: the standard workspace policy (FOR ALL)."""

from django.db import migrations

from raptorflow.migration_ops import TenantRLS


class Migration(migrations.Migration):
    dependencies = [("intelligence", "0001_tables"), ("raptorflow", "0003_row_level_security")]

    operations = [
        TenantRLS("intelligencesignal"),
        TenantRLS("marketinsight"),
    ]
