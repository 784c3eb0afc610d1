"""References between campaign rows stay inside one workspace.

Each reference is a composite key ``(workspace_id, x_id) -> x(workspace_id, id)``
carrying the ON DELETE rule; the models declare these fields with
``db_constraint=False`` so there is exactly one constraint per reference.
"""

from django.db import migrations

from raptorflow.migration_ops import SameWorkspaceForeignKey


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0002_rls_policies"), ("raptorflow", "0001_initial")]

    operations = [
        SameWorkspaceForeignKey("message_architecture", "positioning_id", "positioning", on_delete="CASCADE"),
        SameWorkspaceForeignKey("campaigns", "positioning_id", "positioning", on_delete="SET NULL"),
        SameWorkspaceForeignKey("campaigns", "message_architecture_id", "message_architecture", on_delete="SET NULL"),
        SameWorkspaceForeignKey("campaign_quests", "campaign_id", "campaigns", on_delete="CASCADE"),
        SameWorkspaceForeignKey("campaign_quests", "parent_id", "campaign_quests", on_delete="CASCADE"),
        SameWorkspaceForeignKey("campaign_cohorts", "campaign_id", "campaigns", on_delete="CASCADE"),
        SameWorkspaceForeignKey("campaign_cohorts", "cohort_id", "cohorts", on_delete="CASCADE"),
    ]
