"""Row-level security keeps each workspace's signals and insights to itself."""

import pytest
from django.db import ProgrammingError, connection, transaction

from intelligence import services
from intelligence.models import IntelligenceSignal, MarketInsight
from raptorflow.tenancy import workspace_context

pytestmark = pytest.mark.django_db


def test_each_workspace_sees_only_its_own_signals_and_insights(tenant_a, tenant_b, ingest):
    a = ingest(tenant_a, "Alpha signal")
    ingest(tenant_b, "Bravo signal")
    with tenant_a.context():
        services.synthesize_insight(title="Alpha insight", summary="", signal_ids=[a.pk])
    with tenant_b.context():
        assert list(IntelligenceSignal.objects.values_list("title", flat=True)) == ["Bravo signal"]
        assert MarketInsight.objects.count() == 0
        assert IntelligenceSignal.objects.filter(pk=a.pk).update(status="dismissed") == 0
        assert IntelligenceSignal.objects.filter(pk=a.pk).delete()[0] == 0
    with workspace_context(None, user_id=tenant_a.staff.id):
        assert IntelligenceSignal.objects.count() == 0 and MarketInsight.objects.count() == 0


def test_the_same_fingerprint_in_two_workspaces_makes_two_independent_signals(tenant_a, tenant_b, ingest):
    a = ingest(tenant_a, fingerprint="shared-feed-id")
    b = ingest(tenant_b, fingerprint="shared-feed-id")
    assert a.pk != b.pk and a.occurrences == b.occurrences == 1
    assert ingest(tenant_a, fingerprint="shared-feed-id").occurrences == 2
    with tenant_b.context():
        assert IntelligenceSignal.objects.get().occurrences == 1


def test_a_workspace_cannot_write_a_signal_into_another(tenant_a, tenant_b):
    with tenant_a.context():
        with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
            IntelligenceSignal.objects.create(
                workspace=tenant_b.workspace, source="s", signal_type="t", title="smuggled", fingerprint="x"
            )
        with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO market_insights (workspace_id, title) VALUES (%s, 'smuggled')", [tenant_b.id]
                )
    with tenant_b.context():
        assert IntelligenceSignal.objects.count() == 0 and MarketInsight.objects.count() == 0


def test_published_insight_of_one_workspace_stays_invisible_to_another(tenant_a, tenant_b, ingest):
    signal = ingest(tenant_a)
    with tenant_a.context():
        insight = services.synthesize_insight(title="Alpha only", summary="", signal_ids=[signal.pk])
        assert services.publish_insights(insight_ids=[insight.pk], by=tenant_a.staff) == 1
    with tenant_b.context():
        assert services.publish_insights(insight_ids=[insight.pk], by=tenant_b.staff) == 0
        assert not MarketInsight.objects.filter(status="published").exists()
