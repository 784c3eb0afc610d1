"""Admin changelists and the marketer campaign list through Django's test client, as the web role.

Run by the bench command in a subprocess whose DATABASE_URL names the bench
database as the RLS-bound web role: ``python -m tools.bench.web '<json>'``. Prints
one JSON line: per page and page size, p50/p95 latency and the SQL query count.
"""

from __future__ import annotations

import json
import os
import sys
import time

from tools.stats import latency_summary

PAGE_SIZES = (20, 100)


def run(config: dict) -> list[dict]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raptorflow.settings")
    django.setup()
    from django.contrib import admin
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import campaigns.views
    from agents.models import Agent
    from raptorflow.models import User

    staff = User.objects.get(email=config["staff_email"])
    marketer = User.objects.get(email=config["marketer_email"])
    agent = Agent.objects.filter(is_active=True).order_by("slug").first()

    staff_client, marketer_client = Client(), Client()
    staff_client.force_login(staff)
    marketer_client.force_login(marketer)

    def admin_size(model_path):
        app_label, model_name = model_path.split(".")
        model = django.apps.apps.get_model(app_label, model_name)
        model_admin = admin.site._registry[model]

        def set_size(n):
            model_admin.list_per_page = n

        return set_size

    def campaign_size(n):
        campaigns.views.PAGE_SIZE = n

    pages = [
        ("admin: system alerts", staff_client, "/admin/alerts/systemalert/", admin_size("alerts.SystemAlert")),
        ("admin: agent registry (totals)", staff_client, "/admin/agents/agent/", admin_size("agents.Agent")),
        ("admin: agent performance page", staff_client, f"/admin/agents/agent/{agent.pk}/performance/?period=30", None),
        ("admin: intelligence signals", staff_client, "/admin/intelligence/intelligencesignal/", admin_size("intelligence.IntelligenceSignal")),
        ("admin: achievements", staff_client, "/admin/gamification/achievement/", admin_size("gamification.Achievement")),
        ("admin: campaigns", staff_client, "/admin/campaigns/campaign/", admin_size("campaigns.Campaign")),
        ("admin: campaign quests", staff_client, "/admin/campaigns/campaignquest/", admin_size("campaigns.CampaignQuest")),
        ("marketer: campaign list", marketer_client, "/campaigns/", campaign_size),
    ]
    results = []
    for name, client, url, set_size in pages:
        for size in PAGE_SIZES if set_size else (None,):
            if set_size:
                set_size(size)
            for _ in range(2):
                client.get(url)
            times = []
            for _ in range(config["repeat"]):
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise SystemExit(f"bench: {url} answered {response.status_code}")
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            results.append({
                "page": name, "url": url, "page_size": size, "queries": len(queries),
                **latency_summary(times),
                "slowest_sql": sorted(((float(q["time"]) * 1000, q["sql"][:300]) for q in queries.captured_queries), reverse=True)[:2],
            })
    return results


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.argv[1]))))
