"""Names unique per workspace ignoring case (issue 17): campaigns, positioning, cohorts, achievement codes.

The rule is each model's ``UniqueConstraint("workspace", Lower(...))``: the
database refuses a case-duplicate (as the web role), and every form, on the
pages and in the admin, shows the model's message next to the field through
the one shared base, ``raptorflow.forms.TenantModelForm``.
"""

import json
import re

import pytest
from django.db import IntegrityError, connection, transaction

from campaigns.models import Campaign, Positioning
from campaigns.tests.factories import make_campaign, make_positioning
from gamification.models import Achievement
from gamification.tests.factories import make_achievement
from raptorflow.models import Cohort
from tests.factories import make_cohort

pytestmark = pytest.mark.django_db


def field_block(page: str, field: str) -> str:
    """The markup of one field: from the admin's ``field-<name>`` row or the pages' label to the next field."""
    row = re.search(rf'class="form-row[^"]*\bfield-{field}\b', page)
    start = row.start() if row else page.index(f'<label for="id_{field}"')
    rest = page[start + 1:]
    ends = [m.start() for m in (re.search(r'class="form-row|<div class="field', rest),) if m]
    return page[start : start + 1 + (ends[0] if ends else len(rest))]


# ---------------------------------------------------------------- the database


@pytest.mark.parametrize(
    "table, insert, constraint",
    [
        ("campaigns", "INSERT INTO campaigns (workspace_id, name) VALUES (%s, %s)", "campaigns_workspace_lower_name_uniq"),
        ("positioning", "INSERT INTO positioning (workspace_id, name) VALUES (%s, %s)", "positioning_workspace_lower_name_uniq"),
        ("cohorts", "INSERT INTO cohorts (workspace_id, name) VALUES (%s, %s)", "cohorts_workspace_lower_name_uniq"),
        # Codes: lowercase only (achievements_code_format), so the plain unique rule ignores case too.
        ("achievements", "INSERT INTO achievements (workspace_id, code, name, criteria) VALUES (%s, lower(%s), 'A', "
         "'{\"event\": \"manual\", \"count\": 1}')", "achievements_workspace_code_uniq"),
    ],
)
def test_the_database_refuses_a_name_that_differs_only_by_case(tenant_a, tenant_b, table, insert, constraint):
    with tenant_a.context(), connection.cursor() as cursor:
        cursor.execute(insert, [tenant_a.id, "spring-trail-launch"])
        with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
            cursor.execute(insert, [tenant_a.id, "Spring-Trail-LAUNCH"])
    # Another workspace may use it, in any case.
    with tenant_b.context(), connection.cursor() as cursor:
        cursor.execute(insert, [tenant_b.id, "Spring-Trail-Launch"])


# ---------------------------------------------------------------- the marketer pages


def test_campaign_page_refuses_a_case_duplicate_next_to_the_name(tenant_a, client_for):
    make_campaign(tenant_a, "Spring Trail Launch 2026")
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    response = client.post("/campaigns/new/", {"name": "spring trail launch 2026", "status": "draft", "kpi_targets": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["A campaign with this name already exists in this workspace."]
    assert "already exists in this workspace" in field_block(response.content.decode(), "name")
    with tenant_a.context():
        assert Campaign.objects.count() == 1


def test_renaming_a_campaign_to_a_case_duplicate_is_refused_but_changing_its_own_case_is_not(tenant_a, client_for):
    make_campaign(tenant_a, "Summer Sale")
    mine = make_campaign(tenant_a, "Winter Sale")
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    url = f"/campaigns/{mine.pk}/edit/"
    refused = client.post(url, {"name": "SUMMER SALE", "status": "draft", "kpi_targets": ""})
    assert refused.status_code == 200 and "name" in refused.context["form"].errors
    assert client.post(url, {"name": "WINTER SALE", "status": "draft", "kpi_targets": ""}).status_code == 302


def test_positioning_page_refuses_a_case_duplicate_next_to_the_name(tenant_a, client_for):
    make_positioning(tenant_a, "Built for the long trail")
    response = client_for(tenant_a.marketer, tenant_a.workspace).post(
        "/campaigns/positioning/new/", {"name": "BUILT FOR THE LONG TRAIL", "status": "draft"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["A positioning with this name already exists in this workspace."]
    with tenant_a.context():
        assert Positioning.objects.count() == 1


# ---------------------------------------------------------------- the admin


def _campaign_admin_post(name):
    data = {"name": name, "objective": "", "status": "draft", "channels": "", "budget": "", "kpi_targets": "{}",
            "starts_at_0": "", "starts_at_1": "", "ends_at_0": "", "ends_at_1": ""}
    for prefix in ("cohort_targets", "quests"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MIN_NUM_FORMS": 0,
                     f"{prefix}-MAX_NUM_FORMS": 1000})
    return data


@pytest.mark.parametrize(
    "url, data, field, message",
    [
        ("/admin/campaigns/campaign/add/", _campaign_admin_post("spring trail launch 2026"), "name",
         "A campaign with this name already exists in this workspace."),
        ("/admin/campaigns/positioning/add/",
         {"name": "built for the long trail", "status": "draft", "target_segment": "", "problem_statement": "",
          "value_proposition": "", "differentiators": "", "proof_points": "[]",
          **{f"message_architectures-{k}": v for k, v in
             {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}.items()}},
         "name", "A positioning with this name already exists in this workspace."),
        ("/admin/raptorflow/cohort/add/",
         {"name": "TRAIL RUNNERS EU", "description": "", "criteria": "{}", "size_estimate": "10"},
         "name", "A cohort with this name already exists in this workspace."),
        ("/admin/gamification/achievement/add/",
         {"name": "Quest master", "code": "Quest-Master", "description": "", "icon": "", "category": "quests",
          "rarity": "epic", "xp_reward": "500", "target_value": "10",
          "criteria": json.dumps({"event": "quest_completed", "count": 10}), "is_active": "on"},
         "code", "An achievement with this code already exists in this workspace."),
    ],
    ids=["campaign", "positioning", "cohort", "achievement"],
)
def test_admin_forms_refuse_a_case_duplicate_next_to_the_field(tenant_a, client_for, url, data, field, message):
    make_campaign(tenant_a, "Spring Trail Launch 2026")
    make_positioning(tenant_a, "Built for the long trail")
    make_cohort(tenant_a.workspace, "Trail runners EU")
    make_achievement(tenant_a, code="quest-master")
    response = client_for(tenant_a.staff, tenant_a.workspace).post(url, data)
    assert response.status_code == 200, response.get("Location")
    page = response.content.decode()
    assert message in field_block(page, field), page[:3000]
    with tenant_a.context():
        assert Campaign.objects.count() == Positioning.objects.count() == Cohort.objects.count() == 1
        assert Achievement.objects.count() == 1


def test_a_name_taken_by_another_request_after_validation_is_the_same_form_error(tenant_a):
    from campaigns.forms import CampaignForm

    form = CampaignForm({"name": "Autumn Race", "status": "draft", "kpi_targets": ""}, workspace=tenant_a.workspace)
    with tenant_a.context():
        assert form.is_valid()
        make_campaign(tenant_a, "AUTUMN RACE")  # another request saves first
        assert form.save_unique() is None
        assert form.errors["name"] == ["A campaign with this name already exists in this workspace."]
        assert Campaign.objects.filter(name__iexact="autumn race").count() == 1
