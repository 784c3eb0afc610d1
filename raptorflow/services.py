"""Writes on the tenancy core that span rows or need a specific context."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from raptorflow.models import User, Workspace, WorkspaceInvitation, WorkspaceMember
from raptorflow.tenancy import current_user_id, workspace_context


def create_workspace(*, name: str, slug: str, owner: User | None = None, workspace: Workspace | None = None) -> Workspace:
    """Create a workspace and make ``owner`` its owner.

    The workspace policy only lets a row be written in its own context, so the
    insert runs with ``app.current_workspace_id`` set to the new id.
    """
    workspace = workspace or Workspace()
    workspace.id = workspace.id or uuid.uuid4()
    workspace.name, workspace.slug = name, slug
    with workspace_context(workspace.id, user_id=owner.id if owner else current_user_id()):
        workspace.save(force_insert=True)
        if owner is not None:
            WorkspaceMember.objects.create(workspace=workspace, user=owner, role=WorkspaceMember.Role.OWNER)
    return workspace


def update_workspace(*, workspace: Workspace, fields) -> Workspace:
    with workspace_context(workspace.id, user_id=current_user_id()):
        workspace.save(update_fields=[*fields] or None)
    return workspace


@transaction.atomic
def delete_workspace(*, workspace: Workspace) -> None:
    """Delete a workspace and, through the cascade, everything in it."""
    with workspace_context(workspace.id, user_id=current_user_id()):
        workspace.delete()


def add_member(*, workspace: Workspace, user: User, role: str, by: User) -> WorkspaceMember:
    """Make ``user`` a member of ``workspace`` (or change their role), acting as ``by``.

    For platform tooling (demo data, tests, a DBA's shell): people join a
    workspace through invitations. The database accepts the row only when
    ``by`` is an owner or admin of the workspace (``workspace_members`` policies).
    """
    with workspace_context(workspace.id, user_id=by.id):
        member, _ = WorkspaceMember.objects.update_or_create(workspace=workspace, user=user, defaults={"role": role})
    return member


# ---------------------------------------------------------------- members


class MembershipError(Exception):
    """A membership change the rules refuse (the last owner, an admin touching an owner)."""


def _owner_count(workspace_id) -> int:
    return WorkspaceMember.objects.filter(workspace_id=workspace_id, role=WorkspaceMember.Role.OWNER).count()


def check_member_change(*, member: WorkspaceMember, new_role: str | None, by_role: str | None, by_superuser: bool) -> None:
    """Refuse what an owner/admin may not do to ``member`` (``new_role`` None: removal)."""
    touches_owner = member.role == WorkspaceMember.Role.OWNER or new_role == WorkspaceMember.Role.OWNER
    if touches_owner and not (by_superuser or by_role == WorkspaceMember.Role.OWNER):
        raise MembershipError("Only an owner can grant, change or remove the owner role.")
    if member.role == WorkspaceMember.Role.OWNER and new_role != WorkspaceMember.Role.OWNER:
        if _owner_count(member.workspace_id) <= 1:
            raise MembershipError("A workspace keeps at least one owner: make someone else owner first.")


def remove_member(*, member: WorkspaceMember) -> None:
    """Remove a membership (in the current workspace's context). The account is untouched."""
    member.delete()


# ---------------------------------------------------------------- invitations


class InvitationError(Exception):
    """An invitation link that cannot be accepted; ``code`` says why (a key of ``MESSAGES``)."""

    MESSAGES = {
        "invalid": "This invitation link is not valid. Check that you copied the whole link.",
        "revoked": "This invitation was withdrawn. Ask the person who invited you for a new one.",
        "used": "This invitation has already been used.",
        "expired": "This invitation has expired. Ask the person who invited you to send it again.",
        "other_person": "This invitation was sent to another email address.",
        "already_member": "You are already a member of this workspace.",
        "has_account": "An account with this email address exists: sign in to accept.",
    }
    # SQLSTATEs raised by accept_workspace_invitation (migration raptorflow 0002_functions, raptorflow/migrations/sql/accept_workspace_invitation.sql).
    SQLSTATES = {
        "RFI01": "invalid",
        "RFI02": "revoked",
        "RFI03": "used",
        "RFI04": "expired",
        "RFI05": "other_person",
        "RFI06": "already_member",
    }

    def __init__(self, code: str):
        super().__init__(self.MESSAGES[code])
        self.code = code

    @classmethod
    def from_sqlstate(cls, sqlstate: str | None):
        return cls(cls.SQLSTATES.get(sqlstate or "", "invalid"))


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_path(invitation_or_workspace_id, token: str) -> str:
    workspace_id = getattr(invitation_or_workspace_id, "workspace_id", invitation_or_workspace_id)
    return reverse("accept_invitation", args=[workspace_id, token])


def _send_invitation(*, invitation: WorkspaceInvitation, token: str, workspace_name: str, by: User, base_url: str) -> None:
    context = {
        "invitation": invitation,
        "workspace_name": workspace_name,
        "inviter": by.get_full_name(),
        "role": invitation.get_role_display(),
        "link": base_url.rstrip("/") + invitation_path(invitation, token),
        "expires_at": invitation.expires_at,
    }
    subject = render_to_string("raptorflow/email/invitation_subject.txt", context).strip()
    body = render_to_string("raptorflow/email/invitation.txt", context)
    recipient = invitation.email
    # Sent once the invitation is committed: a rolled-back request mails no dead link.
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))


