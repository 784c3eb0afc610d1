"""Staff triage signals and publish insights in the admin, one workspace at a time."""

import pytest

from intelligence import services
from intelligence.models import IntelligenceSignal, MarketInsight

pytestmark = pytest.mark.django_db

SIGNALS = "/admin/intelligence/intelligencesignal/"
INSIGHTS = "/admin/intelligence/marketinsight/"


def _action(client, url, action, ids, **extra):
    return client.post(url, {"action": action, "_selected_action": [str(i) for i in ids], **extra})


def test_triage_list_shows_the_current_workspaces_signals_with_their_columns(tenant_a, tenant_b, ingest, client_for):
    ingest(tenant_a, "Alpha tent cut", source="price_tracker", strength=0.75)
    ingest(tenant_a, "Alpha tent cut", source="price_tracker")
    ingest(tenant_b, "Bravo soda launch")
    page = client_for(tenant_a.staff, tenant_a.workspace).get(SIGNALS).content.decode()
    assert "Alpha tent cut" in page and "Bravo soda launch" not in page
    for column in ("Source", "Type", "Strength", "Occurrences", "Status", "Last detected"):
        assert column in page
    assert "0.750" in page and "price_tracker" in page


def test_triage_list_filters_and_searches(tenant_a, ingest, client_for):
    kept = ingest(tenant_a, "Tents cheaper at Summit", signal_type="competitor_pricing")
    ingest(tenant_a, "Bikepacking trend", signal_type="trend")
    client = client_for(tenant_a.staff, tenant_a.workspace)
    with tenant_a.context():
        services.dismiss_signals(signal_ids=[kept.pk], by=tenant_a.staff)
    by_status = client.get(SIGNALS, {"status__exact": "new"}).content.decode()
    assert "Bikepacking trend" in by_status and "Tents cheaper" not in by_status
    by_type = client.get(SIGNALS, {"signal_type": "competitor_pricing"}).content.decode()
    assert "Tents cheaper" in by_type and "Bikepacking" not in by_type
    searched = client.get(SIGNALS, {"q": "bikepacking"}).content.decode()
    assert "Bikepacking trend" in searched and "Tents cheaper" not in searched
    recent = client.get(SIGNALS, {"detected": "7"}).content.decode()
    assert "Bikepacking trend" in recent


def test_review_and_dismiss_actions_record_who_and_leave_actioned_signals_alone(tenant_a, ingest, client_for):
    one, two, cited = ingest(tenant_a, "One"), ingest(tenant_a, "Two"), ingest(tenant_a, "Cited")
    with tenant_a.context():
        services.synthesize_insight(title="Uses cited", summary="", signal_ids=[cited.pk])
    client = client_for(tenant_a.staff, tenant_a.workspace)

    response = _action(client, SIGNALS, "mark_reviewed", [one.pk])
    assert response.status_code == 302
    response = client.post(
        SIGNALS, {"action": "mark_dismissed", "_selected_action": [str(two.pk), str(cited.pk)]}, follow=True
    )
    page = response.content.decode()
    assert "1 signal dismissed." in page
    assert "1 signal left as it was" in page
    with tenant_a.context():
        rows = {s.title: s for s in IntelligenceSignal.objects.all()}
    assert rows["One"].status == "reviewed" and rows["One"].reviewed_by_id == tenant_a.staff.id
    assert rows["One"].reviewed_at is not None
    assert rows["Two"].status == "dismissed"
    assert rows["Cited"].status == "actioned"


def test_signals_cannot_be_added_or_edited_by_hand(tenant_a, ingest, client_for):
    signal = ingest(tenant_a, "Feed only")
    client = client_for(tenant_a.staff, tenant_a.workspace)
    assert client.get(SIGNALS + "add/").status_code == 403
    page = client.get(f"{SIGNALS}{signal.pk}/change/").content.decode()
    assert "Feed only" in page and 'name="title"' not in page


def test_synthesize_action_asks_for_a_title_then_creates_a_draft_insight(tenant_a, ingest, client_for):
    a, b = ingest(tenant_a, "Tents -20%", strength=0.8), ingest(tenant_a, "Bags -15%", strength=0.6)
    client = client_for(tenant_a.staff, tenant_a.workspace)

    # Step 1: the action shows the intermediate page listing the chosen signals.
    page = _action(client, SIGNALS, "synthesize_insight", [a.pk, b.pk]).content.decode()
    assert "Synthesize an insight" in page and "Tents -20%" in page and "Bags -15%" in page

    # Step 2: confirming with a title creates the draft and opens it.
    response = _action(
        client, SIGNALS, "synthesize_insight", [a.pk, b.pk],
        apply="1", title="Price war", summary="Two cuts", category="pricing",
    )
    with tenant_a.context():
        insight = MarketInsight.objects.get()
        statuses = set(IntelligenceSignal.objects.values_list("status", flat=True))
    assert response.status_code == 302 and response["Location"] == f"{INSIGHTS}{insight.pk}/change/"
    assert insight.status == "draft" and insight.category == "pricing"
    assert statuses == {"actioned"}


