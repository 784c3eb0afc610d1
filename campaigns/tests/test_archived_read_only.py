"""Archived campaigns are read-only (issue 17): the database, the marketer pages and the admin.

Archiving is not final: restoring makes the campaign a draft, its quests and
cohorts writable again. Deleting an archived campaign (or a cohort it
targeted) still takes its rows along.
"""

import pytest
from django.db import DatabaseError, connection, transaction

from campaigns import services
from campaigns.models import Campaign, CampaignCohort, CampaignQuest
from campaigns.tests.factories import make_campaign, make_quest, target
from raptorflow import services as core_services
from raptorflow.models import Cohort
from tests.factories import make_cohort

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived(tenant_a):
    """An archived campaign with a quest, a sub-quest and a targeted cohort (added before it was archived)."""
    campaign = make_campaign(tenant_a, "Summer Sale 2025", status="active")
    quest = make_quest(tenant_a, campaign, "Landing page")
    make_quest(tenant_a, campaign, "Hero image", parent=quest)
    cohort = make_cohort(tenant_a.workspace, "Bargain hunters")
    row = target(tenant_a, campaign, cohort)
    with tenant_a.context():
        services.archive_campaign(campaign=campaign)
    return campaign, quest, cohort, row


def refused(tenant, sql, params):
    """Run SQL as the web role in the tenant's context; assert the archived refusal (SQLSTATE RFC01)."""
    with tenant.context(), pytest.raises(DatabaseError) as caught:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert caught.value.__cause__.sqlstate == "RFC01"
    assert 'campaign "Summer Sale 2025" is archived: its quests and cohorts are read-only' in str(caught.value)


# ---------------------------------------------------------------- the database


def test_the_database_refuses_every_write_to_an_archived_campaigns_quests_and_targets(tenant_a, archived):
    campaign, quest, cohort, row = archived
    other = make_cohort(tenant_a.workspace, "Window shoppers")
    refused(tenant_a, "INSERT INTO campaign_quests (workspace_id, campaign_id, title) VALUES (%s, %s, 'New')", [tenant_a.id, campaign.id])
    refused(tenant_a, "UPDATE campaign_quests SET status = 'completed', completed_at = now() WHERE id = %s", [quest.id])
    refused(tenant_a, "DELETE FROM campaign_quests WHERE id = %s", [quest.id])
    refused(tenant_a, "INSERT INTO campaign_cohorts (workspace_id, campaign_id, cohort_id) VALUES (%s, %s, %s)",
            [tenant_a.id, campaign.id, other.id])
    refused(tenant_a, "UPDATE campaign_cohorts SET role = 'control' WHERE id = %s", [row.id])
    refused(tenant_a, "DELETE FROM campaign_cohorts WHERE id = %s", [row.id])
    # A quest of another campaign cannot move into it either.
    open_quest = make_quest(tenant_a, make_campaign(tenant_a), "Elsewhere")
    refused(tenant_a, "UPDATE campaign_quests SET campaign_id = %s WHERE id = %s", [campaign.id, open_quest.id])
    with tenant_a.context():
        assert CampaignQuest.objects.filter(campaign=campaign).count() == 2
        assert CampaignCohort.objects.get(pk=row.pk).role == "primary"


def test_restoring_makes_them_writable_again(tenant_a, archived):
    campaign, quest, _, row = archived
    with tenant_a.context():
        services.restore_campaign(campaign=campaign)
        assert Campaign.objects.get(pk=campaign.pk).status == "draft"
        services.complete_quest(quest=CampaignQuest.objects.select_related("campaign").get(pk=quest.pk))
        services.untarget_cohort(target=CampaignCohort.objects.select_related("campaign").get(pk=row.pk))
        assert CampaignQuest.objects.get(pk=quest.pk).status == "completed"
        assert not CampaignCohort.objects.filter(pk=row.pk).exists()


