"""manage.py roll_up_agent_executions: the operators' way to move the log into the daily buckets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agents import services
from agents.models import Agent, AgentExecution, AgentPerformance
from conftest import owner_url

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_web_role_is_told_to_run_it_as_the_owner():
    with pytest.raises(CommandError, match="does not own agent_executions"):
        call_command("roll_up_agent_executions")


def test_as_the_owner_it_rolls_up_every_workspaces_log(committed_db, owner_conn):
    from tests.factories import make_tenant

    owner_conn.execute("SELECT agent_executions_roll_up()")  # what earlier committed tests left, if anything

    tenants = [make_tenant("Roll Up Cmd A"), make_tenant("Roll Up Cmd B")]
    agent = Agent.objects.get(slug="seo-strategist")
    for n, tenant in enumerate(tenants, start=1):
        with tenant.context():
            for _ in range(n):
                services.record_agent_execution(agent=agent, success=True, duration_ms=40)
    result = subprocess.run(
        [sys.executable, "manage.py", "roll_up_agent_executions"],
        cwd=REPO, env=dict(os.environ, DATABASE_URL=owner_url(), SECRET_KEY="roll-up"),
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "rolled up 3 executions into 2 daily buckets" in result.stdout
    for n, tenant in enumerate(tenants, start=1):
        with tenant.context():
            assert AgentExecution.objects.count() == 0
            assert AgentPerformance.objects.get(agent=agent).executions == n
