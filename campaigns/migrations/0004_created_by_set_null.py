"""``created_by`` keys to users with ON DELETE SET NULL in the database.

Users are global while these rows are under RLS: deleting a user through
Django only sees (and nulls) the current workspace's rows, so the database
itself nulls the rest. The model fields use ``db_constraint=False``.
"""

from django.db import migrations

TABLES = ("positioning", "campaigns")


def forwards(table):
    return (
        f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{table}_created_by_fk";'
        f' ALTER TABLE "{table}" ADD CONSTRAINT "{table}_created_by_fk"'
        ' FOREIGN KEY ("created_by_id") REFERENCES "users" ("id") ON DELETE SET NULL;'
    )


def backwards(table):
    return f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{table}_created_by_fk";'


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0003_same_workspace_keys")]

    operations = [migrations.RunSQL(sql=forwards(t), reverse_sql=backwards(t)) for t in TABLES]
