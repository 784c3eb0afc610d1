"""KPI targets keep the order entered; cohort sizes read the same everywhere (issue 17)."""

import re

import pytest
from django.db import connection

from campaigns.models import Campaign
from campaigns.tests.factories import make_campaign, target
from tests.factories import make_cohort

pytestmark = pytest.mark.django_db


def badges(page: str) -> list[str]:
    facts = page[page.index("<dt>KPI targets</dt>"):]
    return re.findall(r'<span class="badge">([^<]*)</span>', facts[: facts.index("</dd>")])


def test_kpi_targets_keep_the_order_entered_on_every_page_and_in_the_admin(tenant_a, client_for):
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    response = client.post("/campaigns/new/", {"name": "Ordered", "status": "draft",
                                               "kpi_targets": "signups: 5000\nctr: 0.02\nbookings: 12"})
    assert response.status_code == 302
    with tenant_a.context():
        campaign = Campaign.objects.get(name="Ordered")
    assert list(campaign.kpi_targets) == ["signups", "ctr", "bookings"]
    assert campaign.kpi_order == ["signups", "ctr", "bookings"]

    # The detail page's badges, the edit form's textarea and the admin's JSON: all in the entered order.
    assert badges(client.get(f"/campaigns/{campaign.pk}/").content.decode()) == ["signups: 5000", "ctr: 0.02", "bookings: 12"]
    edit = client.get(f"/campaigns/{campaign.pk}/edit/").content.decode()
    assert "signups: 5000\nctr: 0.02\nbookings: 12</textarea>" in edit
    admin = client_for(tenant_a.staff, tenant_a.workspace).get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert "{&quot;signups&quot;: 5000, &quot;ctr&quot;: 0.02, &quot;bookings&quot;: 12}" in admin

    # Reordered in the form: the new order is kept.
    data = {"name": "Ordered", "status": "draft", "kpi_targets": "bookings: 12\nsignups: 5000"}
    assert client.post(f"/campaigns/{campaign.pk}/edit/", data).status_code == 302
    assert badges(client.get(f"/campaigns/{campaign.pk}/").content.decode()) == ["bookings: 12", "signups: 5000"]


def test_rows_without_a_known_order_read_as_stored_and_a_stale_order_never_loses_a_target(tenant_a):
    campaign = make_campaign(tenant_a, "Written by SQL")
    with tenant_a.context(), connection.cursor() as cursor:
        cursor.execute("UPDATE campaigns SET kpi_targets = '{\"signups\": 1, \"ctr\": 2}', kpi_order = NULL WHERE id = %s",
                       [campaign.id])
        assert list(Campaign.objects.get(pk=campaign.pk).kpi_targets) == ["ctr", "signups"]  # jsonb's own order
        # Another service changed the targets but not the order: the known ones first, the rest after.
        cursor.execute("UPDATE campaigns SET kpi_targets = '{\"signups\": 1, \"leads\": 3}', kpi_order = '{gone,signups}'"
                       " WHERE id = %s", [campaign.id])
        assert Campaign.objects.get(pk=campaign.pk).kpi_targets == {"signups": 1, "leads": 3}
        assert list(Campaign.objects.get(pk=campaign.pk).kpi_targets) == ["signups", "leads"]


def test_cohort_sizes_read_the_same_in_the_table_the_dropdown_and_the_admin(tenant_a, client_for):
    campaign = make_campaign(tenant_a, "Sized")
    target(tenant_a, campaign, make_cohort(tenant_a.workspace, "Trail runners EU", size_estimate=48200))
    make_cohort(tenant_a.workspace, "Weekend campers", size_estimate=1250000)
    page = client_for(tenant_a.marketer, tenant_a.workspace).get(f"/campaigns/{campaign.pk}/").content.decode()
    assert '<td class="num">48,200</td>' in page
    assert ">Weekend campers (1,250,000)</option>" in page
    assert "48200" not in page and "~" not in page

    admin = client_for(tenant_a.staff, tenant_a.workspace).get("/admin/raptorflow/cohort/").content.decode()
    assert '<td class="field-size">48,200</td>' in admin and "1,250,000" in admin
