"""Demo signals and insights, fitting each demo workspace's business.

Idempotent: signals carry a fixed ``demo-...`` fingerprint and are ingested
(with their repeat occurrences) only when missing; triage and insights are
applied only to what this run created or is missing.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from intelligence import services
from intelligence.models import IntelligenceSignal, MarketInsight

# (key, source, signal_type, title, strength, days ago, occurrences, sentiment, payload)
ACME_SIGNALS = [
    ("summit-tents-price", "price_tracker", "competitor_pricing", "Summit Gear cuts 2-person tent prices by 20%", 0.85, 2, 4, None, {"competitor": "Summit Gear", "category": "tents", "change_pct": -20}),
    ("summit-sleeping-bags", "price_tracker", "competitor_pricing", "Summit Gear discounts down sleeping bags ahead of autumn", 0.6, 5, 2, None, {"competitor": "Summit Gear", "category": "sleeping-bags", "change_pct": -15}),
    ("trailhead-free-shipping", "competitor_watch", "competitor_move", "TrailHead Supply launches free next-day shipping in DE and AT", 0.75, 3, 1, None, {"competitor": "TrailHead Supply", "countries": ["DE", "AT"]}),
    ("trailhead-rental", "news_api", "competitor_move", "TrailHead Supply pilots a camping gear rental service", 0.55, 12, 1, None, {"competitor": "TrailHead Supply"}),
    ("trail-shoe-reviews", "trustpilot", "review", "Reviews praise grip of the Ridge trail shoe, complain about sizing", 0.5, 1, 6, 0.2, {"product": "Ridge trail shoe", "rating_avg": 3.9}),
    ("ridge-sizing-returns", "returns_system", "product_feedback", "Ridge trail shoe returns for 'runs small' up 35% month over month", 0.8, 4, 3, -0.6, {"product": "Ridge trail shoe", "return_reason": "too small"}),
    ("rain-jacket-leak", "support_tickets", "product_feedback", "Tickets report seam leaks on Storm rain jacket after washing", 0.7, 6, 5, -0.7, {"product": "Storm rain jacket"}),
    ("gravel-cycling-trend", "google_trends", "trend", "Searches for 'bikepacking bags' up 48% year over year in the EU", 0.65, 8, 1, None, {"query": "bikepacking bags", "yoy_pct": 48}),
    ("ultralight-trend", "google_trends", "trend", "Ultralight hiking searches peak earlier this spring", 0.45, 20, 1, None, {"query": "ultralight hiking"}),
    ("wild-camping-law", "news_api", "regulatory", "Bavaria tightens wild camping rules in national parks", 0.6, 15, 1, -0.3, {"region": "Bavaria"}),
    ("eu-pfas-ban", "news_api", "regulatory", "EU proposal restricts PFAS in outdoor apparel coatings from 2027", 0.9, 10, 2, -0.2, {"topic": "PFAS", "effective": "2027"}),
    ("tiktok-camp-cooking", "social_listening", "social", "Camp cooking videos drive spikes in compact stove interest", 0.55, 3, 3, 0.6, {"platform": "TikTok", "topic": "camp cooking"}),
    ("reddit-tent-thread", "social_listening", "social", "Reddit thread compares our Basecamp tent favourably to Summit Gear", 0.4, 7, 1, 0.7, {"platform": "Reddit", "product": "Basecamp tent"}),
    ("instagram-influencer", "social_listening", "social", "Alpine influencer features our merino base layers", 0.35, 9, 1, 0.8, {"platform": "Instagram", "product": "merino base layer"}),
    ("loyalty-churn", "crm", "customer_behaviour", "Loyalty members' repeat purchase rate down 6 points since spring", 0.7, 5, 1, -0.4, {"segment": "loyalty", "delta_points": -6}),
    ("weekend-campers-basket", "crm", "customer_behaviour", "Weekend campers' average basket up 12% with bundle offers", 0.6, 11, 1, 0.5, {"segment": "weekend campers", "basket_delta_pct": 12}),
    ("heatwave-forecast", "weather_feed", "seasonal", "Long-range forecast: warm, dry late summer in central Europe", 0.5, 2, 2, None, {"region": "central Europe"}),
    ("early-snow", "weather_feed", "seasonal", "Early snowfall predicted in the Alps for October", 0.4, 1, 1, None, {"region": "Alps"}),
    ("search-ads-cpc", "ads_console", "channel", "Cost per click on 'hiking boots' up 22% in Google Ads", 0.65, 4, 2, -0.3, {"keyword": "hiking boots", "cpc_delta_pct": 22}),
    ("email-open-rate", "email_platform", "channel", "Newsletter open rate recovers to 31% after sender domain change", 0.3, 14, 1, 0.4, {"open_rate": 0.31}),
    ("marketplace-fees", "news_api", "channel", "Major marketplace raises outdoor category commission to 15%", 0.55, 18, 1, -0.4, {"commission_pct": 15}),
    ("rei-style-coop", "news_api", "competitor_move", "A new outdoor co-op opens three stores in Austria", 0.45, 25, 1, None, {"country": "AT"}),
    ("stove-stockouts", "inventory", "supply", "Compact stoves out of stock at two suppliers", 0.6, 2, 2, None, {"product": "compact stove"}),
    ("merino-cost", "supplier_feed", "supply", "Merino wool input prices up 9% this quarter", 0.5, 16, 1, None, {"material": "merino", "delta_pct": 9}),
    ("kids-gear-demand", "site_search", "demand", "Site searches for kids' hiking boots doubled in four weeks", 0.55, 6, 2, None, {"query": "kids hiking boots"}),
    ("used-gear-interest", "site_search", "demand", "Searches for 'second hand tent' growing steadily", 0.35, 21, 1, None, {"query": "second hand tent"}),
    ("spam-coupon-site", "social_listening", "social", "Coupon site lists an expired 50% code for our store", 0.15, 8, 1, -0.1, {"platform": "coupon site"}),
    ("duplicate-news", "news_api", "competitor_move", "Summit Gear CEO interview rehashes last year's plans", 0.1, 13, 1, None, {"competitor": "Summit Gear"}),
    ("festival-season", "events_feed", "seasonal", "Festival season camping gear demand expected to start in June", 0.45, 26, 1, None, {"season": "festivals"}),
    ("b-corp-peer", "news_api", "competitor_move", "TrailHead Supply certified as a B Corp", 0.4, 27, 1, 0.2, {"competitor": "TrailHead Supply"}),
]
ACME_TRIAGE = {
    "reviewed": ["reddit-tent-thread", "instagram-influencer", "email-open-rate", "heatwave-forecast", "merino-cost"],
    "dismissed": ["spam-coupon-site", "duplicate-news", "b-corp-peer"],
}
ACME_INSIGHTS = [
    ("Summit Gear is starting a price war on tents and sleeping bags", "Two discounts in a week on our core camping range, ahead of the season.", "pricing",
     ["summit-tents-price", "summit-sleeping-bags"], ["Match the 2-person tent price for loyalty members only", "Bundle tents with stoves rather than discounting"], True),
    ("Ridge trail shoe sizing is costing us returns", "Reviews and returns agree: the Ridge runs small.", "product",
     ["trail-shoe-reviews", "ridge-sizing-returns"], ["Add a 'size up half a size' note to the product page", "Ask the supplier about the last"], True),
    ("PFAS restrictions will force a rain-wear range change", "The EU proposal and current leak complaints both point at our coatings.", "regulatory",
     ["eu-pfas-ban", "rain-jacket-leak"], ["Inventory PFAS-coated products", "Brief buying on PFAS-free suppliers"], False),
    ("Bikepacking is a growing niche for EU trail runners", "Search interest is rising and the Trail runners EU cohort overlaps.", "trend",
     ["gravel-cycling-trend", "kids-gear-demand"], ["Test a bikepacking bag collection"], False),
]

NORTHWIND_SIGNALS = [
    ("lumen-pricing", "competitor_watch", "competitor_pricing", "Lumen BI drops its per-seat price to $18 for teams under 50", 0.85, 3, 3, None, {"competitor": "Lumen BI", "price_usd": 18}),
    ("lumen-free-tier", "competitor_watch", "competitor_pricing", "Lumen BI launches a free tier with 3 dashboards", 0.7, 9, 2, None, {"competitor": "Lumen BI"}),
    ("quanta-ai-launch", "news_api", "competitor_move", "Quanta Analytics announces natural-language querying", 0.8, 4, 2, None, {"competitor": "Quanta Analytics", "feature": "NL query"}),
    ("quanta-funding", "news_api", "competitor_move", "Quanta Analytics raises a $60M Series C", 0.5, 20, 1, None, {"competitor": "Quanta Analytics", "amount_usd": 60000000}),
    ("g2-reviews-onboarding", "g2_reviews", "review", "G2 reviewers call our onboarding slow for non-technical users", 0.65, 2, 5, -0.5, {"rating_avg": 4.2, "theme": "onboarding"}),
    ("g2-reviews-connectors", "g2_reviews", "review", "Reviewers praise the breadth of warehouse connectors", 0.45, 8, 3, 0.7, {"theme": "connectors"}),
    ("trial-activation-drop", "product_analytics", "product_usage", "Trial activation (first dashboard in 3 days) down to 38%", 0.8, 1, 4, -0.4, {"metric": "activation", "value": 0.38}),
    ("week2-dropoff", "product_analytics", "product_usage", "Trial users in week 2 with under 3 dashboards churn at 71%", 0.75, 5, 2, -0.5, {"cohort": "Trial users week 2", "churn": 0.71}),
    ("dbt-integration-requests", "support_tickets", "product_feedback", "Repeated requests for a dbt Cloud integration", 0.6, 3, 6, None, {"integration": "dbt Cloud"}),
    ("export-bug", "support_tickets", "product_feedback", "PDF export times out on dashboards with more than 40 tiles", 0.55, 6, 3, -0.6, {"feature": "PDF export"}),
    ("cfo-survey", "analyst_reports", "trend", "Survey: 62% of mid-market CFOs plan to consolidate BI tools this year", 0.7, 12, 1, None, {"audience": "CFO", "share": 0.62}),
    ("ai-budget-shift", "analyst_reports", "trend", "Analysts see analytics budgets shifting to AI copilots", 0.6, 15, 1, None, {"topic": "AI copilots"}),
    ("semantic-layer-trend", "google_trends", "trend", "Searches for 'semantic layer' up 80% year over year", 0.5, 10, 1, None, {"query": "semantic layer", "yoy_pct": 80}),
    ("eu-ai-act", "news_api", "regulatory", "EU AI Act transparency duties reach analytics assistants", 0.55, 18, 1, -0.1, {"topic": "EU AI Act"}),
    ("soc2-requests", "sales_crm", "customer_behaviour", "Enterprise deals ask for SOC 2 Type II reports earlier in the cycle", 0.6, 7, 4, None, {"stage": "evaluation"}),
    ("mid-market-win-rate", "sales_crm", "customer_behaviour", "Mid-market win rate against Lumen BI falls to 34%", 0.75, 4, 1, -0.5, {"competitor": "Lumen BI", "win_rate": 0.34}),
    ("expansion-revenue", "billing", "customer_behaviour", "Net revenue retention steady at 118% among data engineering teams", 0.4, 14, 1, 0.5, {"nrr": 1.18}),
    ("linkedin-cfo-post", "social_listening", "social", "A CFO's LinkedIn post on dashboard sprawl gets 4k reactions", 0.45, 6, 1, 0.1, {"platform": "LinkedIn"}),
    ("hn-thread", "social_listening", "social", "Hacker News thread compares warehouse-native BI tools, we are mentioned", 0.4, 9, 1, 0.3, {"platform": "Hacker News"}),
    ("podcast-mention", "social_listening", "social", "Data engineering podcast recommends our dbt docs", 0.3, 22, 1, 0.6, {"platform": "podcast"}),
    ("webinar-signups", "marketing_automation", "channel", "Webinar sign-ups from CFO audience up 40% with finance case studies", 0.55, 5, 1, 0.5, {"audience": "CFO"}),
    ("paid-search-cpc", "ads_console", "channel", "CPC for 'BI tool' keywords up 30% as Quanta bids aggressively", 0.6, 3, 2, -0.3, {"keyword": "BI tool", "cpc_delta_pct": 30}),
    ("content-seo", "search_console", "channel", "Guide on 'cohort analysis in SQL' ranks #2 and drives trials", 0.5, 11, 1, 0.6, {"page": "/guides/cohort-analysis-sql"}),
    ("partner-snowflake", "partner_feed", "partnership", "Snowflake marketplace listing approved", 0.5, 16, 1, 0.5, {"partner": "Snowflake"}),
    ("hiring-competitor", "jobs_feed", "competitor_move", "Lumen BI hiring 12 enterprise account executives in EMEA", 0.45, 13, 1, None, {"competitor": "Lumen BI", "region": "EMEA"}),
    ("status-incident", "status_page", "product_feedback", "Two customers cite last month's outage in renewal calls", 0.5, 19, 1, -0.6, {"topic": "reliability"}),
    ("spam-review", "g2_reviews", "review", "Suspicious one-star review from a non-customer", 0.1, 10, 1, -0.9, {"theme": "spam"}),
    ("old-rumour", "news_api", "competitor_move", "Rumour that Quanta will be acquired resurfaces", 0.15, 24, 1, None, {"competitor": "Quanta Analytics"}),
    ("gartner-mention", "analyst_reports", "trend", "Named in an analyst note on warehouse-native BI", 0.45, 25, 1, 0.4, {"topic": "warehouse-native BI"}),
    ("pricing-page-visits", "web_analytics", "demand", "Pricing page visits from companies with 200+ employees up 25%", 0.5, 2, 2, None, {"segment": "mid-market"}),
]
NORTHWIND_TRIAGE = {
    "reviewed": ["podcast-mention", "hn-thread", "partner-snowflake", "expansion-revenue", "gartner-mention"],
    "dismissed": ["spam-review", "old-rumour"],
}
NORTHWIND_INSIGHTS = [
    ("Lumen BI is undercutting us in the mid-market", "A cheaper seat price, a free tier and a falling win rate against them.", "competitor",
     ["lumen-pricing", "lumen-free-tier", "mid-market-win-rate"], ["Package a mid-market plan with consolidation savings for CFOs", "Arm sales with a Lumen comparison sheet"], True),
    ("Trial onboarding loses non-technical users in week 2", "Activation is down and the week-2 cohort churns; reviews name onboarding.", "product",
     ["trial-activation-drop", "week2-dropoff", "g2-reviews-onboarding"], ["Add a guided first dashboard", "Trigger a CSM email on day 8"], True),
    ("CFOs are consolidating BI tools: lead with finance outcomes", "Survey and webinar data show CFO demand for fewer tools.", "audience",
     ["cfo-survey", "webinar-signups", "linkedin-cfo-post"], ["Launch a CFO consolidation campaign"], False),
    ("A dbt Cloud integration would defend our data engineering base", "Requests keep coming and NRR there is our best.", "product",
     ["dbt-integration-requests", "semantic-layer-trend"], ["Scope a dbt Cloud connector"], False),
]

GENERIC_SIGNALS = [
    (f"generic-{n:02d}", source, kind, title, strength, days, repeats, sentiment, {})
    for n, (source, kind, title, strength, days, repeats, sentiment) in enumerate(
        [
            ("competitor_watch", "competitor_pricing", "Main competitor lowers entry plan price by 15%", 0.8, 2, 3, None),
            ("competitor_watch", "competitor_move", "Main competitor launches a partner programme", 0.5, 9, 1, None),
            ("reviews", "review", "Customers praise support response times", 0.45, 4, 4, 0.7),
            ("reviews", "review", "Customers find the mobile experience clumsy", 0.6, 3, 5, -0.5),
            ("support_tickets", "product_feedback", "Repeated requests for a CSV export", 0.55, 6, 3, None),
            ("google_trends", "trend", "Category search interest up 20% year over year", 0.5, 12, 1, None),
            ("news_api", "regulatory", "New privacy guidance on marketing consent", 0.6, 15, 1, -0.2),
            ("ads_console", "channel", "Paid search costs up 18% this month", 0.55, 5, 2, -0.3),
            ("social_listening", "social", "Positive mentions after the spring launch", 0.4, 8, 2, 0.6),
            ("crm", "customer_behaviour", "Repeat purchase rate slipping among older customers", 0.65, 7, 1, -0.4),
        ]
    )
]
GENERIC_TRIAGE = {"reviewed": ["generic-08"], "dismissed": []}
GENERIC_INSIGHTS = [
    ("Competitor pricing pressure on the entry plan", "The main competitor cut prices as mobile complaints grow.", "pricing",
     ["generic-00", "generic-03"], ["Review entry plan pricing"], True),
    ("Customers want exports and a better mobile experience", "Support and reviews point at the same gaps.", "product",
     ["generic-04", "generic-03"], ["Prioritise CSV export"], False),
]

CONTENT = {
    "acme-outdoor": (ACME_SIGNALS, ACME_TRIAGE, ACME_INSIGHTS),
    "northwind-analytics": (NORTHWIND_SIGNALS, NORTHWIND_TRIAGE, NORTHWIND_INSIGHTS),
}


def fingerprint(key: str) -> str:
    return f"demo-{key}"


def seed(*, workspace, people, stdout):
    signals, triage, insights = CONTENT.get(workspace.slug, (GENERIC_SIGNALS, GENERIC_TRIAGE, GENERIC_INSIGHTS))
    now = timezone.now()
    existing = set(
        IntelligenceSignal.objects.filter(workspace=workspace, fingerprint__startswith="demo-").values_list("fingerprint", flat=True)
    )
    created = set()
    for key, source, kind, title, strength, days_ago, occurrences, sentiment, payload in signals:
        if fingerprint(key) in existing:
            continue
        for repeat in range(occurrences):
            detected = now - timedelta(days=days_ago, hours=(occurrences - 1 - repeat) * 7)
            extra = {"detected_at": detected.isoformat(), "expires_at": (detected + timedelta(days=90)).isoformat()}
            if sentiment is not None:
                extra["sentiment"] = sentiment
            services.ingest_signal(
                source=source,
                signal_type=kind,
                title=title,
                payload={**payload, **extra},
                # Later occurrences come in a little weaker: the strongest is kept.
                strength=round(strength - 0.05 * min(repeat, 2), 3) if repeat else strength,
                fingerprint=fingerprint(key),
            )
        created.add(key)

    by_key = dict(
        IntelligenceSignal.objects.filter(workspace=workspace, fingerprint__startswith="demo-").values_list("fingerprint", "id")
    )
    for status, keys in triage.items():
        ids = [by_key[fingerprint(k)] for k in keys if k in created]
        services.triage_signals(signal_ids=ids, status=status, by=people["admin"])

    made = 0
    titles = set(MarketInsight.objects.filter(workspace=workspace).values_list("title", flat=True))
    for title, summary, category, keys, actions, publish in insights:
        if title in titles or not all(fingerprint(k) in by_key for k in keys):
            continue
        insight = services.synthesize_insight(
            title=title, summary=summary, signal_ids=[by_key[fingerprint(k)] for k in keys], category=category
        )
        insight.recommended_actions = actions
        insight.valid_until = now + timedelta(days=60)
        insight.save(update_fields=["recommended_actions", "valid_until"])
        if publish:
            services.publish_insights(insight_ids=[insight.pk], by=people["admin"])
        made += 1
    stdout.write(f"  intelligence: {len(created)} signals and {made} insights added to {workspace.slug}")
