"""``record_agent_execution`` with three PL/pgSQL expressions on its way instead of about thirty (issue 19).

``sql/record_agent_execution_3.sql``: same signature, errors, log and
returned row as the second version (0008). PL/pgSQL sets up each simple
expression again in every transaction that evaluates it, and a request
records one execution per transaction: the checks now share one condition
(the error branch finds which failed) and the INSERT builds the returned row
in its RETURNING. Reversing puts ``record_agent_execution_2.sql`` back.
"""

from django.db import migrations

from raptorflow.migration_ops import sql_file


class Migration(migrations.Migration):
    dependencies = [("agents", "0008_record_into_the_log")]

    operations = [
        migrations.RunSQL(sql_file(__file__, "record_agent_execution_3.sql"), sql_file(__file__, "record_agent_execution_2.sql")),
    ]
