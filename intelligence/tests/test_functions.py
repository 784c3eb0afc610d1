"""The three procedures: dedupe, synthesis, expiry and their refusals."""

import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from intelligence import services
from intelligence.models import IntelligenceSignal, MarketInsight
from raptorflow.sql import SQLFunctionError
from raptorflow.tenancy import workspace_context

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- ingest

def test_a_repeated_fingerprint_adds_an_occurrence_and_keeps_the_strongest(tenant_a, ingest):
    first = ingest(tenant_a, strength=0.4, fingerprint="feed-1", payload={"competitor": "Summit", "a": 1})
    second = ingest(tenant_a, strength=0.9, fingerprint="feed-1", payload={"a": 2, "b": 3})
    third = ingest(tenant_a, strength=0.2, fingerprint="feed-1")
    assert second.pk == third.pk == first.pk
    assert third.occurrences == 3
    assert third.strength == Decimal("0.900")
    assert third.last_detected_at >= first.last_detected_at
    assert third.first_detected_at == first.first_detected_at
    assert third.payload == {"competitor": "Summit", "a": 2, "b": 3}
    with tenant_a.context():
        assert IntelligenceSignal.objects.count() == 1


def test_a_missing_fingerprint_is_derived_from_source_type_and_title(tenant_a, ingest):
    one = ingest(tenant_a, title="Summit  Gear cuts   tent prices", source="price_tracker")
    two = ingest(tenant_a, title=" summit gear CUTS tent prices ", source="price_tracker")
    other = ingest(tenant_a, title="Summit Gear cuts tent prices", source="news_api")
    assert one.pk == two.pk and two.occurrences == 2
    assert other.pk != one.pk
    expected = hashlib.sha256(b"price_tracker|competitor_pricing|summit gear cuts tent prices").hexdigest()
    assert one.fingerprint == expected
    assert one.title == "Summit Gear cuts tent prices"  # whitespace collapsed, first title kept


def test_reserved_payload_keys_become_columns(tenant_a, ingest):
    detected = timezone.now() - timedelta(days=3)
    signal = ingest(
        tenant_a,
        payload={
            "summary": "20% off", "url": "https://example.com/a", "sentiment": -0.25,
            "detected_at": detected.isoformat(), "expires_at": (detected + timedelta(days=10)).isoformat(),
            "competitor": "Summit",
        },
    )
    assert signal.summary == "20% off"
    assert signal.url == "https://example.com/a"
    assert signal.sentiment == Decimal("-0.250")
    assert abs(signal.first_detected_at - detected) < timedelta(seconds=1)
    assert abs(signal.expires_at - detected - timedelta(days=10)) < timedelta(seconds=1)
    assert signal.payload == {"competitor": "Summit"}


def test_a_dismissed_signal_stays_dismissed_when_it_comes_again(tenant_a, ingest):
    signal = ingest(tenant_a, fingerprint="x")
    with tenant_a.context():
        services.dismiss_signals(signal_ids=[signal.pk], by=tenant_a.staff)
    again = ingest(tenant_a, fingerprint="x")
    assert again.status == "dismissed" and again.occurrences == 2


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"source": " "}, "source is required"),
        ({"signal_type": "Competitor Pricing"}, "signal type must be an identifier"),
        ({"title": ""}, "title is required"),
        ({"title": "x" * 301}, "title is required (1 to 300 characters)"),
        ({"strength": 1.5}, "strength must be between 0 and 1, got 1.5"),
        ({"strength": -0.1}, "strength must be between 0 and 1"),
        ({"strength": None}, "strength must be between 0 and 1, got NULL"),
        ({"payload": [1, 2]}, "payload must be a JSON object, got a JSON array"),
        ({"payload": {"sentiment": 2}}, "sentiment must be a number between -1 and 1"),
        ({"payload": {"sentiment": "good"}}, "sentiment must be a number between -1 and 1"),
        ({"payload": {"detected_at": "yesterday-ish"}}, "detected_at must be a timestamp"),
        ({"payload": {"expires_at": "2000-01-01T00:00:00Z"}}, "must be later than the detection time"),
        ({"payload": {"url": "javascript:alert(1)"}}, "url must be an http(s) URL"),
        ({"fingerprint": "f" * 201}, "fingerprint must be at most 200 characters"),
    ],
)
def test_bad_input_is_refused_with_a_readable_message(tenant_a, ingest, kwargs, message):
    with pytest.raises(SQLFunctionError) as error:
        ingest(tenant_a, **kwargs)
    assert message in str(error.value)
    assert error.value.sqlstate == "22023"
    with tenant_a.context():
        assert IntelligenceSignal.objects.count() == 0


