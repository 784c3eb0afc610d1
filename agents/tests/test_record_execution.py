"""record_agent_execution: the log it appends to, the roll-up's bucket arithmetic and histogram, errors.

The function appends to agent_executions; agent_executions_roll_up() (here as
the web role inside the workspace: RLS limits it to that workspace's log)
moves the log into agent_performance. Readers see both through
agent_performance_live, before and after a roll-up alike.
"""

from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from agents import services
from agents.latency import BOUNDS, BUCKET_COUNT, bucket_index
from agents import selectors
from agents.models import Agent, AgentExecution, AgentPerformance, AgentPerformanceLive
from raptorflow.sql import SQLFunctionError

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):
    return Agent.objects.get(slug="seo-strategist")


def test_a_call_appends_to_the_log_and_returns_what_it_adds_to_its_bucket(tenant_a, agent):
    with tenant_a.context():
        row = services.record_agent_execution(agent=agent, success=False, duration_ms=77, tokens_used=5, error="boom")
        logged = AgentExecution.objects.get()
        assert AgentPerformance.objects.count() == 0  # not rolled up yet
    assert (logged.workspace_id, logged.agent_id, logged.success, logged.duration_ms, logged.error) == (tenant_a.id, agent.id, False, 77, "boom")
    assert row.pk is None and (row.executions, row.successes, row.failures) == (1, 0, 1)
    assert row.last_error == "boom" and row.latency_histogram[bucket_index(77)] == 1


def test_first_execution_creates_the_days_bucket(tenant_a, agent):
    with tenant_a.context():
        services.record_agent_execution(agent=agent, success=True, duration_ms=1234, tokens_used=800, cost_usd="0.0125")
        assert services.roll_up_agent_executions() == (1, 1, 0)
        row = AgentPerformance.objects.get()
        assert AgentExecution.objects.count() == 0  # moved, not copied
    assert row.workspace_id == tenant_a.id
    assert (row.executions, row.successes, row.failures) == (1, 1, 0)
    assert row.total_duration_ms == row.max_duration_ms == 1234
    assert row.total_tokens == 800 and row.total_cost_usd == Decimal("0.0125")
    assert row.day == timezone.now().astimezone(UTC).date()
    assert len(row.latency_histogram) == BUCKET_COUNT
    assert row.latency_histogram[bucket_index(1234)] == 1 and sum(row.latency_histogram) == 1


def test_later_executions_accumulate_in_the_same_bucket(tenant_a, agent):
    with tenant_a.context():
        services.record_agent_execution(agent=agent, success=True, duration_ms=100, tokens_used=10, cost_usd=1)
        services.record_agent_execution(agent=agent, success=False, duration_ms=900, error="rate limited by provider")
        services.roll_up_agent_executions()
        row = services.record_agent_execution(agent=agent.id, success=True, duration_ms=300, tokens_used=5, cost_usd="0.5")
        # Two in the bucket, one in the log: the live view has both rows, the roll-up merges them.
        live = sorted(AgentPerformanceLive.objects.values_list("executions", flat=True))
        assert live == [1, 2]
        assert services.roll_up_agent_executions() == (1, 1, 0)
        assert AgentPerformance.objects.count() == 1
        row = AgentPerformance.objects.get()
    assert (row.executions, row.successes, row.failures) == (3, 2, 1)
    assert (row.total_duration_ms, row.max_duration_ms) == (1300, 900)
    assert (row.total_tokens, row.total_cost_usd) == (15, Decimal("1.5"))
    assert row.last_error == "rate limited by provider" and row.last_error_at is not None
    assert sum(row.latency_histogram) == 3


def test_days_are_utc_buckets(tenant_a, agent):
    now = timezone.now()
    with tenant_a.context():
        services.record_agent_execution(agent=agent, success=True, duration_ms=5, executed_at=now - timedelta(days=2))
        services.record_agent_execution(agent=agent, success=True, duration_ms=5, executed_at=now)
        services.roll_up_agent_executions()
        days = sorted(AgentPerformance.objects.values_list("day", flat=True))
    assert days == [(now - timedelta(days=2)).astimezone(UTC).date(), now.astimezone(UTC).date()]


def test_bucket_boundaries_match_the_python_twin(tenant_a, agent):
    with connection.cursor() as cursor:
        cursor.execute("SELECT agent_latency_bucket_bounds()")
        assert tuple(cursor.fetchone()[0]) == BOUNDS
        # width_bucket puts a bound itself in the bucket it opens.
        cursor.execute("SELECT width_bucket(b, agent_latency_bucket_bounds()) FROM unnest(%s::int[]) b", [[0, 9, 10, 11, 655359, 655360, 10**9]])
        assert [r[0] - 1 for r in cursor.fetchall()] == [bucket_index(d) for d in (0, 9, 10, 11, 655359, 655360, 10**9)]


