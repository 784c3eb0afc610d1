"""``record_agent_execution``: the returned row's histogram as a SQL expression (issue 19).

``sql/record_agent_execution_4.sql``: the third version (0009) with the
one-count histogram of the returned row written in the INSERT's RETURNING
as zeros, a 1 in the duration's bucket, zeros, instead of a call of the
PL/pgSQL ``agent_histogram_count`` (which set up its own expressions in
every transaction: about a third of what the function cost over a plain
INSERT). Same signature, errors, log and returned row. Reversing puts
``record_agent_execution_3.sql`` back.
"""

from django.db import migrations

from raptorflow.migration_ops import sql_file


class Migration(migrations.Migration):
    dependencies = [("agents", "0009_record_in_one_statement")]

    operations = [
        migrations.RunSQL(sql_file(__file__, "record_agent_execution_4.sql"), sql_file(__file__, "record_agent_execution_3.sql")),
    ]
