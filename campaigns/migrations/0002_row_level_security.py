"""Row-level security on the five campaign tables: enabled, forced, one FOR ALL workspace policy each."""

from django.db import migrations

from raptorflow.migration_ops import TenantRLS


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_tables"), ("raptorflow", "0003_row_level_security")]

    operations = [
        TenantRLS("positioning"),
        TenantRLS("messagearchitecture"),
        TenantRLS("campaign"),
        TenantRLS("campaignquest"),
        TenantRLS("campaigncohort"),
    ]
