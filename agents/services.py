"""Writes of the agents app that call SQL functions.

``record_agent_execution`` is the one way executions are counted: the SQL
function appends the execution to the log (``agent_executions``), which
``agent_executions_roll_up()`` (``manage.py roll_up_agent_executions``) moves
into the daily buckets; readers see both (``agent_performance_live``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from agents.models import Agent, AgentPerformance
from raptorflow.sql import SQLFunctionError, _translate


def _agent_id(agent):
    return agent.pk if isinstance(agent, Agent) else agent


def record_agent_execution(
    *,
    agent: Agent | str,
    success: bool,
    duration_ms: int,
    tokens_used: int = 0,
    cost_usd: Decimal | float | int = 0,
    error: str | None = None,
    executed_at: datetime | None = None,
) -> AgentPerformance:
    """Record one execution of ``agent`` (an instance or its id) in the current workspace.

    Returns what this execution adds to its day's bucket (an unsaved
    :class:`AgentPerformance` with ``executions`` 1 and no id), not the
    bucket's totals: read those from ``agents.selectors``. Raises
    :class:`raptorflow.sql.SQLFunctionError` with the function's message for bad input (negative values, unknown or
    inactive agent, no workspace context).
    """
    args = [_agent_id(agent), success, duration_ms, tokens_used, Decimal(str(cost_usd)), error, executed_at or timezone.now()]
    try:
        with transaction.atomic():
            # Not call_returning: the row has no id (it is not stored as a row), which it reads as "no row".
            rows = list(AgentPerformance.objects.raw("SELECT * FROM record_agent_execution(%s, %s, %s, %s, %s, %s, %s)", args))
    except DatabaseError as exc:
        raise _translate(exc) from exc
    return rows[0]


def record_agent_executions(*, executions) -> int:
    """Record many executions in one statement (each still through the SQL function).

    ``executions``: iterable of dicts with the keyword arguments of
    :func:`record_agent_execution`. For backfills and the demo data: one round
    trip instead of one per execution. Returns the number recorded.
    """
    rows = list(executions)
    if not rows:
        return 0
    now = timezone.now()
    columns = (
        [str(_agent_id(r["agent"])) for r in rows],
        [r["success"] for r in rows],
        [r["duration_ms"] for r in rows],
        [r.get("tokens_used", 0) for r in rows],
        [Decimal(str(r.get("cost_usd", 0))) for r in rows],
        [r.get("error") for r in rows],
        [r.get("executed_at") or now for r in rows],
    )
    sql = """
        SELECT count(record_agent_execution(a, s, d, t, c, e, x))
        FROM unnest(%s::uuid[], %s::boolean[], %s::integer[], %s::integer[], %s::numeric[], %s::text[], %s::timestamptz[])
             WITH ORDINALITY AS u(a, s, d, t, c, e, x, n)
    """
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, columns)
            return cursor.fetchone()[0]
    except DatabaseError as exc:
        raise _translate(exc) from exc


def roll_up_agent_executions() -> tuple[int, int, int]:
    """``agent_executions_roll_up()``: move the log into the daily buckets, in one statement.

    Returns (executions moved, daily buckets written, executions dropped
    because their workspace was deleted). As the schema owner it rolls up
    every workspace (``manage.py roll_up_agent_executions``); as the web role,
    row-level security limits it to the current workspace's log.
    """
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT executions, buckets, dropped FROM agent_executions_roll_up()")
            return tuple(cursor.fetchone())
    except DatabaseError as exc:
        raise _translate(exc) from exc


__all__ = ["SQLFunctionError", "record_agent_execution", "record_agent_executions", "roll_up_agent_executions"]
