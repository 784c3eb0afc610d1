"""Admin for the five tables: scoped to the header's workspace; bad input is a form error, not a 500."""

import pytest

from campaigns.models import Campaign, CampaignQuest, MessageArchitecture
from campaigns.tests.factories import make_architecture, make_campaign, make_positioning, make_quest, target
from tests.factories import make_cohort

pytestmark = pytest.mark.django_db

PAGES = ["positioning", "messagearchitecture", "campaign", "campaignquest", "campaigncohort"]


@pytest.mark.parametrize("model", PAGES)
def test_admin_lists_show_only_the_current_workspace(tenant_a, tenant_b, client_for, model):
    for tenant, name in ((tenant_a, "Alpha"), (tenant_b, "Bravo")):
        p = make_positioning(tenant, f"{name} positioning")
        make_architecture(tenant, p, f"{name} messaging")
        c = make_campaign(tenant, f"{name} campaign")
        make_quest(tenant, c, f"{name} quest")
        target(tenant, c, make_cohort(tenant.workspace, f"{name} cohort"))
    page = client_for(tenant_a.staff, tenant_a.workspace).get(f"/admin/campaigns/{model}/").content.decode()
    assert "Alpha" in page and "Bravo" not in page


def test_admin_change_form_of_another_workspaces_campaign_is_not_found(tenant_a, tenant_b, client_for):
    theirs = make_campaign(tenant_b, "Bravo secret")
    client = client_for(tenant_a.staff, tenant_a.workspace)
    assert client.get(f"/admin/campaigns/campaign/{theirs.pk}/change/").status_code == 302
    with tenant_b.context():
        assert Campaign.objects.get(pk=theirs.pk).name == "Bravo secret"


def _campaign_post(name, **extra):
    data = {
        "name": name, "objective": "", "status": "draft", "channels": "", "budget": "", "kpi_targets": "{}",
        "starts_at_0": "", "starts_at_1": "", "ends_at_0": "", "ends_at_1": "",
    }
    for prefix in ("cohort_targets", "quests"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    data.update(extra)
    return data


def test_admin_adds_a_campaign_to_the_current_workspace_and_refuses_a_duplicate_name(tenant_a, client_for):
    client = client_for(tenant_a.staff, tenant_a.workspace)
    response = client.post("/admin/campaigns/campaign/add/", _campaign_post("Admin made"))
    assert response.status_code == 302, response.content.decode()[-3000:]
    with tenant_a.context():
        c = Campaign.objects.get(name="Admin made")
    assert c.workspace_id == tenant_a.id and c.created_by_id == tenant_a.staff.id
    duplicate = client.post("/admin/campaigns/campaign/add/", _campaign_post("Admin made"))
    assert duplicate.status_code == 200
    assert "already exists" in duplicate.content.decode()


def test_admin_refuses_a_quest_cycle_with_a_form_error(tenant_a, client_for):
    c = make_campaign(tenant_a)
    a = make_quest(tenant_a, c, "A")
    b = make_quest(tenant_a, c, "B", parent=a)
    response = client_for(tenant_a.staff, tenant_a.workspace).post(
        f"/admin/campaigns/campaignquest/{a.pk}/change/",
        {"campaign": c.pk, "parent": b.pk, "title": "A", "description": "", "position": 0, "status": "pending",
         "xp_reward": 10, "due_at_0": "", "due_at_1": ""},
    )
    assert response.status_code == 200
    assert "cannot be nested under itself or one of its sub-quests" in response.content.decode()
    with tenant_a.context():
        assert CampaignQuest.objects.get(pk=a.pk).parent_id is None


def test_admin_archive_action_and_primary_messaging_go_through_services(tenant_a, client_for):
    c = make_campaign(tenant_a, status="active")
    p = make_positioning(tenant_a)
    old = make_architecture(tenant_a, p, "Old", is_primary=True)
    new = make_architecture(tenant_a, p, "New")
    client = client_for(tenant_a.staff, tenant_a.workspace)
    client.post("/admin/campaigns/campaign/", {"action": "archive_selected", "_selected_action": [c.pk]})
    response = client.post(
        f"/admin/campaigns/messagearchitecture/{new.pk}/change/",
        {"positioning": p.pk, "name": "New", "core_message": "", "pillars": "[]", "tone": "", "version": 1, "is_primary": "on"},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    with tenant_a.context():
        assert Campaign.objects.get(pk=c.pk).status == "archived"
        assert list(MessageArchitecture.objects.filter(is_primary=True).values_list("id", flat=True)) == [new.pk]
        assert MessageArchitecture.objects.get(pk=old.pk).is_primary is False


@pytest.mark.parametrize("model, joined", [("campaignquest", ["campaigns"]), ("campaigncohort", ["campaigns", "cohorts"])])
def test_admin_lists_filter_their_joined_tables_by_the_workspace_too(tenant_a, client_for, model, joined):
    """Issue 19 (docs/performance-pages.md): RLS alone on a joined table makes the planner estimate the average
    workspace, and for a large one it sorted the whole workspace's quests instead of walking the ordered index."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = make_campaign(tenant_a, "Alpha campaign")
    make_quest(tenant_a, c, "Alpha quest")
    target(tenant_a, c, make_cohort(tenant_a.workspace, "Alpha cohort"))
    client = client_for(tenant_a.staff, tenant_a.workspace)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/admin/campaigns/{model}/")
    assert page.status_code == 200 and "Alpha campaign" in page.content.decode()
    listed = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"] and f'INNER JOIN "{joined[0]}"' in q["sql"]]
    assert listed, [q["sql"][:200] for q in queries.captured_queries]
    for table in joined:
        assert f'"{table}"."workspace_id" = ' in listed[-1], listed[-1]