def _issue_token(invitation: WorkspaceInvitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = invitation_token_hash(token)
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + timedelta(days=settings.INVITATION_EXPIRY_DAYS)
    return token


def invite(*, workspace: Workspace, email: str, role: str, by: User, base_url: str) -> WorkspaceInvitation:
    """Invite ``email`` to the workspace with ``role`` and email them a one-time link.

    The outcome is the same whether or not the address has an account: the
    person chooses a password or signs in when they follow the link.
    Inviting an address that has an open invitation sends that one again,
    with the new role and a new link.
    """
    email = email.strip().lower()
    with workspace_context(workspace.id, user_id=by.id):
        invitation = (
            WorkspaceInvitation.objects.select_for_update()
            .filter(workspace=workspace, email=email, accepted_at__isnull=True, revoked_at__isnull=True)
            .first()
        )
        if invitation is None:
            invitation = WorkspaceInvitation(workspace=workspace, email=email, role=role, invited_by=by)
            token = _issue_token(invitation)
            invitation.save(force_insert=True)
        else:
            invitation.role, invitation.invited_by = role, by
            token = _issue_token(invitation)
            invitation.send_count += 1
            invitation.save()
        _send_invitation(invitation=invitation, token=token, workspace_name=workspace.name, by=by, base_url=base_url)
    return invitation


def resend_invitation(*, invitation: WorkspaceInvitation, by: User, base_url: str) -> bool:
    """Send an open (or expired) invitation again with a new link; False when it was accepted or revoked."""
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        return False
    with workspace_context(invitation.workspace_id, user_id=by.id):
        token = _issue_token(invitation)
        invitation.send_count += 1
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "send_count"])
        name = Workspace.objects.values_list("name", flat=True).get(id=invitation.workspace_id)
        _send_invitation(invitation=invitation, token=token, workspace_name=name, by=by, base_url=base_url)
    return True


def revoke_invitation(*, invitation: WorkspaceInvitation, by: User) -> bool:
    """Withdraw an invitation that was not accepted; its link stops working. False when nothing changed."""
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        return False
    with workspace_context(invitation.workspace_id, user_id=by.id):
        invitation.revoked_at, invitation.revoked_by = timezone.now(), by
        invitation.save(update_fields=["revoked_at", "revoked_by"])
    return True


def find_invitation(*, workspace_id, token: str) -> WorkspaceInvitation | None:
    """The invitation a link names (any state), read in its workspace's context; None for a bad link."""
    with workspace_context(workspace_id):
        return (
            WorkspaceInvitation.objects.select_related("workspace", "invited_by")
            .filter(workspace_id=workspace_id, token_hash=invitation_token_hash(token))
            .first()
        )


def accept_invitation(*, workspace_id, token: str, user: User) -> WorkspaceMember:
    """``user`` accepts the invitation: the database checks the link and creates the membership."""
    from raptorflow.sql import SQLFunctionError, call_returning

    with workspace_context(workspace_id, user_id=user.id):
        try:
            member = call_returning(WorkspaceMember, "accept_workspace_invitation", token)
        except SQLFunctionError as error:
            if error.sqlstate not in InvitationError.SQLSTATES:
                raise
            raise InvitationError.from_sqlstate(error.sqlstate) from error
        # Loaded here: outside this context (an anonymous request) the workspace reads as absent.
        member.workspace = Workspace.objects.get(id=workspace_id)
    return member


def create_invited_user(*, workspace_id, token: str, full_name: str, password: str) -> tuple[User, WorkspaceMember]:
    """A new person accepts: their account (their own password) and membership, in one transaction."""
    invitation = find_invitation(workspace_id=workspace_id, token=token)
    if invitation is None:
        raise InvitationError("invalid")
    if User.objects.filter(email=invitation.email).exists():
        raise InvitationError("has_account")
    with transaction.atomic():
        user = User.objects.create_user(email=invitation.email, password=password, full_name=full_name)
        member = accept_invitation(workspace_id=workspace_id, token=token, user=user)
    return user, member
