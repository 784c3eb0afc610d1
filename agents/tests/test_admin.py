"""Staff review agents in the admin: totals, filters, the performance page and its chart, assignments inline."""

import random
import re
from datetime import UTC, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agents import latency, services
from agents.models import Agent, AgentAssignment

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/agents/agent/"


def perf_url(agent, period=30):
    return reverse("admin:agents_agent_performance", args=[agent.pk]) + f"?period={period}"


def record(tenant, agent, executions):
    with tenant.context():
        services.record_agent_executions(executions=[{"agent": agent, **e} for e in executions])


def text_of(html, element_id):
    match = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert match, element_id
    return match.group(1).strip()


@pytest.fixture
def staff_a(tenant_a, client_for):
    return client_for(tenant_a.staff, tenant_a.workspace)


def test_registry_list_shows_this_workspaces_totals_only(tenant_a, tenant_b, staff_a):
    agent = Agent.objects.get(slug="growth-lord")
    now = timezone.now()
    record(tenant_a, agent, [{"success": True, "duration_ms": 100, "tokens_used": 1000, "cost_usd": "0.25", "executed_at": now}] * 4)
    record(tenant_b, agent, [{"success": False, "duration_ms": 100, "executed_at": now}] * 9)
    response = staff_a.get(CHANGELIST, {"tier": "lord"})
    assert response.status_code == 200
    html = response.content.decode()
    row = re.search(r"Lord of Growth.*?</tr>", html, re.S).group(0)
    assert ">4<" in row and "100.0%" in row and "4,000" in row and "$1.00" in row
    assert ">9<" not in row and ">13<" not in row
    assert "Totals for Alpha Apparel over the last 30 days" in html


def test_registry_list_runs_a_constant_number_of_queries(tenant_a, staff_a):
    now = timezone.now()
    agents = list(Agent.objects.order_by("slug")[:3])
    for agent in agents:
        record(tenant_a, agent, [{"success": True, "duration_ms": 50, "executed_at": now}])
    with CaptureQueriesContext(connection) as few:
        assert staff_a.get(CHANGELIST).status_code == 200
    for agent in Agent.objects.order_by("slug")[3:40]:
        record(tenant_a, agent, [{"success": True, "duration_ms": 50, "executed_at": now}])
    with CaptureQueriesContext(connection) as many:
        assert staff_a.get(CHANGELIST).status_code == 200
    assert len(many) == len(few)
    totals = [q["sql"] for q in many.captured_queries if "agent_latency_percentile" in q["sql"]]
    assert len(totals) == 1  # the page's rows with every total: ONE grouped query (plus the paginator's count)
    assert "GROUP BY" in totals[0]


def test_filters_by_tier_domain_and_period(tenant_a, staff_a):
    agent = Agent.objects.get(slug="keyword-researcher")
    now = timezone.now()
    record(tenant_a, agent, [{"success": True, "duration_ms": 10, "executed_at": now - timedelta(days=20)}] * 3)
    record(tenant_a, agent, [{"success": True, "duration_ms": 10, "executed_at": now}] * 2)
    html = staff_a.get(CHANGELIST, {"tier": "worker", "domain": "growth", "period": 30}).content.decode()
    assert len(re.findall(r'<tr>\s*<td class="field-name_link">', html)) == 5  # the growth workers
    assert "Lord of Growth" not in html and "Keyword Researcher" in html
    row = lambda html: re.search(r"Keyword Researcher.*?</tr>", html, re.S).group(0)  # noqa: E731
    assert 'field-executions_col">5<' in row(html)
    html7 = staff_a.get(CHANGELIST, {"tier": "worker", "domain": "growth", "period": 7}).content.decode()
    assert 'field-executions_col">2<' in row(html7)


