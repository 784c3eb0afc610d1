"""``set_updated_at()`` and the triggers that keep ``updated_at`` current on positioning and campaigns.

Any UPDATE that changes the row (from Django, psql or a SQL function) gets
``updated_at = now()``, the transaction's start time; an UPDATE that changes
nothing leaves it alone.
"""

from django.db import migrations

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION set_updated_at() IS
    'BEFORE UPDATE trigger function: sets updated_at to now() (transaction time). Used by positioning and campaigns.';
"""

TABLES = ("positioning", "campaigns")


def trigger_sql(table):
    return f"""
DROP TRIGGER IF EXISTS {table}_set_updated_at ON {table};
CREATE TRIGGER {table}_set_updated_at
    BEFORE UPDATE ON {table}
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION set_updated_at();
"""


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0004_created_by_set_null")]

    operations = [
        migrations.RunSQL(sql=FUNCTION_SQL, reverse_sql="DROP FUNCTION IF EXISTS set_updated_at();"),
        *[
            migrations.RunSQL(sql=trigger_sql(t), reverse_sql=f"DROP TRIGGER IF EXISTS {t}_set_updated_at ON {t};")
            for t in TABLES
        ],
    ]
