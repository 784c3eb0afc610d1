-- Function gamification_assert_member(uuid, uuid)
-- Created by gamification/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION gamification_assert_member(p_workspace_id uuid, p_user_id uuid)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY INVOKER
AS $fn$
DECLARE
    v_email text;
BEGIN
    IF p_user_id IS NULL THEN
        RAISE EXCEPTION 'a user is required' USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM workspace_members m WHERE m.workspace_id = p_workspace_id AND m.user_id = p_user_id) THEN
        RETURN;
    END IF;
    SELECT u.email INTO v_email FROM users u WHERE u.id = p_user_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user % does not exist', p_user_id USING ERRCODE = '22023';
    END IF;
    RAISE EXCEPTION 'user % is not a member of this workspace', v_email
        USING ERRCODE = '22023', HINT = 'Only members of the workspace earn its achievements; add them as a member first.';
END
$fn$;

COMMENT ON FUNCTION gamification_assert_member(uuid, uuid) IS
'Raises a readable 22023 error unless the user is a member of the workspace (used by the gamification functions and triggers).';
