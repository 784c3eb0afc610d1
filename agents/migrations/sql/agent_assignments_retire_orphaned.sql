-- Function agent_assignments_retire_orphaned()
-- Created by agents/migrations/0004_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

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
