-- Function current_workspace_role(uuid)
-- Created by raptorflow/migrations/0002_functions.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION current_workspace_role(p_workspace_id uuid) RETURNS text
LANGUAGE plpgsql STABLE SECURITY INVOKER AS $$
DECLARE
    v_role text;
BEGIN
    SELECT m.role INTO v_role
    FROM workspace_members m
    WHERE m.workspace_id = p_workspace_id
      AND m.user_id = NULLIF(current_setting('app.current_user_id', true), '')::uuid;
    RETURN v_role;
END
$$;

COMMENT ON FUNCTION current_workspace_role(uuid) IS
    'Role (owner/admin/marketer/viewer) of app.current_user_id in the workspace, or NULL. SECURITY INVOKER: reads the caller''s own membership through RLS.';
