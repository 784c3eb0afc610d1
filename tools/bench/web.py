"""Admin changelists and the marketer campaign list through Django's test client, as the web role.

Run by the bench command in a subprocess whose DATABASE_URL names the bench
database as the RLS-bound web role: ``python -m tools.bench.web '<json>'``. Prints
one JSON line: per page, page size and workspace (the large one and the small
one, see tools/bench/load.py), p50/p95 latency and the SQL query count.

Flat pages (issue 19): every page is measured in the large workspace and in the
small one in the same run, their timed requests alternating (large, small,
large, ...) so that the machine's load weighs on both alike; the report gives
the large/small ratio of p50 and whether the query counts are the same.
"""

from __future__ import annotations

import json
import os
import sys
import time

from tools.stats import latency_summary

PAGE_SIZES = (20, 100)
WORKSPACES = ("large", "small")


def users(sizes) -> dict:
    """The signed-in users of each measured workspace: its admin (staff) and its marketer (tools/bench/load.py)."""
    from tools.bench.load import small_workspace, user_index

    return {
        ws: {"staff_email": f"u{user_index(w, 'admin')}@bench.example",
             "marketer_email": f"u{user_index(w, 'marketer')}@bench.example"}
        for ws, w in (("large", 1), ("small", small_workspace(sizes)))
    }


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

    agent = Agent.objects.filter(is_active=True).order_by("slug").first()

    def signed_in(email):
        client = Client()
        client.force_login(User.objects.get(email=email))
        return client

    # config["workspaces"]: {"large": {"staff_email", "marketer_email"}, "small": {...}}
    clients = {
        ws: {"staff": signed_in(users["staff_email"]), "marketer": signed_in(users["marketer_email"])}
        for ws, users in config["workspaces"].items()
    }

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
        ("admin: system alerts", "staff", "/admin/alerts/systemalert/", admin_size("alerts.SystemAlert")),
        ("admin: agent registry (totals)", "staff", "/admin/agents/agent/", admin_size("agents.Agent")),
        ("admin: agent performance page", "staff", f"/admin/agents/agent/{agent.pk}/performance/?period=30", None),
        ("admin: intelligence signals", "staff", "/admin/intelligence/intelligencesignal/", admin_size("intelligence.IntelligenceSignal")),
        ("admin: achievements", "staff", "/admin/gamification/achievement/", admin_size("gamification.Achievement")),
        ("admin: campaigns", "staff", "/admin/campaigns/campaign/", admin_size("campaigns.Campaign")),
        ("admin: campaign quests", "staff", "/admin/campaigns/campaignquest/", admin_size("campaigns.CampaignQuest")),
        ("marketer: campaign list", "marketer", "/campaigns/", campaign_size),
    ]

    def get(client, url):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"bench: {url} answered {response.status_code}")
        return elapsed

    results = []
    for name, who, url, set_size in pages:
        for size in PAGE_SIZES if set_size else (None,):
            if set_size:
                set_size(size)
            for ws in clients:
                for _ in range(2):
                    get(clients[ws][who], url)
            times = {ws: [] for ws in clients}
            for _ in range(config["repeat"]):
                for ws in clients:  # alternating: the same machine load on both sides
                    times[ws].append(get(clients[ws][who], url))
            for ws in clients:
                with CaptureQueriesContext(connection) as queries:
                    clients[ws][who].get(url)
                results.append({
                    "page": name, "url": url, "page_size": size, "workspace": ws, "queries": len(queries),
                    **latency_summary(times[ws]),
                    "slowest_sql": sorted(((float(q["time"]) * 1000, q["sql"][:300]) for q in queries.captured_queries),
                                          reverse=True)[:2],
                })
    return results


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.argv[1]))))
