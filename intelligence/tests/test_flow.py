"""Done when: a feed file is ingested, signals triaged and an insight published in the admin,
and another workspace sees none of it."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from intelligence.models import IntelligenceSignal, MarketInsight

pytestmark = pytest.mark.django_db


def test_feed_to_published_insight_stays_in_its_workspace(tenant_a, tenant_b, tmp_path, client_for):
    # 1. An upstream service drops a feed file; the command ingests it into A.
    lines = [
        {"source": "price_tracker", "signal_type": "competitor_pricing", "title": "Summit cuts tents 20%", "strength": 0.85},
        {"source": "price_tracker", "signal_type": "competitor_pricing", "title": "Summit cuts tents 20%", "strength": 0.7},
        {"source": "price_tracker", "signal_type": "competitor_pricing", "title": "Summit discounts sleeping bags", "strength": 0.6},
        {"source": "coupon_site", "signal_type": "social", "title": "Expired coupon listed", "strength": 0.1},
    ]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(line) for line in lines))
    call_command("ingest_signals", str(feed), "--workspace", tenant_a.workspace.slug, "--as-user", tenant_a.staff.email, stdout=StringIO())

    staff = client_for(tenant_a.staff, tenant_a.workspace)
    with tenant_a.context():
        ids = dict(IntelligenceSignal.objects.values_list("title", "id"))
    assert len(ids) == 3

    # 2. Staff triage: dismiss the noise, review the rest.
    staff.post("/admin/intelligence/intelligencesignal/", {"action": "mark_dismissed", "_selected_action": [ids["Expired coupon listed"]]})
    staff.post("/admin/intelligence/intelligencesignal/", {"action": "mark_reviewed", "_selected_action": [ids["Summit cuts tents 20%"], ids["Summit discounts sleeping bags"]]})

    # 3. Synthesize an insight from the two pricing signals, then publish it from its page.
    response = staff.post(
        "/admin/intelligence/intelligencesignal/",
        {
            "action": "synthesize_insight",
            "_selected_action": [ids["Summit cuts tents 20%"], ids["Summit discounts sleeping bags"]],
            "apply": "1", "title": "Summit Gear starts a price war", "summary": "Two cuts in a week", "category": "pricing",
        },
    )
    insight_url = response["Location"]
    assert re.fullmatch(r"/admin/intelligence/marketinsight/[0-9a-f-]+/change/", insight_url)
    staff.post(insight_url, {
        "title": "Summit Gear starts a price war", "summary": "Two cuts in a week", "category": "pricing",
        "impact": "high", "recommended_actions": '["Match on tents for loyalty members"]', "_publish": "1",
    })
    with tenant_a.context():
        insight = MarketInsight.objects.get()
        statuses = dict(IntelligenceSignal.objects.values_list("title", "status"))
    assert insight.status == "published" and insight.confidence > 0
    assert statuses == {
        "Summit cuts tents 20%": "actioned", "Summit discounts sleeping bags": "actioned", "Expired coupon listed": "dismissed",
    }

    # 4. Workspace B sees none of it, in the database or the admin.
    with tenant_b.context():
        assert IntelligenceSignal.objects.count() == 0 and MarketInsight.objects.count() == 0
    other = client_for(tenant_b.staff, tenant_b.workspace)
    for url in ("/admin/intelligence/intelligencesignal/", "/admin/intelligence/marketinsight/"):
        page = other.get(url).content.decode()
        assert "Summit" not in page
    assert other.get(insight_url).status_code == 302