def test_nothing_can_be_ingested_without_a_workspace(tenant_a):
    with workspace_context(None, user_id=tenant_a.staff.id):
        with pytest.raises(SQLFunctionError, match="no workspace is set") as error:
            services.ingest_signal(source="s", signal_type="t", title="x")
    assert error.value.sqlstate == "42501"


# ---------------------------------------------------------------- synthesize

def test_synthesis_computes_confidence_and_marks_signals_actioned(tenant_a, ingest):
    strong = ingest(tenant_a, "Tents -20%", strength=0.8)
    ingest(tenant_a, "Tents -20%", strength=0.8)  # seen twice: counts 0.8 * 0.75
    weak = ingest(tenant_a, "Bags -15%", strength=0.4)  # once: counts 0.4 * 0.5
    with tenant_a.context():
        insight = services.synthesize_insight(
            title="Price war", summary="Two cuts", signal_ids=[strong.pk, weak.pk, weak.pk], category="pricing"
        )
        expected = round(1 - (1 - 0.8 * 0.75) * (1 - 0.4 * 0.5), 3)
        assert insight.confidence == Decimal(str(expected))  # 0.68
        assert insight.impact == "medium"
        assert insight.status == "draft" and insight.category == "pricing"
        assert sorted(insight.signal_ids) == sorted([strong.pk, weak.pk])
        assert insight.created_by_id == tenant_a.staff.id
        statuses = dict(IntelligenceSignal.objects.values_list("id", "status"))
        assert statuses == {strong.pk: "actioned", weak.pk: "actioned"}
        assert IntelligenceSignal.objects.get(pk=weak.pk).reviewed_by_id == tenant_a.staff.id


def test_confidence_never_reaches_certainty(tenant_a, ingest):
    ids = [ingest(tenant_a, f"Signal {n}", strength=1).pk for n in range(12)]
    with tenant_a.context():
        insight = services.synthesize_insight(title="Sure thing", summary="", signal_ids=ids)
    assert insight.confidence == Decimal("0.990") and insight.impact == "high"


def test_synthesis_refuses_another_workspaces_signals_and_says_how_many(tenant_a, tenant_b, ingest):
    mine = ingest(tenant_a, "Mine")
    theirs = [ingest(tenant_b, "Theirs 1").pk, ingest(tenant_b, "Theirs 2").pk]
    with tenant_a.context():
        with pytest.raises(SQLFunctionError) as error:
            services.synthesize_insight(title="Smuggled", summary="", signal_ids=[mine.pk, *theirs])
        assert str(error.value) == "2 of 3 signal ids were not found in this workspace"
        assert MarketInsight.objects.count() == 0
        assert IntelligenceSignal.objects.get(pk=mine.pk).status == "new"
    with tenant_b.context():
        assert set(IntelligenceSignal.objects.values_list("status", flat=True)) == {"new"}


