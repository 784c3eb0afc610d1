"""Two tabs edit one row: both changes are kept, or the second sees the conflict (issue 20)."""

import re

import pytest

from gamification.models import Achievement
from gamification.tests.factories import make_achievement
from raptorflow.models import Cohort
from tests.factories import make_cohort


def _form_data(page: str) -> dict:
    """The values a browser would post back from a rendered admin change form (text inputs, selects, textareas)."""
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data.setdefault(name, value)
    for name, value in re.findall(r'<input[^>]*value="([^"]*)"[^>]*name="([^"]+)"', page):
        data.setdefault(value, name)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = selected.group(1) if selected else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = body.strip()
    for name in re.findall(r'<input type="checkbox" name="([^"]+)"[^>]*checked', page):
        data[name] = "on"
    data.pop("csrfmiddlewaretoken", None)
    return {k: v.replace("&quot;", '"').replace("&amp;", "&") for k, v in data.items()}


@pytest.mark.django_db
def test_two_tabs_changing_different_fields_keep_both_changes(tenant_a, client_for):
    cohort = make_cohort(tenant_a.workspace, "Trail runners", size_estimate=100, description="Runners")
    url = f"/admin/raptorflow/cohort/{cohort.pk}/change/"
    first, second = client_for(tenant_a.staff, tenant_a.workspace), client_for(tenant_a.staff, tenant_a.workspace)
    tab1, tab2 = _form_data(first.get(url).content.decode()), _form_data(second.get(url).content.decode())
    assert tab1["opened_version"] and tab2["opened_version"]

    assert first.post(url, {**tab1, "size_estimate": "5000"}).status_code == 302
    assert second.post(url, {**tab2, "description": "Trail runners in the Alps"}).status_code == 302
    with tenant_a.context():
        cohort.refresh_from_db()
    assert (cohort.size_estimate, cohort.description) == (5000, "Trail runners in the Alps")


@pytest.mark.django_db
def test_two_tabs_changing_the_same_field_show_the_conflict_and_overwrite_nothing(tenant_a, client_for):
    achievement = make_achievement(tenant_a, target_value=1, xp_reward=100)
    url = f"/admin/gamification/achievement/{achievement.pk}/change/"
    first, second = client_for(tenant_a.staff, tenant_a.workspace), client_for(tenant_a.staff, tenant_a.workspace)
    tab1, tab2 = _form_data(first.get(url).content.decode()), _form_data(second.get(url).content.decode())

    assert first.post(url, {**tab1, "xp_reward": "250"}).status_code == 302
    response = second.post(url, {**tab2, "xp_reward": "999"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this achievement" in page and "250" in page and "999" in page
    with tenant_a.context():
        assert Achievement.objects.get(pk=achievement.pk).xp_reward == 250

    # Saving again, now knowing the other version, is a conscious overwrite.
    retry = _form_data(page)
    assert second.post(url, {**retry, "xp_reward": "999"}).status_code == 302
    with tenant_a.context():
        assert Achievement.objects.get(pk=achievement.pk).xp_reward == 999


@pytest.mark.django_db
def test_a_forged_or_damaged_version_is_not_saved_blindly(tenant_a, client_for):
    cohort = make_cohort(tenant_a.workspace, "Campers", size_estimate=10)
    url = f"/admin/raptorflow/cohort/{cohort.pk}/change/"
    client = client_for(tenant_a.staff, tenant_a.workspace)
    data = _form_data(client.get(url).content.decode())
    response = client.post(url, {**data, "opened_version": "forged", "size_estimate": "77"})
    assert response.status_code == 200 and "Someone else saved this cohort" in response.content.decode()
    with tenant_a.context():
        assert Cohort.objects.get(pk=cohort.pk).size_estimate == 10


@pytest.mark.django_db
def test_two_tabs_on_the_campaign_edit_page_keep_both_changes(tenant_a, client_for):
    """The issue's case: one tab saves a new budget, the other a new objective from its stale form."""
    from campaigns.models import Campaign
    from campaigns.tests.factories import make_campaign

    campaign = make_campaign(tenant_a, objective="Sell tents", budget=1000)
    url = f"/campaigns/{campaign.pk}/edit/"
    first, second = client_for(tenant_a.marketer, tenant_a.workspace), client_for(tenant_a.marketer, tenant_a.workspace)
    tab1, tab2 = _form_data(first.get(url).content.decode()), _form_data(second.get(url).content.decode())
    assert tab1.get("opened_version")

    response = first.post(url, {**tab1, "budget": "2500.00"})
    assert response.status_code == 302, response.context["form"].errors
    response = second.post(url, {**tab2, "objective": "Sell tents and stoves"})
    assert response.status_code == 302, response.context["form"].errors
    with tenant_a.context():
        campaign = Campaign.objects.get(pk=campaign.pk)
    assert (str(campaign.budget), campaign.objective) == ("2500.00", "Sell tents and stoves")


@pytest.mark.django_db
def test_two_tabs_on_the_campaign_edit_page_changing_the_budget_show_the_conflict(tenant_a, client_for):
    from campaigns.models import Campaign
    from campaigns.tests.factories import make_campaign

    campaign = make_campaign(tenant_a, objective="Sell tents", budget=1000)
    url = f"/campaigns/{campaign.pk}/edit/"
    first, second = client_for(tenant_a.marketer, tenant_a.workspace), client_for(tenant_a.marketer, tenant_a.workspace)
    tab1, tab2 = _form_data(first.get(url).content.decode()), _form_data(second.get(url).content.decode())
    assert first.post(url, {**tab1, "budget": "2500.00"}).status_code == 302
    response = second.post(url, {**tab2, "budget": "9999.00"})
    assert response.status_code in (200, 400) and "Someone else saved this campaign" in response.content.decode()
    with tenant_a.context():
        assert str(Campaign.objects.get(pk=campaign.pk).budget) == "2500.00"
