-- Function accept_workspace_invitation(text)
-- Created by raptorflow/migrations/0002_functions.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION accept_workspace_invitation(p_token text) RETURNS workspace_members
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
DECLARE
    v_workspace uuid := NULLIF(current_setting('app.current_workspace_id', true), '')::uuid;
    v_user uuid := NULLIF(current_setting('app.current_user_id', true), '')::uuid;
    v_email text;
    v_invitation workspace_invitations;
    v_member workspace_members;
BEGIN
    IF v_workspace IS NULL OR v_user IS NULL THEN
        RAISE EXCEPTION 'accept_workspace_invitation needs the invitation''s workspace and the accepting user'
            USING ERRCODE = '22023', HINT = 'Set app.current_workspace_id and app.current_user_id (workspace_context() in Python).';
    END IF;
    SELECT u.email INTO v_email FROM users u WHERE u.id = v_user AND u.is_active;
    IF v_email IS NULL THEN
        RAISE EXCEPTION 'no active user %', v_user USING ERRCODE = '22023';
    END IF;
    SELECT i.id INTO v_invitation.id FROM workspace_invitations i
    WHERE i.workspace_id = v_workspace
      AND i.token_hash = encode(sha256(convert_to(COALESCE(p_token, ''), 'UTF8')), 'hex');
    IF v_invitation.id IS NULL THEN
        RAISE EXCEPTION 'this invitation link is not valid' USING ERRCODE = 'RFI01';
    END IF;
    -- Concurrent accepts of one link queue on the row lock; the statement after it
    -- reads the row afresh, so whoever comes second finds it used. (The lock is
    -- taken apart: a locking read of a row just accepted is hidden by the UPDATE policy.)
    PERFORM 1 FROM workspace_invitations i WHERE i.id = v_invitation.id FOR UPDATE;
    SELECT * INTO v_invitation FROM workspace_invitations i WHERE i.id = v_invitation.id;
    IF v_invitation.revoked_at IS NOT NULL THEN
        RAISE EXCEPTION 'this invitation was withdrawn' USING ERRCODE = 'RFI02';
    ELSIF v_invitation.accepted_at IS NOT NULL THEN
        RAISE EXCEPTION 'this invitation has already been used' USING ERRCODE = 'RFI03';
    ELSIF v_invitation.expires_at <= now() THEN
        RAISE EXCEPTION 'this invitation has expired' USING ERRCODE = 'RFI04';
    ELSIF v_invitation.email <> lower(v_email) THEN
        RAISE EXCEPTION 'this invitation was sent to another email address' USING ERRCODE = 'RFI05';
    ELSIF EXISTS (SELECT 1 FROM workspace_members m WHERE m.workspace_id = v_workspace AND m.user_id = v_user) THEN
        RAISE EXCEPTION 'you are already a member of this workspace' USING ERRCODE = 'RFI06';
    END IF;
    UPDATE workspace_invitations SET accepted_at = now(), accepted_by_id = v_user, updated_at = now()
    WHERE id = v_invitation.id;
    INSERT INTO workspace_members (id, workspace_id, user_id, role, created_at, updated_at)
    VALUES (gen_random_uuid(), v_workspace, v_user, v_invitation.role, now(), now())
    RETURNING * INTO v_member;
    RETURN v_member;
END
$$;

COMMENT ON FUNCTION accept_workspace_invitation(text) IS
    'Accept the invitation whose emailed token is p_token, in the workspace set, as app.current_user_id (whose email must be the invited one): marks it accepted and creates the membership with its role. SQLSTATE RFI01 unknown token, RFI02 revoked, RFI03 used, RFI04 expired, RFI05 other person, RFI06 already a member.';
