"""Memberships change only by the workspace's owners and admins, or by accepting an invitation.

The permissive ``workspace_members_workspace_isolation`` policy lets anyone
working in a workspace write its members; the RESTRICTIVE policies here narrow
every write (they are ANDed with it):

- INSERT: an owner of the workspace adds anyone; an admin adds anyone but an
  owner; a person adds themselves only with the role of an invitation to
  their own email that they accepted in this same transaction
  (``accept_workspace_invitation``); the
  first member of a memberless workspace is its owner, adding themselves
  (creating a workspace). Nothing else: a platform superuser, too, invites.
- UPDATE: an owner, an admin (rows that are not and do not become owners),
  or a platform superuser.
- DELETE: the same, or the member themselves (leaving).

``workspace_invitations`` (tenant table) is written by owners and admins (an
admin never for the owner role) or a platform superuser; the invitee's only
write is marking an invitation to their own email accepted by themselves, now.

The functions are SECURITY INVOKER: ``current_workspace_role`` reads the
caller's own membership through the SELECT policies (a policy on
workspace_members cannot query workspace_members directly: PostgreSQL reports
infinite recursion).
"""

from django.db import migrations
from django_rls.policies import BasePolicy

from raptorflow.migration_ops import AddPolicies, CommandPolicy, DatabaseOnDelete, TenantRLS, workspace_policy
from raptorflow.tenancy import CURRENT_USER_SQL

IS_SUPERUSER_SQL = f"EXISTS (SELECT 1 FROM users u WHERE u.id = {CURRENT_USER_SQL} AND u.is_superuser)"
# Owners manage every row; admins every row that is not, and does not become, an owner's.
MANAGER_SQL = (
    "(current_workspace_role(workspace_id) = 'owner'"
    " OR (current_workspace_role(workspace_id) = 'admin' AND role <> 'owner'))"
)
ACCEPTED_NOW_SQL = (
    f"(user_id = {CURRENT_USER_SQL} AND EXISTS (SELECT 1 FROM workspace_invitations i"
    " WHERE i.workspace_id = workspace_members.workspace_id AND i.accepted_by_id = workspace_members.user_id"
    " AND i.role = workspace_members.role AND i.accepted_at = now()"
    " AND i.email = (SELECT lower(u.email) FROM users u WHERE u.id = workspace_members.user_id)))"
)
FOUNDER_SQL = f"(user_id = {CURRENT_USER_SQL} AND role = 'owner' AND NOT workspace_has_members(workspace_id))"

FUNCTIONS_SQL = r"""
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

CREATE OR REPLACE FUNCTION workspace_has_members(p_workspace_id uuid) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY INVOKER AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM workspace_members m WHERE m.workspace_id = p_workspace_id);
END
$$;
COMMENT ON FUNCTION workspace_has_members(uuid) IS
    'Whether the workspace has any member (as far as RLS lets the caller see: exact in the workspace''s own context). Lets the founder of a new workspace become its owner.';

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
"""

REVERSE_FUNCTIONS_SQL = """
DROP FUNCTION IF EXISTS accept_workspace_invitation(text);
DROP FUNCTION IF EXISTS workspace_has_members(uuid);
DROP FUNCTION IF EXISTS current_workspace_role(uuid);
"""

INVITATION_MANAGER_SQL = f"({MANAGER_SQL} OR {IS_SUPERUSER_SQL})"


class Migration(migrations.Migration):
    dependencies = [("raptorflow", "0007_workspace_invitations")]

    operations = [
        migrations.RunSQL(FUNCTIONS_SQL, REVERSE_FUNCTIONS_SQL),
        # Deleting a user or a workspace reaches invitations RLS hides from the caller.
        DatabaseOnDelete(
            "workspace_invitations", "workspace_id", "workspaces", "workspace_invitations_workspace_id_c67db95c_fk_workspaces_id", "CASCADE"
        ),
        DatabaseOnDelete(
            "workspace_invitations", "invited_by_id", "users", "workspace_invitations_invited_by_id_9283daf5_fk_users_id", "SET NULL"
        ),
        DatabaseOnDelete(
            "workspace_invitations", "accepted_by_id", "users", "workspace_invitations_accepted_by_id_08826ecf_fk_users_id", "SET NULL"
        ),
        DatabaseOnDelete(
            "workspace_invitations", "revoked_by_id", "users", "workspace_invitations_revoked_by_id_71ed80eb_fk_users_id", "SET NULL"
        ),
        TenantRLS(
            "workspaceinvitation",
            policies=[
                workspace_policy("workspace_invitations"),
                CommandPolicy(
                    "workspace_invitations_insert_rules",
                    INVITATION_MANAGER_SQL,
                    operation=BasePolicy.INSERT,
                    permissive=False,
                ),
                CommandPolicy(
                    "workspace_invitations_update_rules",
                    f"({INVITATION_MANAGER_SQL} OR (accepted_at IS NULL AND revoked_at IS NULL))",
                    check=(
                        f"({INVITATION_MANAGER_SQL} OR (accepted_by_id = {CURRENT_USER_SQL} AND accepted_at = now()"
                        f" AND email = (SELECT lower(u.email) FROM users u WHERE u.id = {CURRENT_USER_SQL})))"
                    ),
                    operation=BasePolicy.UPDATE,
                    permissive=False,
                ),
                CommandPolicy(
                    "workspace_invitations_delete_rules",
                    INVITATION_MANAGER_SQL,
                    operation=BasePolicy.DELETE,
                    permissive=False,
                ),
            ],
        ),
        AddPolicies(
            "workspacemember",
            [
                CommandPolicy(
                    "workspace_members_insert_rules",
                    f"({MANAGER_SQL} OR {ACCEPTED_NOW_SQL} OR {FOUNDER_SQL})",
                    operation=BasePolicy.INSERT,
                    permissive=False,
                ),
                CommandPolicy(
                    "workspace_members_update_rules",
                    f"({MANAGER_SQL} OR {IS_SUPERUSER_SQL})",
                    operation=BasePolicy.UPDATE,
                    permissive=False,
                ),
                CommandPolicy(
                    "workspace_members_delete_rules",
                    f"({MANAGER_SQL} OR {IS_SUPERUSER_SQL} OR user_id = {CURRENT_USER_SQL})",
                    operation=BasePolicy.DELETE,
                    permissive=False,
                ),
            ],
        ),
    ]