def test_deleting_an_archived_campaign_still_cascades_in_sql_and_through_django(tenant_a, archived):
    campaign, _, _, _ = archived
    with tenant_a.context(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM campaigns WHERE id = %s", [campaign.id])
        assert not CampaignQuest.objects.exists() and not CampaignCohort.objects.exists()
        assert Cohort.objects.filter(name="Bargain hunters").exists()

    second = make_campaign(tenant_a, "Winter Sale 2025")
    make_quest(tenant_a, second, "Banner")
    target(tenant_a, second, make_cohort(tenant_a.workspace))
    with tenant_a.context():
        services.archive_campaign(campaign=second)
        Campaign.objects.get(pk=second.pk).delete()
        assert not CampaignQuest.objects.exists() and not CampaignCohort.objects.exists()


def test_deleting_a_cohort_an_archived_campaign_targeted_removes_the_target(tenant_a, archived):
    _, _, cohort, row = archived
    with tenant_a.context():
        Cohort.objects.get(pk=cohort.pk).delete()
        assert not CampaignCohort.objects.filter(pk=row.pk).exists()


def test_deleting_a_workspace_with_an_archived_campaign_deletes_everything(tenant_a, archived):
    with tenant_a.context(tenant_a.owner):
        core_services.delete_workspace(workspace=tenant_a.workspace)
    with tenant_a.context():
        assert not Campaign.objects.exists() and not CampaignQuest.objects.exists() and not CampaignCohort.objects.exists()


def test_a_campaign_archived_after_it_was_loaded_is_refused_by_the_database_as_campaign_archived(tenant_a):
    campaign = make_campaign(tenant_a, "Summer Sale 2025")
    quest = make_quest(tenant_a, campaign, "Banner")
    with tenant_a.context():
        stale = CampaignQuest.objects.select_related("campaign").get(pk=quest.pk)  # loaded while active
        Campaign.objects.filter(pk=campaign.pk).update(status="archived")  # another request archives it
        with pytest.raises(services.CampaignArchived, match="is archived: its quests and cohorts are read-only"):
            services.complete_quest(quest=stale)
        assert CampaignQuest.objects.get(pk=quest.pk).status == "pending"


# ---------------------------------------------------------------- the marketer pages


def test_an_archived_campaigns_page_offers_no_change_but_restore(tenant_a, client_for, archived):
    campaign, _, _, _ = archived
    page = client_for(tenant_a.marketer, tenant_a.workspace).get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "Landing page" in page and "Bargain hunters" in page
    for control in ("Add quest", "Add cohort", ">Complete<", "Delete<", "Remove<", 'value="up"', 'value="in"',
                    f"/campaigns/{campaign.pk}/edit/", f"/campaigns/{campaign.pk}/archive/"):
        assert control not in page, control
    assert "this campaign, its quests and its cohorts are read-only" in page
    assert f'action="/campaigns/{campaign.pk}/restore/"' in page
    # Viewers read the note but get no restore button.
    viewer = client_for(tenant_a.viewer, tenant_a.workspace).get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "read-only" in viewer and "/restore/" not in viewer


def test_writes_to_an_archived_campaign_are_refused_with_a_message_not_a_500(tenant_a, client_for, archived):
    campaign, quest, cohort, row = archived
    other = make_cohort(tenant_a.workspace, "Window shoppers")
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    attempts = [
        (f"/campaigns/{campaign.pk}/quests/add/", {"quest-title": "New", "quest-xp_reward": 10}),
        (f"/campaigns/quests/{quest.pk}/complete/", {"action": "complete"}),
        (f"/campaigns/quests/{quest.pk}/move/", {"direction": "down"}),
        (f"/campaigns/quests/{quest.pk}/delete/", {}),
        (f"/campaigns/quests/{quest.pk}/edit/", {"title": "Renamed", "status": "pending", "xp_reward": 10}),
        (f"/campaigns/{campaign.pk}/cohorts/add/", {"cohort-cohort": other.pk, "cohort-role": "primary"}),
        (f"/campaigns/{campaign.pk}/cohorts/{row.pk}/remove/", {}),
        (f"/campaigns/{campaign.pk}/edit/", {"name": "Renamed", "status": "draft"}),
    ]
    for url, data in attempts:
        response = client.post(url, data, follow=True)
        assert response.redirect_chain == [(f"/campaigns/{campaign.pk}/", 302)], url
        assert "is archived" in response.content.decode() and "read-only" in response.content.decode(), url
    # The edit pages are not offered either.
    assert client.get(f"/campaigns/quests/{quest.pk}/edit/").status_code == 302
    assert client.get(f"/campaigns/{campaign.pk}/edit/").status_code == 302
    with tenant_a.context():
        assert CampaignQuest.objects.filter(campaign=campaign).count() == 2
        assert CampaignQuest.objects.get(pk=quest.pk).title == "Landing page"
        assert CampaignCohort.objects.filter(campaign=campaign).count() == 1
        assert Campaign.objects.get(pk=campaign.pk).name == "Summer Sale 2025"


def test_restore_on_the_page_makes_the_campaign_a_writable_draft(tenant_a, client_for, archived):
    campaign, quest, _, _ = archived
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    response = client.post(f"/campaigns/{campaign.pk}/restore/", follow=True)
    assert "restored as a draft" in response.content.decode()
    assert client.post(f"/campaigns/quests/{quest.pk}/complete/", {"action": "complete"}).status_code == 302
    with tenant_a.context():
        assert Campaign.objects.get(pk=campaign.pk).status == "draft"
        assert CampaignQuest.objects.get(pk=quest.pk).status == "completed"
    # A viewer cannot restore.
    with tenant_a.context():
        services.archive_campaign(campaign=Campaign.objects.get(pk=campaign.pk))
    assert client_for(tenant_a.viewer, tenant_a.workspace).post(f"/campaigns/{campaign.pk}/restore/").status_code == 403


# ---------------------------------------------------------------- the admin


def test_admin_shows_an_archived_campaign_read_only_but_its_status(tenant_a, client_for, archived):
    campaign, quest, _, row = archived
    client = client_for(tenant_a.staff, tenant_a.workspace)
    page = client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert 'name="status"' in page and 'name="name"' not in page
    # Its quests and targets: listed, with no input, delete box or "add another".
    assert "Landing page" in page and 'name="quests-0-title"' not in page and 'name="cohort_targets-0-DELETE"' not in page
    assert 'name="cohort_targets-MAX_NUM_FORMS" value="0"' in page and 'name="quests-MAX_NUM_FORMS" value="0"' in page

    # The quest and target admins: read-only pages, and a forged POST changes nothing.
    assert client.post(f"/admin/campaigns/campaignquest/{quest.pk}/change/", {"title": "Renamed"}).status_code == 403
    assert client.post(f"/admin/campaigns/campaignquest/{quest.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/campaigns/campaigncohort/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    with tenant_a.context():
        assert CampaignQuest.objects.get(pk=quest.pk).title == "Landing page"
        assert CampaignCohort.objects.filter(pk=row.pk).exists()


def test_admin_refuses_adding_a_quest_or_target_to_an_archived_campaign_next_to_the_campaign(tenant_a, client_for, archived):
    campaign, _, _, _ = archived
    other = make_cohort(tenant_a.workspace, "Window shoppers")
    client = client_for(tenant_a.staff, tenant_a.workspace)
    for url, data in (
        ("/admin/campaigns/campaignquest/add/", {"campaign": campaign.pk, "parent": "", "title": "New", "description": "",
                                                 "position": 0, "status": "pending", "xp_reward": 10, "due_at_0": "", "due_at_1": ""}),
        ("/admin/campaigns/campaigncohort/add/", {"campaign": campaign.pk, "cohort": other.pk, "role": "primary"}),
    ):
        response = client.post(url, data)
        assert response.status_code == 200, url
        page = response.content.decode()
        row = page[page.index("field-campaign"):]
        assert "is archived, so its quests and cohorts are read-only" in row[: row.index("form-row")], url
    with tenant_a.context():
        assert CampaignQuest.objects.filter(campaign=campaign).count() == 2
        assert CampaignCohort.objects.filter(campaign=campaign).count() == 1
