"""Demo data: agent assignments and 30 days of performance for one workspace.

Runs inside the workspace's context (seed_demo). Executions go through
record_agent_execution (in bulk: one statement, one call per execution), about
2,400 per workspace. Idempotent: assignments are found before being created,
and performance is only recorded when the workspace has none yet (recording
again would add to the counters).
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from agents import services
from agents.models import Agent, AgentAssignment, AgentPerformanceLive

DAYS = 30

# slug: (role, daily executions (min, max), median ms, spread, failure rate, tokens per run, USD per 1k tokens)
# The story against the default thresholds (success rate 90%, p95 5,000 ms): the
# council and the lords plan in 1.5 to 2.5 s and rarely fail; three agents are
# flagged, each for a reason one can see in its row.
PROFILES = {
    "council-conductor": ("lead", (3, 7), 2200, 0.25, 0.02, 6000, "0.0300"),
    "strategy-lord": ("lead", (3, 6), 1900, 0.25, 0.02, 4500, "0.0090"),
    "brand-lord": ("lead", (3, 6), 1700, 0.25, 0.01, 4000, "0.0090"),
    "growth-lord": ("lead", (3, 7), 1800, 0.25, 0.02, 4200, "0.0090"),
    "content-lord": ("lead", (3, 7), 1700, 0.25, 0.01, 3800, "0.0090"),
    "analytics-lord": ("lead", (3, 6), 2100, 0.25, 0.02, 5000, "0.0090"),
    "customer-lord": ("lead", (2, 5), 1600, 0.25, 0.01, 3500, "0.0090"),
    "operations-lord": ("lead", (2, 5), 1500, 0.25, 0.01, 3000, "0.0090"),
    # Slow on purpose: long articles put its p95 (about 12 s) over AGENT_MAX_P95_MS.
    "long-form-writer": ("support", (3, 8), 6500, 0.35, 0.02, 7000, "0.0090"),
    "social-media-producer": ("support", (5, 12), 1200, 0.30, 0.02, 1500, "0.0090"),
    # Slow on purpose: it crawls the competitors' pages live on every run (p95 about 7 s).
    "seo-strategist": ("support", (3, 7), 4000, 0.30, 0.02, 2500, "0.0090"),
    # Flaky on purpose: a rate-limited ads API fails about one run in five.
    "bid-adjuster": ("support", (8, 16), 900, 0.30, 0.20, 600, "0.0010"),
    "keyword-researcher": ("support", (6, 14), 800, 0.30, 0.02, 900, "0.0010"),
    "sentiment-tagger": ("support", (8, 18), 400, 0.30, 0.01, 300, "0.0010"),
    "report-summarizer": ("reviewer", (3, 6), 1400, 0.25, 0.01, 2000, "0.0010"),
}
ERRORS = [
    "provider rate limit (429) after 3 retries",
    "output failed schema validation: missing 'result'",
    "context window exceeded (input 212k tokens)",
]
# What the flaky agent's failures say, on its performance page ("Last error").
AGENT_ERRORS = {
    "bid-adjuster": ["ads API rate limit (429) after 3 retries", "tool call timed out: ads_reporting_api"],
}


def seed(*, workspace, people, stdout):
    agents = {a.slug: a for a in Agent.objects.filter(slug__in=PROFILES)}
    _assignments(workspace, people, agents)
    # Rolled up or still in the log: agent_performance_live has both.
    if AgentPerformanceLive.objects.filter(workspace_id=workspace.id).exists():
        stdout.write(f"  agents: performance of {workspace.name} already recorded, left as is")
        return
    count = services.record_agent_executions(executions=_executions(workspace, agents))
    # Into the daily buckets at once (this workspace's log only: RLS), rather than at the next roll-up.
    services.roll_up_agent_executions()
    stdout.write(f"  agents: recorded {count} executions over {DAYS} days for {workspace.name}")


def _assignments(workspace, people, agents):
    campaign = _first_campaign(workspace)
    wanted = [(slug, profile[0], None) for slug, profile in PROFILES.items()]
    if campaign is not None:
        wanted += [("long-form-writer", "lead", campaign), ("social-media-producer", "support", campaign)]
    for slug, role, on_campaign in wanted:
        agent = agents[slug]
        if AgentAssignment.objects.filter(workspace_id=workspace.id, agent=agent, campaign=on_campaign).exists():
            continue
        AgentAssignment.objects.create(
            workspace=workspace,
            agent=agent,
            campaign=on_campaign,
            role=role,
            assigned_by=people["admin"],
            config_overrides={"temperature": 0.2} if agent.tier == "lord" else {},
        )


def _first_campaign(workspace):
    try:
        from campaigns.models import Campaign
    except ImportError:  # pragma: no cover - campaigns is installed with agents
        return None
    return Campaign.objects.filter(workspace_id=workspace.id).order_by("name").first()


def _executions(workspace, agents):
    rng = random.Random(f"agents-demo-{workspace.slug}")
    now = timezone.now()
    rows = []
    for slug, (_, (low, high), median, spread, failure_rate, tokens, usd_per_1k) in PROFILES.items():
        agent = agents[slug]
        for days_ago in range(DAYS):
            day_start = (now - timedelta(days=days_ago)).replace(hour=0, minute=0, second=0, microsecond=0)
            weekend = day_start.weekday() >= 5
            for _ in range(rng.randint(low, high) // (2 if weekend else 1)):
                executed_at = day_start + timedelta(seconds=rng.randint(6 * 3600, 22 * 3600))
                if executed_at > now:  # today: spread over the hours so far
                    executed_at = day_start + (now - day_start) * rng.random()
                failed = rng.random() < failure_rate
                used = max(50, int(rng.gauss(tokens, tokens * 0.25)))
                rows.append(
                    {
                        "agent": agent,
                        "success": not failed,
                        "duration_ms": max(5, int(rng.lognormvariate(0, spread) * median)),
                        "tokens_used": used,
                        "cost_usd": (Decimal(used) * Decimal(usd_per_1k) / 1000).quantize(Decimal("0.000001")),
                        "error": rng.choice(AGENT_ERRORS.get(slug, ERRORS)) if failed else None,
                        "executed_at": executed_at,
                    }
                )
    return rows