def test_underperformers_are_flagged_and_filterable(tenant_a, staff_a):
    flaky = Agent.objects.get(slug="review-miner")
    slow = Agent.objects.get(slug="tam-calculator")
    fine = Agent.objects.get(slug="swot-drafter")
    now = timezone.now()
    record(tenant_a, flaky, [{"success": i % 2 == 0, "duration_ms": 100, "executed_at": now} for i in range(10)])
    record(tenant_a, slow, [{"success": True, "duration_ms": settings.AGENT_MAX_P95_MS * 3, "executed_at": now}] * 10)
    record(tenant_a, fine, [{"success": True, "duration_ms": 100, "executed_at": now}] * 10)
    html = staff_a.get(CHANGELIST, {"underperforming": "yes"}).content.decode()
    assert "Review Miner" in html and "TAM Calculator" in html and "SWOT Drafter" not in html
    assert html.count("⚠ underperforming") == 2
    assert "success rate 50.0% below" in html and "p95 15,000 ms above 5,000 ms" in html


def test_a_performance_address_that_is_no_uuid_is_a_404_not_a_500(staff_a):
    for bad in ("widgets.css", "not-a-uuid", "1"):
        assert staff_a.get(f"/admin/agents/agent/{bad}/performance/").status_code == 404, bad


def test_performance_page_draws_the_daily_chart(tenant_a, staff_a):
    agent = Agent.objects.get(slug="long-form-writer")
    now = timezone.now()
    record(tenant_a, agent, [{"success": True, "duration_ms": 2000, "executed_at": now - timedelta(days=d)} for d in (0, 1, 1, 5)])
    for period in (7, 30, 90):
        response = staff_a.get(perf_url(agent, period))
        assert response.status_code == 200
        html = response.content.decode()
        svg = re.search(r"<svg class=\"rf-agent-chart\".*?</svg>", html, re.S).group(0)
        assert svg.count('class="rf-bar"') == period  # one bar per day of the period
        assert "<polyline" in svg and 'class="rf-threshold"' in svg
        assert "Executions</text>" in svg and "Success rate</text>" in svg
        assert 'class="rf-xlabel"' in svg
    # The tallest bar is yesterday's (2 executions), drawn to the axis maximum's share.
    assert re.search(r"<title>\d{4}-\d\d-\d\d: 2 executions, 100.0% success</title>", html)


