"""Writes on the tenancy core that span rows or need a specific context."""

from __future__ import annotations

import uuid

from django.db import transaction

from raptorflow.models import User, Workspace, WorkspaceMember
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
