"""Bad input gets a clear error, never a 500 (issue 20): the three root causes the fuzzing found."""

import pytest

from gamification import services as gamification_services


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, field, data",
    [
        ("/admin/campaigns/campaign/add/", "positioning", {"name": "x", "status": "draft", "positioning": "not-a-uuid"}),
        ("/admin/campaigns/campaign/add/", "message_architecture", {"name": "x", "status": "draft", "message_architecture": "1e309"}),
        ("/admin/campaigns/campaignquest/add/", "campaign", {"title": "x", "status": "pending", "campaign": "\x00"}),
        ("/admin/campaigns/campaigncohort/add/", "cohort", {"role": "primary", "campaign": "x", "cohort": "💥"}),
        ("/admin/agents/agentassignment/add/", "agent", {"role": "x", "status": "active", "agent": "<b>"}),
    ],
)
def test_an_autocomplete_field_with_a_value_that_is_no_key_gets_a_field_error(tenant_a, client_for, url, field, data):
    response = client_for(tenant_a.staff, tenant_a.workspace).post(url, data)
    assert response.status_code == 200, response.status_code
    assert field in response.context["adminform"].form.errors


@pytest.mark.django_db
@pytest.mark.parametrize("criteria", [{"event": "quest\u0000completed", "count": 1}, {"event": "quest_completed", "count": 1e308 * 10}])
def test_criteria_postgresql_cannot_store_are_a_readable_problem(tenant_a, criteria):
    with tenant_a.context():
        problem = gamification_services.criteria_problem(criteria, target_value=1)
    assert problem is not None and "cannot store" in problem


@pytest.mark.django_db
def test_criteria_with_a_nul_through_the_admin_form_is_a_field_error(tenant_a, client_for):
    response = client_for(tenant_a.staff, tenant_a.workspace).post(
        "/admin/gamification/achievement/add/",
        {"code": "nul", "name": "Nul", "category": "general", "rarity": "common", "xp_reward": 10, "target_value": 1,
         "criteria": '{"event": "quest\\u0000completed", "count": 1}', "icon": "", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "criteria" in response.context["adminform"].form.errors