def test_done_when_the_page_numbers_equal_those_recomputed_from_the_executions(tenant_a, tenant_b, staff_a):
    agent = Agent.objects.get(slug="experiment-analyst")
    rng = random.Random(7)
    now = timezone.now()
    executions = []
    for day in range(30):
        for _ in range(rng.randint(0, 12)):
            executions.append(
                {
                    "success": rng.random() > 0.15,
                    "duration_ms": int(rng.lognormvariate(7.5, 0.7)),
                    "tokens_used": rng.randint(200, 4000),
                    "cost_usd": Decimal(rng.randint(10, 900)) / 10000,
                    "executed_at": now - timedelta(days=day, minutes=rng.randint(0, 600)),
                }
            )
    record(tenant_a, agent, executions)
    record(tenant_b, agent, [{"success": False, "duration_ms": 99_999, "executed_at": now}] * 5)  # must not count
    html = staff_a.get(perf_url(agent, 90)).content.decode()

    durations = [e["duration_ms"] for e in executions]
    successes = sum(e["success"] for e in executions)
    assert text_of(html, "total-executions") == str(len(executions))
    assert text_of(html, "total-successes") == str(successes)
    assert text_of(html, "total-failures") == str(len(executions) - successes)
    assert text_of(html, "total-success-rate") == f"{successes / len(executions):.1%}"
    assert text_of(html, "total-tokens") == str(sum(e["tokens_used"] for e in executions))
    assert text_of(html, "total-cost") == f"{sum(e['cost_usd'] for e in executions):.4f}"
    assert text_of(html, "total-max") == f"{max(durations)} ms"
    histogram = latency.histogram_of(durations)
    for element, fraction in (("total-p50", 0.5), ("total-p95", 0.95)):
        shown = int(text_of(html, element).removesuffix(" ms"))
        assert shown == latency.percentile(histogram, fraction, max(durations))
        true = sorted(durations)[-(-len(durations) * int(fraction * 100) // 100) - 1]
        assert abs(shown - true) <= latency.MAX_RELATIVE_WIDTH * true + 1
    # The chart's bars carry each day's count.
    svg = re.search(r"<svg class=\"rf-agent-chart\".*?</svg>", html, re.S).group(0)
    per_day = {}
    for e in executions:
        day = e["executed_at"].astimezone(UTC).date()
        per_day[day] = per_day.get(day, 0) + 1
    for day, count in per_day.items():
        assert f"<title>{day.isoformat()}: {count:,} executions," in svg


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.data = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") in ("hidden", "number"):
            self.data[attrs["name"]] = attrs.get("value") or ""


def change_form_data(client, agent):
    parser = _Inputs()
    parser.feed(client.get(reverse("admin:agents_agent_change", args=[agent.pk])).content.decode())
    return parser.data


def test_assignments_are_managed_inline_for_this_workspace_only(tenant_a, tenant_b, staff_a):
    agent = Agent.objects.get(slug="brand-voice-guardian")
    with tenant_b.context():
        AgentAssignment.objects.create(agent=agent, notes="bravo-only note")
    page = staff_a.get(reverse("admin:agents_agent_change", args=[agent.pk])).content.decode()
    assert "bravo-only note" not in page
    data = change_form_data(staff_a, agent)
    assert data["assignments-TOTAL_FORMS"] == "0"
    data.update(
        {
            "assignments-TOTAL_FORMS": "1",
            "assignments-0-role": "lead",
            "assignments-0-status": "active",
            "assignments-0-config_overrides": '{"temperature": 0.1}',
            "assignments-0-notes": "owns the voice",
            "assignments-0-campaign": "",
            "assignments-0-agent": str(agent.pk),
        }
    )
    response = staff_a.post(reverse("admin:agents_agent_change", args=[agent.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    with tenant_a.context():
        made = AgentAssignment.objects.get(agent=agent)
    assert (made.workspace_id, made.assigned_by_id, made.config_overrides) == (tenant_a.id, tenant_a.staff.id, {"temperature": 0.1})
    # A second active workspace-wide assignment: a form error, not a 500.
    data = change_form_data(staff_a, agent)
    data.update(
        {
            "assignments-TOTAL_FORMS": "2",
            "assignments-0-role": "lead", "assignments-0-status": "active", "assignments-0-config_overrides": "{}",
            "assignments-1-role": "support", "assignments-1-status": "active", "assignments-1-config_overrides": "{}",
            "assignments-1-agent": str(agent.pk),
        }
    )
    response = staff_a.post(reverse("admin:agents_agent_change", args=[agent.pk]), data)
    assert response.status_code == 200
    assert "already has an active assignment for the whole workspace" in response.content.decode()
    with tenant_a.context():
        assert AgentAssignment.objects.filter(agent=agent).count() == 1


def test_registry_is_read_only_in_the_admin(tenant_a, staff_a):
    agent = Agent.objects.get(slug="council-conductor")
    page = staff_a.get(reverse("admin:agents_agent_change", args=[agent.pk])).content.decode()
    assert 'name="name"' not in page and 'name="is_active"' not in page
    assert staff_a.get("/admin/agents/agent/add/").status_code == 403
    assert staff_a.get(reverse("admin:agents_agent_delete", args=[agent.pk])).status_code == 403
    # Posting field values changes nothing (the fields are not in the form).
    data = change_form_data(staff_a, agent)
    data.update({"name": "Hijacked", "is_active": ""})
    assert staff_a.post(reverse("admin:agents_agent_change", args=[agent.pk]), data).status_code == 302
    agent.refresh_from_db()
    assert agent.name == "Council Conductor" and agent.is_active


def test_marketers_cannot_open_the_agents_admin(tenant_a, client_for):
    agent = Agent.objects.get(slug="council-conductor")
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    assert client.get(CHANGELIST).status_code == 302
    assert client.get(perf_url(agent)).status_code == 302


def test_standalone_assignment_admin_refuses_a_second_active_one(tenant_a, staff_a):
    agent = Agent.objects.get(slug="seo-strategist")
    with tenant_a.context():
        AgentAssignment.objects.create(agent=agent)
    response = staff_a.post(
        "/admin/agents/agentassignment/add/",
        {"agent": agent.pk, "campaign": "", "role": "support", "status": "active", "config_overrides": "{}", "notes": ""},
    )
    assert response.status_code == 200
    assert "already has an active assignment for the whole workspace" in response.content.decode()


def test_demo_seed_is_idempotent_and_goes_through_the_procedure(tenant_a):
    import io

    from agents import demo
    from agents.models import AgentPerformance

    people = {"admin": tenant_a.staff}
    with tenant_a.context():
        demo.seed(workspace=tenant_a.workspace, people=people, stdout=io.StringIO())
        first = (AgentAssignment.objects.count(), list(AgentPerformance.objects.order_by("id").values_list("id", "executions")))
        out = io.StringIO()
        demo.seed(workspace=tenant_a.workspace, people=people, stdout=out)
        second = (AgentAssignment.objects.count(), list(AgentPerformance.objects.order_by("id").values_list("id", "executions")))
        total = sum(e for _, e in first[1])
        days = AgentPerformance.objects.values("day").distinct().count()
        flaky = AgentPerformance.objects.filter(agent__slug="bid-adjuster")
        failures = sum(flaky.values_list("failures", flat=True))
        runs = sum(flaky.values_list("executions", flat=True))
    assert first == second and "already recorded" in out.getvalue()
    assert first[0] == len(demo.PROFILES)
    assert 1000 <= total <= 3000 and days == demo.DAYS
    assert 0.1 < failures / runs < 0.3


def test_superuser_without_a_workspace_sees_the_registry_without_totals(tenant_a, client_for):
    from tests.factories import make_user

    root = make_user(is_staff=True, is_superuser=True)
    record(tenant_a, Agent.objects.get(slug="growth-lord"), [{"success": True, "duration_ms": 5}])
    client = client_for(root)
    html = client.get(CHANGELIST, {"tier": "lord"}).content.decode()
    assert "Lord of Growth" in html
    assert 'field-executions_col">1<' not in html
    agent = Agent.objects.get(slug="growth-lord")
    page = client.get(perf_url(agent)).content.decode()
    assert text_of(page, "total-executions") == "0"


def test_chart_axis_ticks_are_whole_numbers_that_match_their_position():
    import re
    from datetime import date, timedelta

    from agents.charts import DayPoint, daily_chart_svg

    points = [DayPoint(day=date(2026, 11, 1) + timedelta(days=i), executions=n, success_rate=1.0) for i, n in enumerate([5, 3, 1])]
    svg = str(daily_chart_svg(points))
    ticks = [int(t.replace(",", "")) for t in re.findall(r'class="rf-tick-left"[^>]*>([\d,]+)<', svg)]
    # Evenly spaced values from 0, the top one covering the largest bar (no 1.25 shown as "1").
    assert ticks[0] == 0 and ticks[-1] >= 5
    assert len({b - a for a, b in zip(ticks, ticks[1:])}) == 1


def test_the_agents_pages_of_before_the_rename_redirect_to_their_new_address(tenant_a, staff_a):
    agent = Agent.objects.get(slug="growth-lord")
    old = staff_a.get(f"/admin/agents/agentregistry/{agent.pk}/performance/", {"period": 7})
    assert old.status_code == 301
    assert old["Location"] == f"/admin/agents/agent/{agent.pk}/performance/?period=7"
    assert staff_a.get("/admin/agents/agentregistry/", follow=True).redirect_chain == [("/admin/agents/agent/", 301)]
    assert staff_a.get(old["Location"]).status_code == 200
