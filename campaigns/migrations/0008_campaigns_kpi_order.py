"""KPI targets keep the order they were entered in (issue 17): ``campaigns.kpi_order``.

jsonb stores an object's keys sorted (shorter first, then bytewise), so
"signups: 5000, ctr: 0.02" came back as ctr, signups. ``kpi_targets`` stays the
object other systems read (metric -> target); the new nullable column holds
its metric names in the entered order, set by ``Campaign.save()`` whoever set
the targets, and ``Campaign.from_db`` hands every reader the object in that
order.

No data migration: the order of existing rows was lost when jsonb stored
them, so none could be restored; their kpi_order stays NULL ("unknown"), and
they read as before until they are next saved. A nullable column without a
default is a catalogue change: no rewrite, a brief lock.
"""

import django.contrib.postgres.fields
from django.db import migrations, models

from raptorflow.migration_ops import Batch


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0007_archived_campaigns_read_only")]

    operations = [
        Batch(migrations.AddField(
            model_name="campaign",
            name="kpi_order",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.TextField(), blank=True, editable=False, null=True, size=None, verbose_name="KPI order",
                db_comment="kpi_targets' metric names in the order entered (set on every save from Django); "
                "null when unknown (rows written before it existed, or by SQL that does not set it): stored order.",
            ),
        )),
    ]
