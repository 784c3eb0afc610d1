"""Row-level security on the three gamification tables.

Each gets the standard workspace policy (FOR ALL: USING and WITH CHECK compare
workspace_id with app.current_workspace_id, so SELECT, INSERT, UPDATE and
DELETE all fail closed without a workspace), FORCE (binds the owner too), the
workspace_id default for rows written by the SQL functions, and the app role's
grants.
"""

from django.db import migrations

from raptorflow.migration_ops import TenantRLS


class Migration(migrations.Migration):
    dependencies = [("gamification", "0001_tables"), ("raptorflow", "0003_row_level_security")]

    operations = [
        TenantRLS("achievement"),
        TenantRLS("userachievement"),
        TenantRLS("userstats"),
    ]
