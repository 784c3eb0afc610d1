"""Reads shared by the admin list, the per-agent performance page and tests.

Everything here filters on an explicit workspace id (RLS would anyway) so the
queries stay on the workspace-leading indexes.

They read ``agent_performance_live`` (:class:`~agents.models.AgentPerformanceLive`):
the rolled-up daily buckets plus the execution log not rolled up yet, in one
statement, so the totals are exact whether or not the roll-up has run. A
(workspace, agent, day) may have two rows there; everything sums them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, timedelta
from decimal import Decimal

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, FilteredRelation, Max, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from agents import latency
from agents.models import Agent, AgentPerformanceLive

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30


class HistogramSum(models.Aggregate):
    """Element-wise sum of latency histograms, NULL over no histogram: one built-in ``sum`` per bucket.

    ``CASE WHEN count(h) = 0 THEN NULL ELSE ARRAY[coalesce(sum(h[1]), 0), ...,
    coalesce(sum(h[66]), 0)]::integer[] END`` gives what the SQL aggregate
    ``agent_histogram_sum(h)`` gives (every histogram has the 66 buckets: the
    table's CHECK), but with PostgreSQL's own integer sums instead of a
    PL/pgSQL state function called once per row, which builds a new array
    each time. Merging 2,190 daily histograms (73 agents over 30 days, the
    registry's totals in a large workspace): 5 ms against 28 to 31 ms
    (issue 19, docs/performance-agents.md). ``agent_histogram_sum`` stays in
    the schema for SQL callers.
    """

    name = "HistogramSum"
    output_field = ArrayField(models.IntegerField())

    def as_sql(self, compiler, connection, **extra_context):
        histogram, params = compiler.compile(self.get_source_expressions()[0])
        sums = ", ".join(f"coalesce(sum(({histogram})[{i}]), 0)" for i in range(1, latency.BUCKET_COUNT + 1))
        sql = f"CASE WHEN count({histogram}) = 0 THEN NULL ELSE ARRAY[{sums}]::integer[] END"
        return sql, tuple(params) * (latency.BUCKET_COUNT + 1)


class LatencyPercentile(models.Func):
    """SQL ``agent_latency_percentile(histogram, fraction, max_ms)``."""

    function = "agent_latency_percentile"
    output_field = models.IntegerField()

    def __init__(self, histogram, fraction, max_ms, **extra):
        super().__init__(histogram, Value(Decimal(str(fraction))), max_ms, **extra)


def period_start(days: int, today: date | None = None) -> date:
    """First UTC day of a period of ``days`` days ending today (inclusive)."""
    today = today or timezone.now().astimezone(UTC).date()
    return today - timedelta(days=days - 1)


def parse_period(value) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def registry_with_totals(*, workspace_id, since: date, queryset=None):
    """Agents annotated with this workspace's totals since ``since``: ONE grouped query.

    Annotations: executions, successes, failures, tokens, cost, max_ms,
    success_rate (NULL without executions), p50_ms, p95_ms.
    """
    queryset = Agent.objects.all() if queryset is None else queryset
    in_period = FilteredRelation(
        "live_performance", condition=Q(live_performance__workspace_id=workspace_id, live_performance__day__gte=since)
    )
    return (
        queryset.annotate(in_period=in_period)
        .annotate(
            executions=Coalesce(Sum("in_period__executions"), 0),
            successes=Coalesce(Sum("in_period__successes"), 0),
            failures=Coalesce(Sum("in_period__failures"), 0),
            tokens=Coalesce(Sum("in_period__total_tokens"), Value(0, output_field=models.BigIntegerField())),
            cost=Coalesce(Sum("in_period__total_cost_usd"), Value(Decimal("0"), output_field=models.DecimalField())),
            max_ms=Max("in_period__max_duration_ms"),
            histogram=HistogramSum("in_period__latency_histogram"),
        )
        .annotate(
            success_rate=Cast(F("successes"), models.FloatField()) / NullIf(Cast(F("executions"), models.FloatField()), 0.0),
            p50_ms=LatencyPercentile(F("histogram"), 0.5, F("max_ms")),
            p95_ms=LatencyPercentile(F("histogram"), 0.95, F("max_ms")),
        )
    )


@dataclass
class Day:
    """One UTC day of an agent in a workspace: its bucket and its executions not rolled up yet, summed."""

    day: date
    executions: int
    successes: int
    failures: int
    total_duration_ms: int
    max_duration_ms: int
    latency_histogram: list
    total_tokens: int
    total_cost_usd: Decimal
    last_error: str | None
    last_executed_at: object
    p50_ms: int | None
    p95_ms: int | None

    @property
    def success_rate(self):
        return self.successes / self.executions if self.executions else None


def daily_performance(*, workspace_id, agent, since: date) -> list[Day]:
    """The agent's days in the period, oldest first, with each day's p50/p95: ONE grouped query."""
    rows = (
        AgentPerformanceLive.objects.filter(workspace_id=workspace_id, agent=agent, day__gte=since)
        .values("day")
        .annotate(
            sum_executions=Sum("executions"),
            sum_successes=Sum("successes"),
            sum_failures=Sum("failures"),
            sum_duration_ms=Sum("total_duration_ms"),
            top_duration_ms=Max("max_duration_ms"),
            histogram=HistogramSum("latency_histogram"),
            sum_tokens=Sum("total_tokens"),
            sum_cost_usd=Sum("total_cost_usd"),
            # The latest failure of the day, from the bucket or the log.
            errors=ArrayAgg("last_error", filter=Q(last_error__isnull=False), order_by=F("last_error_at").desc()),
            last_at=Max("last_executed_at"),
        )
        .annotate(
            p50_ms=LatencyPercentile(F("histogram"), 0.5, F("top_duration_ms")),
            p95_ms=LatencyPercentile(F("histogram"), 0.95, F("top_duration_ms")),
        )
        .order_by("day")
    )
    return [
        Day(
            day=r["day"],
            executions=r["sum_executions"],
            successes=r["sum_successes"],
            failures=r["sum_failures"],
            total_duration_ms=r["sum_duration_ms"],
            max_duration_ms=r["top_duration_ms"],
            latency_histogram=r["histogram"],
            total_tokens=r["sum_tokens"],
            total_cost_usd=r["sum_cost_usd"],
            last_error=(r["errors"] or [None])[0],
            last_executed_at=r["last_at"],
            p50_ms=r["p50_ms"],
            p95_ms=r["p95_ms"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Verdict:
    underperforming: bool
    reasons: tuple[str, ...]


def judge(*, executions, success_rate, p95_ms, min_success_rate: float, max_p95_ms: int) -> Verdict:
    """Underperforming: any executions and a success rate below, or a p95 above, the thresholds."""
    reasons = []
    if executions:
        if success_rate is not None and success_rate < min_success_rate:
            reasons.append(f"success rate {success_rate:.1%} below {min_success_rate:.0%}")
        if p95_ms is not None and p95_ms > max_p95_ms:
            reasons.append(f"p95 {p95_ms:,} ms above {max_p95_ms:,} ms")
    return Verdict(bool(reasons), tuple(reasons))
