"""Demo positioning, messaging, campaigns, quest trees and cohort targeting for ``seed_demo``.

Content is written per demo workspace (keyed on its slug); any other
workspace gets a generic set. Idempotent: rows are found by their natural
keys (names; a quest by campaign, parent and title) and brought up to date.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from campaigns.models import Campaign, CampaignCohort, CampaignQuest, MessageArchitecture, Positioning
from raptorflow.models import Cohort
from raptorflow.tenancy import workspace_context

# Quest trees: (title, xp, status, [children]); status "completed" sets completed_at.
ACME = {
    "positioning": [
        {
            "name": "Built for the long trail",
            "status": "active",
            "target_segment": "Trail runners and fastpackers in the Alps and Pyrenees",
            "problem_statement": "Lightweight gear wears out within a season, and heavy gear slows runners down on multi-day routes.",
            "value_proposition": "Acme trail gear is as light as race kit and carries a 5-year repair guarantee.",
            "differentiators": ["5-year free repair guarantee", "Field-tested on the GR20 and the Tor des Géants", "Recycled ripstop at race weight"],
            "proof_points": [
                {"claim": "92% of repaired packs back on the trail within 10 days", "source": "Repair centre data 2025"},
                {"claim": "Gold, Outdoor Industry Award 2025", "source": "OutDoor by ISPO"},
            ],
            "messages": [
                {
                    "name": "Trail 2026", "version": 2, "is_primary": True, "tone": "Confident, outdoorsy, no hype",
                    "core_message": "Go further on gear that comes back with you, season after season.",
                    "pillars": [
                        {"title": "Light", "message": "Race weight without race fragility.", "proof": "Vesta 12 pack weighs 310 g"},
                        {"title": "Lasting", "message": "We repair it for five years, free.", "proof": "Repair guarantee terms"},
                        {"title": "Tested", "message": "Proven on the hardest routes in Europe.", "proof": "GR20 field tests"},
                    ],
                },
                {
                    "name": "Trail 2026", "version": 1, "is_primary": False, "tone": "Technical",
                    "core_message": "The lightest pack we have ever made.",
                    "pillars": [{"title": "Weight", "message": "310 g for 12 litres."}],
                },
            ],
        },
        {
            "name": "Camping made easy for families",
            "status": "active",
            "target_segment": "Families with young children planning weekend camping trips",
            "problem_statement": "First camping trips feel complicated: too much gear, too many choices, tents that take an hour to pitch.",
            "value_proposition": "Ready-to-go family kits that pitch in ten minutes, with a rental option to try before buying.",
            "differentiators": ["10-minute pitch tents", "Rent-then-buy credit", "Kid-tested kits"],
            "proof_points": [{"claim": "4.7/5 average review on family tents", "source": "acme.example reviews"}],
            "messages": [
                {
                    "name": "Family weekends", "version": 1, "is_primary": True, "tone": "Warm, reassuring",
                    "core_message": "Your first family camping trip, without the stress.",
                    "pillars": [
                        {"title": "Simple", "message": "One kit, everything included."},
                        {"title": "Try first", "message": "Rent a kit; the rent counts toward buying it."},
                    ],
                }
            ],
        },
        {
            "name": "Winter layering system",
            "status": "draft",
            "target_segment": "Ski tourers and winter hikers",
            "problem_statement": "Layering advice is confusing; people overheat climbing and freeze at the top.",
            "value_proposition": "Three layers that work together, sized and sold as one system.",
            "differentiators": ["Sold as a matched system", "Merino base, recycled down mid-layer"],
            "proof_points": [],
            "messages": [],
        },
    ],
    "campaigns": [
        {
            "name": "Spring Trail Launch 2026", "status": "active", "positioning": "Built for the long trail", "message": ("Trail 2026", 2),
            "objective": "Launch the Vesta trail pack line in Germany, France and Austria and reach 5,000 pre-orders.",
            "channels": ["email", "paid_social", "content", "events"], "budget": "85000.00", "starts": -20, "ends": 40,
            "kpi": {"pre_orders": 5000, "email_ctr": 0.035, "cpa_eur": 18},
            "cohorts": [("Trail runners EU", "primary"), ("Lapsed loyalty members", "secondary")],
            "quests": [
                ("Creative production", 40, "completed", [
                    ("Hero video shoot on the GR20", 25, "completed", []),
                    ("Product photography", 15, "completed", []),
                ]),
                ("Launch email sequence", 30, "in_progress", [
                    ("Teaser email", 10, "completed", []),
                    ("Launch-day email", 10, "pending", []),
                    ("Last-chance reminder", 10, "pending", []),
                ]),
                ("Trail race sponsorship at Zugspitz Ultratrail", 50, "pending", []),
            ],
        },
        {
            "name": "Family Camping Weekends", "status": "scheduled", "positioning": "Camping made easy for families", "message": ("Family weekends", 1),
            "objective": "Grow family tent rentals by 30% over the summer season.",
            "channels": ["social", "email", "retail"], "budget": "42000.00", "starts": 25, "ends": 120,
            "kpi": {"rentals": 1200, "rent_to_buy_rate": 0.15},
            "cohorts": [("Weekend campers", "primary")],
            "quests": [
                ("Rental landing page", 20, "in_progress", [("Rent-then-buy calculator", 15, "pending", [])]),
                ("In-store pitch demos", 30, "pending", []),
            ],
        },
        {
            "name": "Loyalty Win-back Autumn", "status": "draft", "positioning": "Built for the long trail", "message": None,
            "objective": "Bring back loyalty members with no purchase in nine months.",
            "channels": ["email", "sms"], "budget": "12000.00", "starts": None, "ends": None,
            "kpi": {"reactivated_members": 900},
            "cohorts": [("Lapsed loyalty members", "primary"), ("Trail runners EU", "control")],
            "quests": [("Segment the lapsed members by last category", 15, "pending", []), ("Write the win-back offer", 10, "pending", [])],
        },
        {
            "name": "Black Friday Gear Drop", "status": "completed", "positioning": None, "message": None,
            "objective": "Clear last season's inventory without training customers to wait for discounts.",
            "channels": ["email", "paid_search", "display"], "budget": "60000.00", "starts": -160, "ends": -150,
            "kpi": {"revenue_eur": 450000, "margin_pct": 32},
            "cohorts": [("Weekend campers", "secondary")],
            "quests": [("Inventory selection", 20, "completed", []), ("Landing page", 20, "completed", []), ("Post-mortem", 10, "completed", [])],
        },
        {
            "name": "Winter Layering Guide", "status": "paused", "positioning": "Winter layering system", "message": None,
            "objective": "Own the search results for 'how to layer for ski touring'.",
            "channels": ["content", "webinar"], "budget": "8000.00", "starts": -45, "ends": 75,
            "kpi": {"organic_sessions": 40000},
            "cohorts": [],
            "quests": [("Guide outline", 10, "completed", [("Interview two mountain guides", 15, "completed", [])]), ("Webinar with a guide", 25, "skipped", [])],
        },
        {
            "name": "Repair Guarantee Awareness", "status": "active", "positioning": "Built for the long trail", "message": ("Trail 2026", 2),
            "objective": "Make the 5-year repair guarantee known to 60% of trail customers.",
            "channels": ["social", "content", "retail"], "budget": "25000.00", "starts": -60, "ends": 60,
            "kpi": {"aided_awareness_pct": 60},
            "cohorts": [("Trail runners EU", "primary")],
            "quests": [("Repair stories series", 20, "in_progress", []), ("In-store repair counters", 30, "pending", [])],
        },
        {
            "name": "Summer Sale 2025", "status": "archived", "positioning": None, "message": None,
            "objective": "Summer clearance (archived).",
            "channels": ["email"], "budget": "15000.00", "starts": -300, "ends": -280,
            "kpi": {}, "cohorts": [], "quests": [],
        },
    ],
}

NORTHWIND = {
    "positioning": [
        {
            "name": "Finance-grade analytics",
            "status": "active",
            "target_segment": "CFOs and finance teams at mid-market companies (200-2,000 employees)",
            "problem_statement": "Finance teams reconcile numbers from five tools by hand, and board decks are out of date before they are sent.",
            "value_proposition": "Northwind gives finance one governed source of truth, refreshed hourly, with audit trails auditors accept.",
            "differentiators": ["SOC 2 Type II and audit trail on every metric", "Native ERP connectors (NetSuite, SAP B1)", "Board-deck export in one click"],
            "proof_points": [
                {"claim": "Month-end close 4 days faster on average", "source": "Customer survey, 2025 (n=112)"},
                {"claim": "Leader, mid-market BI", "source": "G2 Winter 2026"},
            ],
            "messages": [
                {
                    "name": "CFO narrative", "version": 3, "is_primary": True, "tone": "Precise, calm, evidence first",
                    "core_message": "Numbers your board can trust, hours after the books close.",
                    "pillars": [
                        {"title": "Trusted", "message": "Every metric governed and auditable.", "proof": "SOC 2 Type II"},
                        {"title": "Fast", "message": "Close the month four days sooner.", "proof": "Customer survey 2025"},
                        {"title": "Connected", "message": "Your ERP, CRM and billing in one model.", "proof": "40+ connectors"},
                    ],
                },
                {
                    "name": "CFO narrative", "version": 2, "is_primary": False, "tone": "Precise",
                    "core_message": "One source of truth for finance.",
                    "pillars": [{"title": "Trusted", "message": "Governed metrics."}],
                },
            ],
        },
        {
            "name": "Self-serve for data teams",
            "status": "active",
            "target_segment": "Data engineers and analytics engineers who own the warehouse",
            "problem_statement": "Data teams become a ticket queue for dashboards instead of building models.",
            "value_proposition": "A semantic layer on your warehouse so business users self-serve, and data teams ship models, not charts.",
            "differentiators": ["dbt-native semantic layer", "Warehouse-pushdown, no extracts", "Git-versioned metrics"],
            "proof_points": [{"claim": "70% fewer dashboard tickets after 90 days", "source": "Customer case study: Lumen Logistics"}],
            "messages": [
                {
                    "name": "Data team pitch", "version": 1, "is_primary": True, "tone": "Technical, peer-to-peer",
                    "core_message": "Ship models, not dashboards.",
                    "pillars": [
                        {"title": "dbt-native", "message": "Metrics live next to your models."},
                        {"title": "No extracts", "message": "Queries push down to your warehouse."},
                    ],
                }
            ],
        },
    ],
    "campaigns": [
        {
            "name": "Q2 CFO Roundtables", "status": "active", "positioning": "Finance-grade analytics", "message": ("CFO narrative", 3),
            "objective": "Host six CFO roundtables in DACH and source 40 qualified opportunities.",
            "channels": ["events", "email", "partner"], "budget": "120000.00", "starts": -15, "ends": 75,
            "kpi": {"sqls": 40, "pipeline_eur": 1800000, "attendance": 90},
            "cohorts": [("Mid-market CFOs", "primary")],
            "quests": [
                ("Venue and partner logistics", 30, "completed", [
                    ("Book Munich venue", 10, "completed", []),
                    ("Book Zurich venue", 10, "completed", []),
                    ("Co-host agreement with the audit partner", 20, "in_progress", []),
                ]),
                ("Invitation sequence", 25, "in_progress", [("Personal invites from account executives", 15, "pending", [])]),
                ("Follow-up playbook", 20, "pending", []),
            ],
        },
        {
            "name": "Trial Activation Nudges", "status": "active", "positioning": "Self-serve for data teams", "message": ("Data team pitch", 1),
            "objective": "Raise trial-to-paid conversion from 9% to 12% with in-product and email nudges in week 2.",
            "channels": ["email", "content"], "budget": "18000.00", "starts": -40, "ends": 50,
            "kpi": {"trial_to_paid_pct": 12, "dashboards_per_trial": 3},
            "cohorts": [("Trial users week 2", "primary"), ("Data engineers", "control")],
            "quests": [
                ("Activation email series", 20, "completed", []),
                ("In-app checklist", 30, "in_progress", [("Connect-a-warehouse step", 10, "completed", []), ("First dashboard step", 10, "pending", [])]),
            ],
        },
        {
            "name": "dbt Community Sponsorship", "status": "scheduled", "positioning": "Self-serve for data teams", "message": ("Data team pitch", 1),
            "objective": "Sponsor Coalesce and three dbt meetups; collect 800 data-engineer leads.",
            "channels": ["events", "social", "webinar"], "budget": "65000.00", "starts": 30, "ends": 100,
            "kpi": {"leads": 800, "demo_requests": 60},
            "cohorts": [("Data engineers", "primary")],
            "quests": [("Booth design", 20, "pending", []), ("Talk proposal: semantic layers in practice", 25, "completed", [])],
        },
        {
            "name": "Board Deck Template Launch", "status": "draft", "positioning": "Finance-grade analytics", "message": None,
            "objective": "Gated board-deck template as a lead magnet for finance leaders.",
            "channels": ["content", "paid_search", "paid_social"], "budget": "22000.00", "starts": None, "ends": None,
            "kpi": {"downloads": 2500, "mqls": 300},
            "cohorts": [("Mid-market CFOs", "primary")],
            "quests": [("Template design", 20, "pending", []), ("Landing page and gating", 15, "pending", [])],
        },
        {
            "name": "Analyst Relations 2025", "status": "completed", "positioning": "Finance-grade analytics", "message": ("CFO narrative", 2),
            "objective": "Brief the three main analyst firms and secure a placement in the mid-market BI report.",
            "channels": ["partner"], "budget": "30000.00", "starts": -250, "ends": -120,
            "kpi": {"briefings": 3}, "cohorts": [],
            "quests": [("Briefing deck", 15, "completed", []), ("Customer references", 20, "completed", [])],
        },
        {
            "name": "Webinar: Closing the Month in Hours", "status": "paused", "positioning": "Finance-grade analytics", "message": ("CFO narrative", 3),
            "objective": "Webinar series with customer CFOs; paused until the new speaker is confirmed.",
            "channels": ["webinar", "email"], "budget": "9000.00", "starts": -10, "ends": 30,
            "kpi": {"registrations": 600},
            "cohorts": [("Mid-market CFOs", "primary"), ("Trial users week 2", "secondary")],
            "quests": [("Confirm the speaker", 10, "pending", [])],
        },
    ],
}

GENERIC = {
    "positioning": [
        {
            "name": "Core offer",
            "status": "active",
            "target_segment": "Existing customers ready to expand",
            "problem_statement": "Customers use a fraction of what they pay for.",
            "value_proposition": "Get more value from what you already have, with guided onboarding.",
            "differentiators": ["Guided onboarding"],
            "proof_points": [],
            "messages": [
                {"name": "Core message", "version": 1, "is_primary": True, "tone": "Helpful",
                 "core_message": "Get more from what you already have.", "pillars": [{"title": "Guided", "message": "We set it up with you."}]},
            ],
        }
    ],
    "campaigns": [
        {
            "name": "Welcome Series", "status": "active", "positioning": "Core offer", "message": ("Core message", 1),
            "objective": "Onboard new customers in their first 30 days.", "channels": ["email"], "budget": "5000.00",
            "starts": -7, "ends": 60, "kpi": {"activation_pct": 60}, "cohorts": [],
            "quests": [("Write the welcome emails", 10, "in_progress", [("Day 1 email", 5, "completed", [])])],
        },
        {
            "name": "Quarterly Newsletter", "status": "draft", "positioning": None, "message": None,
            "objective": "Keep customers informed.", "channels": ["email", "content"], "budget": None,
            "starts": None, "ends": None, "kpi": {}, "cohorts": [], "quests": [],
        },
    ],
}

CONTENT = {"acme-outdoor": ACME, "northwind-analytics": NORTHWIND}


def seed(*, workspace, people, stdout):
    creator = people.get("marketer") or people.get("admin")
    # The marketer does this work: the database credits their quests, launches and positioning.
    with workspace_context(workspace.id, user_id=creator.id):
        _seed(workspace=workspace, creator=creator, stdout=stdout)


def _seed(*, workspace, creator, stdout):
    content = CONTENT.get(workspace.slug, GENERIC)
    # Dates relative to a fixed midnight, so a second run the same day changes nothing.
    today = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)

    positionings, architectures = {}, {}
    for spec in content["positioning"]:
        fields = {k: v for k, v in spec.items() if k not in ("name", "messages")}
        positioning, _ = Positioning.objects.update_or_create(
            workspace=workspace, name=spec["name"], defaults={**fields, "created_by": creator}
        )
        positionings[positioning.name] = positioning
        for message in spec["messages"]:
            defaults = {k: v for k, v in message.items() if k not in ("name", "version", "is_primary")}
            architecture, _ = MessageArchitecture.objects.update_or_create(
                workspace=workspace, positioning=positioning, name=message["name"], version=message["version"], defaults=defaults
            )
            architectures[(message["name"], message["version"])] = architecture
        # Primary last: demote first, so the one-primary rule holds at every step.
        primary_ids = [architectures[(m["name"], m["version"])].id for m in spec["messages"] if m["is_primary"]]
        MessageArchitecture.objects.filter(positioning=positioning, is_primary=True).exclude(id__in=primary_ids).update(is_primary=False)
        MessageArchitecture.objects.filter(id__in=primary_ids).update(is_primary=True)

    cohorts = {c.name: c for c in Cohort.objects.filter(workspace=workspace)}
    quest_count = 0
    for spec in content["campaigns"]:
        campaign, _ = Campaign.objects.update_or_create(
            workspace=workspace,
            name=spec["name"],
            defaults={
                "status": spec["status"],
                "objective": spec["objective"],
                "positioning": positionings.get(spec["positioning"]),
                "message_architecture": architectures.get(spec["message"]) if spec["message"] else None,
                "channels": spec["channels"],
                "budget": Decimal(spec["budget"]) if spec["budget"] else None,
                "starts_at": today + datetime.timedelta(days=spec["starts"]) if spec["starts"] is not None else None,
                "ends_at": today + datetime.timedelta(days=spec["ends"]) if spec["ends"] is not None else None,
                "kpi_targets": spec["kpi"],
                "created_by": creator,
            },
        )
        for cohort_name, role in spec["cohorts"]:
            if cohort_name in cohorts:
                CampaignCohort.objects.update_or_create(
                    workspace=workspace, campaign=campaign, cohort=cohorts[cohort_name], defaults={"role": role}
                )
        quest_count += _seed_quests(workspace, campaign, None, spec["quests"], today)
    stdout.write(
        f"  campaigns: {len(positionings)} positioning, {len(architectures)} message architectures, "
        f"{len(content['campaigns'])} campaigns, {quest_count} quests in {workspace.name}"
    )


def _seed_quests(workspace, campaign, parent, quests, today):
    count = 0
    for position, (title, xp, status, children) in enumerate(quests):
        existing = CampaignQuest.objects.filter(workspace=workspace, campaign=campaign, parent=parent, title=title).first()
        quest = existing or CampaignQuest(workspace=workspace, campaign=campaign, parent=parent, title=title)
        quest.position = position
        quest.xp_reward = xp
        quest.due_at = _within(campaign, today + datetime.timedelta(days=7 * (position + 1)))
        if quest.status != status:
            quest.status = status
            quest.completed_at = today - datetime.timedelta(days=position + 1) if status == CampaignQuest.Status.COMPLETED else None
        quest.save()
        count += 1 + _seed_quests(workspace, campaign, quest, children, today)
    return count


def _within(campaign, due):
    """A demo due date inside the campaign's window (forms refuse one outside it)."""
    if campaign.ends_at and due > campaign.ends_at:
        due = campaign.ends_at
    if campaign.starts_at and due < campaign.starts_at:
        due = campaign.starts_at
    return due
