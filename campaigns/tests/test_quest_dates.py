"""Quest due dates fall inside the campaign's window, and dates name their year when it is not this one (issue 17)."""

import datetime

import pytest
from django.utils import dateformat, timezone

from campaigns.models import CampaignQuest
from campaigns.tests.factories import make_campaign, make_quest

pytestmark = pytest.mark.django_db


def local(moment, pattern):
    return dateformat.format(timezone.localtime(moment), pattern)


@pytest.fixture
def window(tenant_a):
    """A campaign running from ten days ago to 300 days from now."""
    now = timezone.now().replace(second=0, microsecond=0)
    return make_campaign(tenant_a, "Trail 2027", starts_at=now - datetime.timedelta(days=10), ends_at=now + datetime.timedelta(days=300))


def test_page_refuses_a_quest_due_after_the_campaign_ends_next_to_the_due_date(tenant_a, client_for, window):
    late = window.ends_at + datetime.timedelta(days=400)
    response = client_for(tenant_a.marketer, tenant_a.workspace).post(
        f"/campaigns/{window.pk}/quests/add/",
        {"quest-title": "Too late", "quest-xp_reward": 10, "quest-due_at": local(late, "Y-m-d\\TH:i"), "quest-description": ""},
    )
    assert response.status_code == 400
    errors = response.context["quest_form"].errors["due_at"]
    assert errors == [
        f"Set a due date within the campaign, {local(window.starts_at, 'j M Y, H:i')} to {local(window.ends_at, 'j M Y, H:i')}."
    ]
    page = response.content.decode()
    block = page[page.index('<label for="id_quest-due_at"'):]
    assert "Set a due date within the campaign" in block[: block.index("</div>")]
    with tenant_a.context():
        assert not CampaignQuest.objects.exists()


def test_page_refuses_a_quest_due_before_the_start_and_accepts_one_inside(tenant_a, client_for, window):
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    quest = make_quest(tenant_a, window, "Brief the agency")
    url = f"/campaigns/quests/{quest.pk}/edit/"
    data = {"title": "Brief the agency", "parent": "", "status": "pending", "xp_reward": 10, "description": ""}
    early = window.starts_at - datetime.timedelta(days=1)
    refused = client.post(url, {**data, "due_at": local(early, "Y-m-d\\TH:i")})
    assert refused.status_code == 200 and "due_at" in refused.context["form"].errors
    inside = window.starts_at + datetime.timedelta(days=3)
    assert client.post(url, {**data, "due_at": local(inside, "Y-m-d\\TH:i")}).status_code == 302
    with tenant_a.context():
        assert CampaignQuest.objects.get(pk=quest.pk).due_at == inside


def test_a_campaign_without_dates_takes_any_due_date(tenant_a, client_for):
    open_ended = make_campaign(tenant_a)
    response = client_for(tenant_a.marketer, tenant_a.workspace).post(
        f"/campaigns/{open_ended.pk}/quests/add/",
        {"quest-title": "Whenever", "quest-xp_reward": 10, "quest-due_at": "2031-01-01T09:00", "quest-description": ""},
    )
    assert response.status_code == 302


def test_admin_refuses_a_quest_due_outside_the_campaign_next_to_the_due_date(tenant_a, client_for, window):
    late = window.ends_at + datetime.timedelta(days=400)
    response = client_for(tenant_a.staff, tenant_a.workspace).post(
        "/admin/campaigns/campaignquest/add/",
        {"campaign": window.pk, "parent": "", "title": "Too late", "description": "", "position": 0, "status": "pending",
         "xp_reward": 10, "due_at_0": local(late, "Y-m-d"), "due_at_1": local(late, "H:i")},
    )
    assert response.status_code == 200
    page = response.content.decode()
    row = page[page.index("field-due_at"):]
    assert "Set a due date within the campaign" in row[: row.index("form-row")]
    with tenant_a.context():
        assert not CampaignQuest.objects.exists()


def test_dates_name_the_year_only_when_it_is_not_this_one(tenant_a, client_for):
    now = timezone.now()
    next_year = now + datetime.timedelta(days=370)
    campaign = make_campaign(tenant_a, "Dated", starts_at=now, ends_at=next_year)
    make_quest(tenant_a, campaign, "This year", due_at=now)
    make_quest(tenant_a, campaign, "Next year", due_at=next_year)
    client = client_for(tenant_a.marketer, tenant_a.workspace)

    detail = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f"due {local(now, 'j M')}</span>" in detail
    assert f"due {local(next_year, 'j M Y')}</span>" in detail
    assert f"{local(now, 'j M, H:i')} – {local(next_year, 'j M Y, H:i')}" in detail

    listing = client.get("/campaigns/").content.decode()
    assert f"{local(now, 'j M')} – {local(next_year, 'j M Y')}</td>" in listing
