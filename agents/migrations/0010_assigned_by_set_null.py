"""agent_assignments.assigned_by -> users with ON DELETE SET NULL in the database.

Users are global while assignments are under RLS: deleting a user through
Django only sees (and nulls) the current workspace's rows, so the database
nulls the rest itself. The model field uses db_constraint=False.
"""

from django.db import migrations

FORWARD = (
    'ALTER TABLE "agent_assignments" DROP CONSTRAINT IF EXISTS "agent_assignments_assigned_by_fk";'
    ' ALTER TABLE "agent_assignments" ADD CONSTRAINT "agent_assignments_assigned_by_fk"'
    ' FOREIGN KEY ("assigned_by_id") REFERENCES "users" ("id") ON DELETE SET NULL;'
)
BACKWARD = 'ALTER TABLE "agent_assignments" DROP CONSTRAINT IF EXISTS "agent_assignments_assigned_by_fk";'


class Migration(migrations.Migration):
    dependencies = [("agents", "0009_fk_leading_indexes")]

    operations = [migrations.RunSQL(sql=FORWARD, reverse_sql=BACKWARD)]