def test_synthesize_action_shows_the_procedures_refusal_on_the_form(tenant_a, ingest, client_for):
    signal = ingest(tenant_a, "Noise")
    with tenant_a.context():
        services.dismiss_signals(signal_ids=[signal.pk], by=tenant_a.staff)
    client = client_for(tenant_a.staff, tenant_a.workspace)
    response = _action(client, SIGNALS, "synthesize_insight", [signal.pk], apply="1", title="T", summary="", category="general")
    assert response.status_code == 200
    assert "1 of the 1 signals are dismissed" in response.content.decode()


def test_insight_page_lists_contributing_signals_read_only_and_publishes(tenant_a, ingest, client_for):
    a, b = ingest(tenant_a, "Evidence one"), ingest(tenant_a, "Evidence two")
    with tenant_a.context():
        insight = services.synthesize_insight(title="Draft", summary="", signal_ids=[a.pk, b.pk])
    client = client_for(tenant_a.staff, tenant_a.workspace)
    url = f"{INSIGHTS}{insight.pk}/change/"
    page = client.get(url).content.decode()
    assert "Evidence one" in page and "Evidence two" in page
    assert f"{SIGNALS}{a.pk}/change/" in page
    assert 'name="signal_ids"' not in page and 'name="confidence"' not in page
    assert "Save and publish" in page

    form = {
        "title": "Edited title", "summary": "Now with detail", "category": "pricing", "impact": "critical",
        "recommended_actions": '["Match the price"]', "valid_until_0": "", "valid_until_1": "", "_publish": "1",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    with tenant_a.context():
        insight.refresh_from_db()
    assert insight.title == "Edited title" and insight.impact == "critical"
    assert insight.recommended_actions == ["Match the price"]
    assert insight.status == "published" and insight.published_by_id == tenant_a.staff.id


def test_recommended_actions_must_be_a_list(tenant_a, ingest, client_for):
    signal = ingest(tenant_a)
    with tenant_a.context():
        insight = services.synthesize_insight(title="Draft", summary="", signal_ids=[signal.pk])
    response = client_for(tenant_a.staff, tenant_a.workspace).post(
        f"{INSIGHTS}{insight.pk}/change/",
        {"title": "Draft", "summary": "", "category": "general", "impact": "low", "recommended_actions": '{"a": 1}'},
    )
    assert response.status_code == 200
    assert "Recommended actions must be a JSON list" in response.content.decode()


def test_publish_and_archive_actions(tenant_a, ingest, client_for):
    signal = ingest(tenant_a)
    with tenant_a.context():
        first = services.synthesize_insight(title="First", summary="", signal_ids=[signal.pk])
        second = services.synthesize_insight(title="Second", summary="", signal_ids=[signal.pk])
    client = client_for(tenant_a.staff, tenant_a.workspace)
    page = client.post(
        INSIGHTS, {"action": "publish", "_selected_action": [str(first.pk), str(second.pk)]}, follow=True
    ).content.decode()
    assert "2 insights published." in page
    _action(client, INSIGHTS, "archive", [second.pk])
    with tenant_a.context():
        assert dict(MarketInsight.objects.values_list("title", "status")) == {"First": "published", "Second": "archived"}
        assert MarketInsight.objects.get(pk=second.pk).published_at is not None


def test_another_workspaces_insight_is_not_found_and_cannot_be_published(tenant_a, tenant_b, ingest, client_for):
    signal = ingest(tenant_b)
    with tenant_b.context():
        theirs = services.synthesize_insight(title="Bravo insight", summary="", signal_ids=[signal.pk])
    client = client_for(tenant_a.staff, tenant_a.workspace)
    assert client.get(f"{INSIGHTS}{theirs.pk}/change/").status_code == 302
    assert client.get(f"{SIGNALS}{signal.pk}/change/").status_code == 302
    _action(client, INSIGHTS, "publish", [theirs.pk])
    _action(client, SIGNALS, "mark_dismissed", [signal.pk])
    with tenant_b.context():
        assert MarketInsight.objects.get().status == "draft"
        assert IntelligenceSignal.objects.get().status == "actioned"


def test_marketers_cannot_reach_intelligence_admin(tenant_a, client_for):
    response = client_for(tenant_a.marketer, tenant_a.workspace).get(SIGNALS)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_signal_list_never_counts_or_scans_the_whole_workspace(tenant_a, ingest, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(3):
        ingest(tenant_a, f"Signal {n}", signal_type=["trend", "review", "trend"][n])
    client = client_for(tenant_a.staff, tenant_a.workspace)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(SIGNALS).content.decode()
    sql = [q["sql"] for q in queries.captured_queries if "intelligence_signals" in q["sql"]]
    counts = [s for s in sql if "COUNT(" in s.upper()]
    assert counts and all("LIMIT 10001" in s for s in counts), counts
    assert not any("SELECT DISTINCT" in s for s in sql)
    # The type filter still lists the workspace's types (through the skip scan).
    assert "?signal_type=review" in page and "?signal_type=trend" in page
