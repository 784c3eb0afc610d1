"""Writes on market intelligence: the SQL procedures' wrappers and the triage steps.

Everything runs in the caller's workspace context (a request, or
``workspace_context`` in commands and jobs); the procedures raise a readable
:class:`raptorflow.sql.SQLFunctionError` on bad input.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from intelligence.models import IntelligenceSignal, MarketInsight
from raptorflow.models import User
from raptorflow.sql import call_returning, call_scalar


def ingest_signal(
    *,
    source: str,
    signal_type: str,
    title: str,
    payload: dict | None = None,
    strength: float | Decimal = 0.5,
    fingerprint: str | None = None,
) -> IntelligenceSignal:
    """Record a signal, or one more occurrence of it (``ingest_intelligence_signal``).

    Reserved ``payload`` keys become columns: summary, url, sentiment, detected_at, expires_at.
    """
    return call_returning(
        IntelligenceSignal,
        "ingest_intelligence_signal",
        source,
        signal_type,
        title,
        Jsonb(payload if payload is not None else {}),
        Decimal(str(strength)) if strength is not None else None,
        fingerprint,
    )


def synthesize_insight(
    *, title: str, summary: str, signal_ids: Iterable, category: str = MarketInsight.Category.GENERAL
) -> MarketInsight:
    """A draft insight from signals of the current workspace (``synthesize_market_insight``)."""
    return call_returning(
        MarketInsight, "synthesize_market_insight", title, summary, [str(i) for i in signal_ids], category
    )


def expire_signals(*, now: datetime | None = None) -> int:
    """Delete the workspace's expired, not actioned signals; returns how many."""
    if now is None:
        return call_scalar("expire_intelligence_signals")
    return call_scalar("expire_intelligence_signals", now)


# Triage: which statuses a signal may be moved to by hand, from which.
TRIAGEABLE = (IntelligenceSignal.Status.NEW, IntelligenceSignal.Status.REVIEWED, IntelligenceSignal.Status.DISMISSED)


@transaction.atomic
def triage_signals(*, signal_ids: Iterable, status: str, by: User | None) -> int:
    """Mark signals reviewed, dismissed or new again; returns how many changed.

    Actioned signals are evidence for an insight and keep their status.
    """
    if status not in TRIAGEABLE:
        raise ValueError(f"status must be one of {', '.join(TRIAGEABLE)}, got {status!r}")
    now = timezone.now()
    return (
        IntelligenceSignal.objects.filter(id__in=list(signal_ids), status__in=TRIAGEABLE)
        .exclude(status=status)
        .update(
            status=status,
            reviewed_by=by,
            # A signal back in "new" still records that someone looked at it.
            reviewed_at=now,
        )
    )


def review_signals(*, signal_ids: Iterable, by: User | None) -> int:
    return triage_signals(signal_ids=signal_ids, status=IntelligenceSignal.Status.REVIEWED, by=by)


def dismiss_signals(*, signal_ids: Iterable, by: User | None) -> int:
    return triage_signals(signal_ids=signal_ids, status=IntelligenceSignal.Status.DISMISSED, by=by)


@transaction.atomic
def publish_insights(*, insight_ids: Iterable, by: User | None) -> int:
    """Publish draft or archived insights; returns how many were published now (published ones stay as they are)."""
    now = timezone.now()
    return (
        MarketInsight.objects.filter(id__in=list(insight_ids))
        .exclude(status=MarketInsight.Status.PUBLISHED)
        .update(status=MarketInsight.Status.PUBLISHED, published_at=now, published_by=by)
    )


@transaction.atomic
def archive_insights(*, insight_ids: Iterable) -> int:
    """Archive insights (they keep their publication record); returns how many changed."""
    return (
        MarketInsight.objects.filter(id__in=list(insight_ids))
        .exclude(status=MarketInsight.Status.ARCHIVED)
        .update(status=MarketInsight.Status.ARCHIVED)
    )

