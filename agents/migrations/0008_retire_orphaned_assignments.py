"""Deleting a campaign never collides with the one-active-assignment rule.

When a campaign is deleted its assignments' campaign_id becomes NULL (ON
DELETE SET NULL, or Django's SET_NULL). An active one would then duplicate an
active workspace-wide assignment of the same agent and the delete would fail
on agent_assignments_one_active_uniq. This BEFORE UPDATE trigger retires such
an assignment instead; without a workspace-wide twin it stays active and
becomes workspace-wide.
"""

from django.db import migrations

TRIGGER = """
CREATE OR REPLACE FUNCTION agent_assignments_retire_orphaned()
RETURNS trigger
LANGUAGE plpgsql
SECURITY INVOKER
AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM agent_assignments a
        WHERE a.workspace_id = NEW.workspace_id
          AND a.agent_id = NEW.agent_id
          AND a.campaign_id IS NULL
          AND a.status = 'active'
          AND a.id <> NEW.id
    ) THEN
        NEW.status := 'retired';
    END IF;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION agent_assignments_retire_orphaned() IS
'Trigger function: an active assignment losing its campaign (campaign deleted) is retired when the agent already has an active workspace-wide assignment, so the one-active rule never blocks the delete.';

DROP TRIGGER IF EXISTS agent_assignments_retire_orphaned ON agent_assignments;
CREATE TRIGGER agent_assignments_retire_orphaned
    BEFORE UPDATE OF campaign_id ON agent_assignments
    FOR EACH ROW
    WHEN (OLD.campaign_id IS NOT NULL AND NEW.campaign_id IS NULL AND NEW.status = 'active')
    EXECUTE FUNCTION agent_assignments_retire_orphaned();
"""

REVERSE = """
DROP TRIGGER IF EXISTS agent_assignments_retire_orphaned ON agent_assignments;
DROP FUNCTION IF EXISTS agent_assignments_retire_orphaned();
"""


class Migration(migrations.Migration):
    dependencies = [("agents", "0007_assignment_campaign_same_workspace")]

    operations = [migrations.RunSQL(sql=TRIGGER, reverse_sql=REVERSE)]
