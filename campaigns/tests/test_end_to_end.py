"""The issue's done-when, browser-free: a demo marketer builds a campaign through the pages only,
and the other workspace's marketer cannot see or touch it by page, by admin or by SQL."""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from campaigns.models import Campaign, CampaignCohort, CampaignQuest, MessageArchitecture, Positioning
from raptorflow.management.commands.seed_demo import DEMO_PASSWORD
from raptorflow.models import Cohort, User, Workspace
from raptorflow.tenancy import workspace_context

pytestmark = pytest.mark.django_db


def sign_in(email):
    client = Client()
    response = client.post("/login/", {"username": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def option_value(html, label_start):
    match = re.search(rf'<option value="([^"]+)"[^>]*>{re.escape(label_start)}', html)
    assert match, label_start
    return match.group(1)


def test_a_demo_marketer_builds_a_campaign_and_the_other_workspace_cannot_see_it():
    call_command("seed_demo", verbosity=0, allow_production=True)
    maya = sign_in("maya.marketer@acme.example")  # Acme Outdoor marketer

    # The home page is the campaign list, with the demo campaigns.
    home = maya.get("/").content.decode()
    assert "Spring Trail Launch 2026" in home and "Acme Outdoor" in home

    # Create the campaign through the form, linked to the demo positioning and messaging.
    form = maya.get("/campaigns/new/").content.decode()
    positioning = option_value(form, "Built for the long trail")
    # With no positioning chosen yet, the messaging is grouped by positioning (issue 17).
    assert '<optgroup label="Built for the long trail">' in form
    messaging = option_value(form, "Trail 2026 v2")
    response = maya.post("/campaigns/new/", {
        "name": "Alpine Hut Tour 2026", "objective": "Hut-to-hut packs for 2,000 hikers", "status": "scheduled",
        "positioning": positioning, "message_architecture": messaging, "channels": ["email", "events"],
        "budget": "30000", "starts_at": "2026-06-01T08:00", "ends_at": "2026-09-30T18:00",
        "kpi_targets": "bookings: 2000",
    }, follow=True)
    assert response.status_code == 200
    detail_url = response.redirect_chain[-1][0]
    assert "Campaign “Alpine Hut Tour 2026” created." in response.content.decode()

    # Quests: two top-level, one nested, one reordered, one completed.
    for title in ("Book the huts", "Route guide"):
        maya.post(f"{detail_url}quests/add/", {"quest-title": title, "quest-xp_reward": 20})
    page = maya.get(detail_url).content.decode()
    huts = option_value(page, "Book the huts")
    maya.post(f"{detail_url}quests/add/", {"quest-title": "Call the Alpine Club", "quest-parent": huts, "quest-xp_reward": 5})
    route = re.search(r'id="quest-([0-9a-f-]+)"[^>]*>\s*<div class="quest-row">\s*<span class="quest-title">Route guide', maya.get(detail_url).content.decode()).group(1)
    maya.post(f"/campaigns/quests/{route}/move/", {"direction": "up"})
    maya.post(f"/campaigns/quests/{huts}/complete/")

    # Cohorts: the demo's own cohorts, a primary and a control.
    page = maya.get(detail_url).content.decode()
    maya.post(f"{detail_url}cohorts/add/", {"cohort-cohort": option_value(page, "Weekend campers"), "cohort-role": "primary"})
    page = maya.get(detail_url).content.decode()
    maya.post(f"{detail_url}cohorts/add/", {"cohort-cohort": option_value(page, "Lapsed loyalty members"), "cohort-role": "control"})

    page = maya.get(detail_url).content.decode()
    assert page.index("Route guide") < page.index("Book the huts") < page.index("Call the Alpine Club")
    assert "1 of 3 completed" in page and "Weekend campers" in page and "Control (held out)" in page

    acme = Workspace.objects.none()
    maya_user = User.objects.get(email="maya.marketer@acme.example")
    with workspace_context(None, user_id=maya_user.id):
        acme = Workspace.objects.get(slug="acme-outdoor")
    with workspace_context(acme.id):
        campaign = Campaign.objects.get(name="Alpine Hut Tour 2026")
        assert campaign.created_by_id == maya_user.id
        assert list(CampaignQuest.objects.filter(campaign=campaign, parent=None).order_by("position").values_list("title", flat=True)) == ["Route guide", "Book the huts"]
        assert dict(CampaignCohort.objects.filter(campaign=campaign).values_list("cohort__name", "role")) == {
            "Weekend campers": "primary", "Lapsed loyalty members": "control"}
        quest_ids = list(CampaignQuest.objects.filter(campaign=campaign).values_list("id", flat=True))

    # Northwind's marketer: not by page...
    lena = sign_in("lena.marketer@northwind.example")
    assert "Alpine Hut Tour" not in lena.get("/campaigns/?status=all&q=Alpine").content.decode()
    assert lena.get(detail_url).status_code == 404
    assert lena.post(f"{detail_url}edit/", {"name": "Hijacked", "status": "draft"}).status_code == 404
    assert lena.post(f"/campaigns/quests/{quest_ids[0]}/delete/").status_code == 404
    # ...not by choosing Acme's workspace...
    assert lena.post("/workspaces/", {"workspace": str(acme.id)}).status_code == 403
    assert lena.get("/", HTTP_X_WORKSPACE_ID=str(acme.id)).status_code == 403
    # ...not by admin (Northwind's staff member sees only Northwind)...
    theo = sign_in("theo.staff@northwind.example")
    assert theo.get("/admin/campaigns/campaign/").status_code == 200
    assert "Alpine Hut Tour" not in theo.get("/admin/campaigns/campaign/?q=Alpine").content.decode()
    assert theo.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").status_code == 302
    # ...and not by SQL, in Northwind's context.
    lena_user = User.objects.get(email="lena.marketer@northwind.example")
    with workspace_context(None, user_id=lena_user.id):
        northwind = Workspace.objects.get(slug="northwind-analytics")
    with workspace_context(northwind.id, user_id=lena_user.id), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM campaigns WHERE name = 'Alpine Hut Tour 2026'")
        assert cursor.fetchone()[0] == 0
        cursor.execute("UPDATE campaign_quests SET title = 'x' WHERE id = ANY(%s)", [quest_ids])
        assert cursor.rowcount == 0
        cursor.execute("DELETE FROM campaigns WHERE id = %s", [campaign.id])
        assert cursor.rowcount == 0
    with workspace_context(acme.id):
        assert Campaign.objects.filter(id=campaign.id, name="Alpine Hut Tour 2026").exists()


def test_demo_data_is_realistic_per_workspace_and_idempotent():
    call_command("seed_demo", verbosity=0, allow_production=True)

    def counts():
        result = {}
        for email, slug in (("olivia.owner@acme.example", "acme-outdoor"), ("nora.owner@northwind.example", "northwind-analytics")):
            owner = User.objects.get(email=email)
            with workspace_context(None, user_id=owner.id):
                ws = Workspace.objects.get(slug=slug)
            with workspace_context(ws.id):
                result[slug] = {
                    "positioning": Positioning.objects.count(),
                    "messages": MessageArchitecture.objects.count(),
                    "primary": MessageArchitecture.objects.filter(is_primary=True).count(),
                    "campaigns": Campaign.objects.count(),
                    "statuses": set(Campaign.objects.values_list("status", flat=True)),
                    "quests": CampaignQuest.objects.count(),
                    "nested": CampaignQuest.objects.filter(parent__isnull=False).count(),
                    "targets": CampaignCohort.objects.count(),
                    "names": set(Campaign.objects.values_list("name", flat=True)),
                    "cohorts_used": Cohort.objects.filter(campaign_targets__isnull=False).distinct().count(),
                }
        return result

    first = counts()
    call_command("seed_demo", verbosity=0, allow_production=True)
    assert counts() == first
    acme, northwind = first["acme-outdoor"], first["northwind-analytics"]
    for ws in (acme, northwind):
        assert 6 <= ws["campaigns"] <= 10
        assert len(ws["statuses"]) >= 5 and ws["nested"] > 0 and ws["targets"] > 0 and ws["cohorts_used"] >= 2
        assert ws["primary"] == ws["positioning"] - (1 if ws is acme else 0)  # Acme's winter positioning has no messaging yet
    assert "Spring Trail Launch 2026" in acme["names"] and "Q2 CFO Roundtables" in northwind["names"]
    assert not acme["names"] & northwind["names"]