def test_synthesis_refuses_unknown_ids_dismissed_signals_and_bad_input(tenant_a, ingest):
    import uuid

    signal = ingest(tenant_a)
    with tenant_a.context():
        with pytest.raises(SQLFunctionError, match="1 of 1 signal ids were not found"):
            services.synthesize_insight(title="T", summary="", signal_ids=[uuid.uuid4()])
        with pytest.raises(SQLFunctionError, match="at least one signal id"):
            services.synthesize_insight(title="T", summary="", signal_ids=[])
        with pytest.raises(SQLFunctionError, match="category must be one of general, competitor"):
            services.synthesize_insight(title="T", summary="", signal_ids=[signal.pk], category="gossip")
        with pytest.raises(SQLFunctionError, match="title is required"):
            services.synthesize_insight(title="  ", summary="", signal_ids=[signal.pk])
        services.dismiss_signals(signal_ids=[signal.pk], by=tenant_a.staff)
        with pytest.raises(SQLFunctionError, match="1 of the 1 signals are dismissed"):
            services.synthesize_insight(title="T", summary="", signal_ids=[signal.pk])
        assert MarketInsight.objects.count() == 0


# ---------------------------------------------------------------- expire

def test_expiry_deletes_expired_signals_except_actioned_ones(tenant_a, tenant_b, ingest):
    now = timezone.now()
    past = {"detected_at": (now - timedelta(days=10)).isoformat(), "expires_at": (now - timedelta(days=1)).isoformat()}
    expired = ingest(tenant_a, "Old news", payload=past)
    evidence = ingest(tenant_a, "Old but cited", payload=past)
    current = ingest(tenant_a, "Fresh", payload={"expires_at": (now + timedelta(days=5)).isoformat()})
    forever = ingest(tenant_a, "No expiry")
    elsewhere = ingest(tenant_b, "Old news elsewhere", payload=past)
    with tenant_a.context():
        services.synthesize_insight(title="Cited", summary="", signal_ids=[evidence.pk])
        assert services.expire_signals() == 1
        remaining = set(IntelligenceSignal.objects.values_list("id", flat=True))
        assert remaining == {evidence.pk, current.pk, forever.pk}
        assert expired.pk not in remaining
        # A later "now" reaches the fresh one too; running again finds nothing more.
        assert services.expire_signals(now=now + timedelta(days=6)) == 1
        assert services.expire_signals(now=now + timedelta(days=6)) == 0
    with tenant_b.context():
        assert IntelligenceSignal.objects.filter(pk=elsewhere.pk).exists()


def test_a_signal_seen_again_after_expiry_starts_afresh(tenant_a, ingest):
    now = timezone.now()
    past = {"detected_at": (now - timedelta(days=10)).isoformat(), "expires_at": (now - timedelta(days=1)).isoformat()}
    old = ingest(tenant_a, "Recurring", payload=past)
    ingest(tenant_a, "Recurring", payload=past)
    with tenant_a.context():
        assert services.expire_signals() == 1
    new = ingest(tenant_a, "Recurring")
    assert new.pk != old.pk and new.occurrences == 1 and new.status == "new"


def test_expiry_needs_a_workspace(tenant_a):
    with workspace_context(None, user_id=tenant_a.staff.id):
        with pytest.raises(SQLFunctionError, match="no workspace is set"):
            services.expire_signals()


def test_expiry_uses_the_partial_index(tenant_a, ingest):
    ingest(tenant_a, "x", payload={"expires_at": (timezone.now() + timedelta(days=1)).isoformat()})
    with tenant_a.context(), connection.cursor() as cursor:
        # Enough rows that never expire for the small partial index to be the cheap path.
        cursor.execute(
            "INSERT INTO intelligence_signals (source, signal_type, title, fingerprint) "
            "SELECT 'feed', 'trend', 'Signal ' || n, 'fp-' || n FROM generate_series(1, 5000) n"
        )
        cursor.execute(
            "EXPLAIN SELECT id FROM intelligence_signals WHERE workspace_id = %s AND expires_at IS NOT NULL "
            "AND expires_at <= now() AND NOT (status = 'actioned')",
            [tenant_a.id],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "intel_signals_ws_expiry_idx" in plan, plan