def test_last_error_is_the_latest_failure_by_execution_time(tenant_a, agent):
    now = timezone.now()
    with tenant_a.context():
        services.record_agent_execution(agent=agent, success=False, duration_ms=5, error="newer", executed_at=now)
        services.record_agent_execution(agent=agent, success=False, duration_ms=5, error="older", executed_at=now - timedelta(minutes=5))
        # In the log, in the live view and after the roll-up (once in one batch, once across two).
        assert selectors.daily_performance(workspace_id=tenant_a.id, agent=agent, since=now.date())[-1].last_error == "newer"
        services.roll_up_agent_executions()
        assert AgentPerformance.objects.get().last_error == "newer"
        services.record_agent_execution(agent=agent, success=False, duration_ms=5, error="oldest", executed_at=now - timedelta(minutes=9))
        assert selectors.daily_performance(workspace_id=tenant_a.id, agent=agent, since=now.date())[-1].last_error == "newer"
        services.roll_up_agent_executions()
        assert AgentPerformance.objects.get().last_error == "newer"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"duration_ms": -1}, "duration must be >= 0 ms, got -1"),
        ({"tokens_used": -5}, "tokens used must be >= 0, got -5"),
        ({"cost_usd": "-0.01"}, "cost must be >= 0 USD, got -0.01"),
        ({"executed_at": timezone.now() + timedelta(days=1)}, "is in the future"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(tenant_a, agent, kwargs, message):
    args = {"agent": agent, "success": True, "duration_ms": 10, **kwargs}
    with tenant_a.context():
        with pytest.raises(SQLFunctionError, match=message) as info:
            services.record_agent_execution(**args)
        assert info.value.sqlstate == "22023"
        assert AgentPerformance.objects.count() == 0 and AgentExecution.objects.count() == 0


def test_unknown_agent_is_refused(tenant_a):
    import uuid

    missing = uuid.uuid4()
    with tenant_a.context(), pytest.raises(SQLFunctionError, match=f"unknown agent {missing}"):
        services.record_agent_execution(agent=missing, success=True, duration_ms=10)


def test_inactive_agent_is_refused(tenant_a, owner_conn):
    owner_conn.execute("UPDATE agent_registry SET is_active = false WHERE slug = 'utm-builder'")
    try:
        agent = Agent.objects.get(slug="utm-builder")
        with tenant_a.context(), pytest.raises(SQLFunctionError, match=r"agent utm-builder \(.*\) is inactive"):
            services.record_agent_execution(agent=agent, success=True, duration_ms=10)
    finally:
        owner_conn.execute("UPDATE agent_registry SET is_active = true WHERE slug = 'utm-builder'")


def test_without_a_workspace_nothing_is_recorded(agent):
    with pytest.raises(SQLFunctionError, match="needs a workspace") as info:
        services.record_agent_execution(agent=agent, success=True, duration_ms=10)
    assert info.value.sqlstate == "55000"
    assert "workspace_context" in info.value.hint


def test_null_arguments_are_refused(tenant_a, agent):
    with tenant_a.context(), pytest.raises(SQLFunctionError, match="are required"):
        services.record_agent_execution(agent=agent, success=None, duration_ms=10)


def test_bulk_recording_goes_through_the_function(tenant_a, agent):
    now = timezone.now()
    with tenant_a.context():
        count = services.record_agent_executions(
            executions=[{"agent": agent, "success": i % 4 != 0, "duration_ms": 100 + i, "executed_at": now} for i in range(20)]
        )
        services.roll_up_agent_executions()
        row = AgentPerformance.objects.get()
    assert count == 20
    assert (row.executions, row.successes, row.failures) == (20, 15, 5)
    assert row.total_duration_ms == sum(100 + i for i in range(20))


@pytest.mark.parametrize("duration", [0, 9, 10, 11, 1234, 655359, 655360, 10**9])
def test_the_returned_row_counts_the_duration_in_its_bucket(tenant_a, agent, duration):
    with tenant_a.context():
        row = services.record_agent_execution(agent=agent, success=True, duration_ms=duration)
    expected = [0] * BUCKET_COUNT
    expected[bucket_index(duration)] = 1
    assert row.latency_histogram == expected
    assert (row.total_duration_ms, row.max_duration_ms, row.day) == (duration, duration, timezone.now().astimezone(UTC).date())
