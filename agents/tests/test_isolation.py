"""Assignments and performance stay inside their workspace."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import ProgrammingError

from agents import services
from agents.models import AgentExecution, AgentPerformanceLive, Agent, AgentAssignment, AgentPerformance

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return Agent.objects.get(slug="churn-predictor")


def test_performance_of_one_workspace_is_invisible_to_another(tenant_a, tenant_b, agent):
    with tenant_a.context():
        services.record_agent_execution(agent=agent, success=True, duration_ms=50)
        services.record_agent_execution(agent=agent, success=True, duration_ms=60)
    with tenant_b.context():
        assert AgentPerformance.objects.count() == 0
        assert AgentExecution.objects.count() == 0 and AgentPerformanceLive.objects.count() == 0
        row = services.record_agent_execution(agent=agent, success=False, duration_ms=70)
        assert row.executions == 1 and row.workspace_id == tenant_b.id
        # B's roll-up moves B's log only; B gets its own bucket for the same agent and day.
        assert services.roll_up_agent_executions() == (1, 1, 0)
        assert AgentPerformance.objects.get().executions == 1
        assert AgentPerformance.objects.filter(workspace_id=tenant_a.id).update(executions=0) == 0
        assert AgentExecution.objects.filter(workspace_id=tenant_a.id).delete()[0] == 0
    with tenant_a.context():
        assert AgentExecution.objects.count() == 2  # still in A's log
        assert sum(AgentPerformanceLive.objects.values_list("executions", flat=True)) == 2
        services.roll_up_agent_executions()
        assert AgentPerformance.objects.get().executions == 2
    # No context: fail closed, the log and the view too.
    assert AgentPerformance.objects.count() == AgentExecution.objects.count() == AgentPerformanceLive.objects.count() == 0


def test_assignments_of_one_workspace_are_invisible_to_another(tenant_a, tenant_b, agent):
    with tenant_a.context():
        assignment = AgentAssignment.objects.create(agent=agent, role="lead", assigned_by=tenant_a.staff)
    with tenant_b.context():
        assert not AgentAssignment.objects.filter(pk=assignment.pk).exists()
        assert AgentAssignment.objects.filter(pk=assignment.pk).update(status="retired") == 0
        assert AgentAssignment.objects.filter(pk=assignment.pk).delete()[0] == 0
    with tenant_a.context():
        assert AgentAssignment.objects.get(pk=assignment.pk).status == "active"


def test_a_workspace_cannot_write_rows_into_another(tenant_a, tenant_b, agent):
    with tenant_b.context():
        with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
            AgentAssignment.objects.create(workspace=tenant_a.workspace, agent=agent)
    with tenant_a.context():
        assert AgentAssignment.objects.count() == 0


def test_one_active_assignment_per_agent_in_a_workspace(tenant_a, tenant_b, agent):
    with tenant_a.context():
        AgentAssignment.objects.create(agent=agent)
        AgentAssignment.objects.create(agent=agent, status="retired")
        with pytest.raises(IntegrityError), transaction.atomic():
            AgentAssignment.objects.create(agent=agent)
    with tenant_b.context():
        AgentAssignment.objects.create(agent=agent)  # another workspace: its own rule


def test_no_context_sees_no_rows_and_cannot_write(tenant_a, agent):
    with tenant_a.context():
        AgentAssignment.objects.create(agent=agent)
    assert AgentAssignment.objects.count() == 0
    with pytest.raises((ProgrammingError, IntegrityError)), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO agent_assignments (id, agent_id, created_at, updated_at) VALUES (gen_random_uuid(), %s, now(), now())", [agent.id])


def _campaign(tenant, name):
    from campaigns.models import Campaign

    with tenant.context():
        return Campaign.objects.create(name=name)


def test_an_assignment_cannot_point_at_another_workspaces_campaign(tenant_a, tenant_b, agent):
    foreign = _campaign(tenant_b, "Bravo summer launch")
    with tenant_a.context():
        with pytest.raises(IntegrityError, match="agent_assignments_campaign_id_same_ws_fk"), transaction.atomic():
            AgentAssignment.objects.create(agent=agent, campaign_id=foreign.id)
        assert AgentAssignment.objects.count() == 0


def test_one_active_assignment_per_agent_and_campaign(tenant_a, agent):
    launch = _campaign(tenant_a, "Spring launch")
    retention = _campaign(tenant_a, "Retention push")
    with tenant_a.context():
        AgentAssignment.objects.create(agent=agent)  # workspace-wide
        AgentAssignment.objects.create(agent=agent, campaign=launch)
        AgentAssignment.objects.create(agent=agent, campaign=retention)
        for campaign in (None, launch):
            with pytest.raises(IntegrityError, match="agent_assignments_one_active_uniq"), transaction.atomic():
                AgentAssignment.objects.create(agent=agent, campaign=campaign)
        AgentAssignment.objects.create(agent=agent, campaign=launch, status="paused")


def test_deleting_a_campaign_unlinks_its_assignments_and_retires_duplicates(tenant_a, agent):
    from campaigns.models import Campaign

    launch = _campaign(tenant_a, "Spring launch")
    other_agent = Agent.objects.get(slug="persona-researcher")
    with tenant_a.context():
        AgentAssignment.objects.create(agent=agent)
        duplicate = AgentAssignment.objects.create(agent=agent, campaign=launch)
        sole = AgentAssignment.objects.create(agent=other_agent, campaign=launch)
        # Raw SQL: the database's ON DELETE SET NULL, not Django's emulation.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM campaigns WHERE id = %s", [launch.id])
        duplicate.refresh_from_db()
        sole.refresh_from_db()
        assert (duplicate.campaign_id, duplicate.status) == (None, "retired")
        assert (sole.campaign_id, sole.status) == (None, "active")
        # And through the ORM.
        second = Campaign.objects.create(name="Second launch")
        again = AgentAssignment.objects.create(agent=agent, campaign=second)
        second.delete()
        again.refresh_from_db()
        assert (again.campaign_id, again.status) == (None, "retired")


def test_deleting_a_user_nulls_assigned_by_in_every_workspace(tenant_a, tenant_b, agent):
    from tests.factories import make_user

    helper = make_user()
    with tenant_a.context():
        a = AgentAssignment.objects.create(agent=agent, assigned_by=helper)
    with tenant_b.context():
        b = AgentAssignment.objects.create(agent=agent, assigned_by=helper)
    with tenant_a.context():
        # In workspace A's context, which cannot see B's assignment: the database's rule nulls it anyway.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM users WHERE id = %s", [helper.id])
        a.refresh_from_db()
        assert a.assigned_by_id is None
    with tenant_b.context():
        b.refresh_from_db()
        assert b.assigned_by_id is None
