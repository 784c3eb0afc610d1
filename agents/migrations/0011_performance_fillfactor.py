"""Room on each page of agent_performance for same-day updates.

record_agent_execution updates today's bucket row again and again; with free
space on the page PostgreSQL can write each new row version next to the old
one (a HOT update) without touching any of the table's indexes. New pages get
the setting; existing ones as the table is rewritten or vacuumed over time.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("agents", "0010_assigned_by_set_null")]

    operations = [
        migrations.RunSQL(
            sql="ALTER TABLE agent_performance SET (fillfactor = 80)",
            reverse_sql="ALTER TABLE agent_performance RESET (fillfactor)",
        ),
    ]
