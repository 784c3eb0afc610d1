"""Small factories for tests (and benchmarks): users, workspaces, memberships.

They write through the same RLS the app lives under: a workspace is created
in its own context, members and cohorts in the workspace's context.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field

from raptorflow import services
from raptorflow.models import Cohort, User, Workspace, WorkspaceMember
from raptorflow.tenancy import workspace_context

PASSWORD = "test-password-123"
_counter = itertools.count(1)


def make_user(email: str | None = None, *, password: str = PASSWORD, **extra) -> User:
    email = email or f"user{next(_counter)}-{uuid.uuid4().hex[:6]}@example.test"
    return User.objects.create_user(email=email, password=password, **extra)


def make_workspace(name: str | None = None, *, slug: str | None = None, owner: User | None = None) -> Workspace:
    suffix = uuid.uuid4().hex[:8]
    name = name or f"Workspace {suffix}"
    return services.create_workspace(name=name, slug=slug or f"ws-{suffix}", owner=owner)


def workspace_owner(workspace: Workspace) -> User:
    with workspace_context(workspace.id):
        return WorkspaceMember.objects.select_related("user").filter(workspace=workspace, role="owner").earliest("created_at").user


def add_member(workspace: Workspace, user: User, role: str = WorkspaceMember.Role.MARKETER) -> WorkspaceMember:
    """Add ``user`` as the workspace's first owner would."""
    return services.add_member(workspace=workspace, user=user, role=role, by=workspace_owner(workspace))


def make_cohort(workspace: Workspace, name: str | None = None, **fields) -> Cohort:
    with workspace_context(workspace.id):
        return Cohort.objects.create(workspace=workspace, name=name or f"Cohort {uuid.uuid4().hex[:6]}", **fields)


@dataclass
class Tenant:
    """A workspace with one user per role; ``staff`` is an admin-role member with is_staff."""

    workspace: Workspace
    owner: User
    staff: User
    marketer: User
    viewer: User
    extra: dict = field(default_factory=dict)

    @property
    def id(self):
        return self.workspace.id

    def context(self, user: User | None = None):
        return workspace_context(self.workspace.id, user_id=(user or self.staff).id)


def make_tenant(name: str | None = None) -> Tenant:
    from django.contrib.auth.models import Permission

    owner = make_user(full_name="Owner")
    workspace = make_workspace(name, owner=owner)
    staff = make_user(full_name="Staff Member", is_staff=True)
    # Staff get model permissions the way the demo's staff group does.
    staff.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["raptorflow", "campaigns", "gamification", "agents", "intelligence", "alerts"]
        )
    )
    marketer = make_user(full_name="Marketer")
    viewer = make_user(full_name="Viewer")
    add_member(workspace, staff, WorkspaceMember.Role.ADMIN)
    add_member(workspace, marketer, WorkspaceMember.Role.MARKETER)
    add_member(workspace, viewer, WorkspaceMember.Role.VIEWER)
    return Tenant(workspace=workspace, owner=owner, staff=staff, marketer=marketer, viewer=viewer)
