"""agent_assignments.campaign_id stays inside its workspace.

The composite key (workspace_id, campaign_id) -> campaigns(workspace_id, id)
is the column's only foreign key (the model declares db_constraint=False):
a workspace cannot point an assignment at another workspace's campaign, even
with the right uuid. Deleting a campaign nulls campaign_id (not workspace_id).
"""

from django.db import migrations

from raptorflow.migration_ops import SameWorkspaceForeignKey


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0006_assignment_campaign"),
        ("campaigns", "0001_initial"),  # campaigns_workspace_id_uniq
    ]

    operations = [
        SameWorkspaceForeignKey("agent_assignments", "campaign_id", "campaigns", on_delete="SET NULL"),
    ]
