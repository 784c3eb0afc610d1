"""Archived campaigns are read-only in the database too (issue 17): their quests and cohort targets refuse writes.

``campaign_children_refuse_archived()`` (``sql/``) runs BEFORE INSERT, UPDATE
and DELETE of each row of ``campaign_quests`` and ``campaign_cohorts``: when
the row's campaign is archived it raises SQLSTATE RFC01, "campaign "X" is
archived: its quests and cohorts are read-only". Deleting the archived
campaign itself (or a cohort it targeted) still cascades: by the time the
cascade deletes a row, its parent is gone, and the trigger lets it through.

Archiving is not final: setting the campaign back to draft (the pages'
"Restore", or the status in the admin) makes them writable again.

Django's collector would delete those rows before their campaign (and
refuse), so the models' keys to campaign, cohort and workspace become
``DO_NOTHING``: state only, no SQL; the same-workspace keys' ON DELETE
CASCADE does the deleting.
"""

import django.db.models.deletion
from django.db import migrations, models

from raptorflow.migration_ops import Batch, sql_file

TABLES = ("campaign_quests", "campaign_cohorts")


def refuse_archived_trigger(table):
    return migrations.RunSQL(
        sql=f"""
DROP TRIGGER IF EXISTS {table}_refuse_archived ON {table};
CREATE TRIGGER {table}_refuse_archived
    BEFORE INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION campaign_children_refuse_archived();
""",
        reverse_sql=f"DROP TRIGGER IF EXISTS {table}_refuse_archived ON {table};",
    )



class Migration(migrations.Migration):
    dependencies = [("campaigns", "0006_positioning_drop_case_sensitive_name_uniq")]

    operations = [
        migrations.RunSQL(
            sql_file(__file__, "campaign_children_refuse_archived.sql"),
            "DROP FUNCTION IF EXISTS campaign_children_refuse_archived();",
        ),
        *[refuse_archived_trigger(table) for table in TABLES],
        Batch(
            migrations.AlterField(
                model_name="campaignquest",
                name="campaign",
                field=models.ForeignKey(
                    db_comment="Campaign the quest belongs to; deleted with it.", db_constraint=False, db_index=False,
                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="quests", to="campaigns.campaign",
                    verbose_name="campaign",
                ),
            ),
            migrations.AlterField(
                model_name="campaignquest",
                name="workspace",
                field=models.ForeignKey(
                    db_comment="Owning workspace; row-level security compares it with app.current_workspace_id.",
                    db_index=False, editable=False, on_delete=django.db.models.deletion.DO_NOTHING, to="raptorflow.workspace",
                    verbose_name="workspace",
                ),
            ),
            migrations.AlterField(
                model_name="campaigncohort",
                name="campaign",
                field=models.ForeignKey(
                    db_comment="Targeting campaign; the row goes with it.", db_constraint=False, db_index=False,
                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="cohort_targets", to="campaigns.campaign",
                    verbose_name="campaign",
                ),
            ),
            migrations.AlterField(
                model_name="campaigncohort",
                name="cohort",
                field=models.ForeignKey(
                    db_comment="Targeted cohort; the row goes with it.", db_constraint=False, db_index=False,
                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="campaign_targets", to="raptorflow.cohort",
                    verbose_name="cohort",
                ),
            ),
            migrations.AlterField(
                model_name="campaigncohort",
                name="workspace",
                field=models.ForeignKey(
                    db_comment="Owning workspace; row-level security compares it with app.current_workspace_id.",
                    db_index=False, editable=False, on_delete=django.db.models.deletion.DO_NOTHING, to="raptorflow.workspace",
                    verbose_name="workspace",
                ),
            ),
        ),
    ]
