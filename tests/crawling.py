"""Discovery shared by the crawl (``test_crawl.py``) and the fuzz test (``test_fuzz.py``).

Who browses (the demo people, made staff where needed), which workspace they
work in, what an admin lists for them, the ids of real objects for the
marketer pages, and how a server error is described in a failure message.
All of it reads the demo data of ``seed_demo`` (the ``demo_data`` fixture).
"""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import RequestFactory, override_settings

from campaigns.models import Campaign, CampaignCohort, CampaignQuest, MessageArchitecture, Positioning
from raptorflow.management.commands.seed_demo import STAFF_GROUP, WORKSPACES
from raptorflow.models import User, Workspace, WorkspaceMember
from raptorflow.tenancy import workspace_context
from tests.factories import make_user

STAFF_ROLES = ("owner", "admin", "marketer", "viewer")
REPO_ROOT = str(Path(__file__).resolve().parents[1]) + "/"


@pytest.fixture
def demo_data(db):
    # The demo is a development tool (it refuses to run with DEBUG off); the tests themselves run with DEBUG off.
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0)


def demo_workspace(spec) -> Workspace:
    owner = User.objects.get(email=spec["people"][0][1])
    # A workspace is visible to its members: look it up through its owner.
    with workspace_context(None, user_id=owner.id):
        return Workspace.objects.get(slug=spec["slug"])


def demo_person(spec, role: str) -> User:
    """The demo person holding ``role`` in the workspace ``spec`` (one of ``seed_demo.WORKSPACES``)."""
    email = next(email for person_role, email, _, _ in spec["people"] if person_role == role)
    return User.objects.get(email=email)


def crawler(role: str) -> tuple[User, Workspace]:
    """The user who browses as ``role`` (a staff role, "non-staff" or "superuser"), and the workspace they work in."""
    acme, northwind = WORKSPACES
    if role in STAFF_ROLES:
        # The demo person holding the role (their own notifications, stats and progress),
        # made staff with the demo staff group's model permissions.
        user = demo_person(acme, role)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=STAFF_GROUP))
        assert not user.is_superuser
        return user, demo_workspace(acme)
    if role == "non-staff":
        # The other workspace's marketer: a member who is not staff.
        user = demo_person(northwind, "marketer")
        assert not user.is_staff
        return user, demo_workspace(northwind)
    # A platform superuser, member of no workspace, entering one through the session.
    user = make_user(full_name="Platform Superuser", is_staff=True, is_superuser=True)
    return user, demo_workspace(acme)


def request_as(user: User, workspace: Workspace):
    """A request as the middleware leaves it, for asking an admin what this user sees."""
    request = RequestFactory().get("/admin/")
    request.user = user
    request.session = {}
    with workspace_context(None, user_id=user.id):
        request.memberships = list(WorkspaceMember.objects.filter(user=user).select_related("workspace"))
    request.membership = next((m for m in request.memberships if m.workspace_id == workspace.id), None)
    request.workspace = workspace
    return request


def first_pk(model_admin, request):
    """One object of the admin's list for this request's user, or None (also when the list fails)."""
    try:
        with workspace_context(request.workspace.id, user_id=request.user.id):
            obj = model_admin.get_queryset(request).first()
    except Exception:  # the caller reports that page's failure itself
        return None
    return None if obj is None else obj.pk


def marketer_ids(user: User, workspace: Workspace) -> dict:
    """Ids of real objects of the workspace for the marketer pages: {model: pk}, a targeted campaign's."""
    with workspace_context(workspace.id, user_id=user.id):
        target = CampaignCohort.objects.filter(workspace=workspace).order_by("added_at").first()
        assert target is not None, "the demo data has no targeted cohort"
        quest = CampaignQuest.objects.filter(workspace=workspace, campaign_id=target.campaign_id).first()
        return {
            Campaign: target.campaign_id,
            CampaignCohort: target.pk,
            CampaignQuest: (quest or CampaignQuest.objects.filter(workspace=workspace).first()).pk,
            Positioning: Positioning.objects.filter(workspace=workspace).first().pk,
            MessageArchitecture: MessageArchitecture.objects.filter(workspace=workspace).first().pk,
        }


def describe_exception(response) -> str:
    """`` Type: message (at file:line)`` of the exception a server error raised, or ""."""
    exc_info = getattr(response, "exc_info", None)
    if not exc_info:
        return ""
    _, value, tb = exc_info
    frames = traceback.extract_tb(tb)
    # The deepest frame of our own code says more than one inside Django.
    ours = [f for f in frames if f.filename.startswith(REPO_ROOT) and "site-packages" not in f.filename]
    where = (ours or frames)[-1]
    message = str(value) if len(str(value)) <= 200 else str(value)[:200] + "..."
    return f" {type(value).__name__}: {message} (at {where.filename.removeprefix(REPO_ROOT)}:{where.lineno})"
