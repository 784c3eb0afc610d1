-- Function workspace_has_members(uuid)
-- Created by raptorflow/migrations/0002_functions.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION workspace_has_members(p_workspace_id uuid) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY INVOKER AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM workspace_members m WHERE m.workspace_id = p_workspace_id);
END
$$;

COMMENT ON FUNCTION workspace_has_members(uuid) IS
    'Whether the workspace has any member (as far as RLS lets the caller see: exact in the workspace''s own context). Lets the founder of a new workspace become its owner.';
