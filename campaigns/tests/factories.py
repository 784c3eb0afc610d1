"""Small factories: each writes inside the tenant's own workspace context, as the app would."""

from __future__ import annotations

import uuid

from campaigns.models import Campaign, CampaignCohort, CampaignQuest, MessageArchitecture, Positioning
from raptorflow.tenancy import workspace_context


def _name(prefix):
    return f"{prefix} {uuid.uuid4().hex[:6]}"


def make_positioning(tenant, name=None, **fields):
    with tenant.context():
        return Positioning.objects.create(workspace=tenant.workspace, name=name or _name("Positioning"), **fields)


def make_architecture(tenant, positioning, name=None, **fields):
    with tenant.context():
        return MessageArchitecture.objects.create(
            workspace=tenant.workspace, positioning=positioning, name=name or _name("Messaging"), **fields
        )


def make_campaign(tenant, name=None, **fields):
    with tenant.context():
        return Campaign.objects.create(workspace=tenant.workspace, name=name or _name("Campaign"), **fields)


def make_quest(tenant, campaign, title=None, **fields):
    with tenant.context():
        return CampaignQuest.objects.create(workspace=tenant.workspace, campaign=campaign, title=title or _name("Quest"), **fields)


def target(tenant, campaign, cohort, role="primary"):
    with tenant.context():
        return CampaignCohort.objects.create(workspace=tenant.workspace, campaign=campaign, cohort=cohort, role=role)


def in_context(tenant):
    return workspace_context(tenant.workspace.id, user_id=tenant.staff.id)
