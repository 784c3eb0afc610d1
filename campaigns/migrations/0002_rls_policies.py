"""Row-level security on the five campaign tables: enabled, forced, one FOR ALL workspace policy each."""

from django.db import migrations

from raptorflow.migration_ops import TenantRLS


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]

    operations = [
        TenantRLS("positioning"),
        TenantRLS("messagearchitecture"),
        TenantRLS("campaign"),
        TenantRLS("campaignquest"),
        TenantRLS("campaigncohort"),
    ]
