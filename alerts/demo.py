"""Demo alerts (every severity and status) and notifications for the demo people.

Runs inside ``workspace_context(workspace.id, user_id=people["admin"].id)``
(``manage.py seed_demo``), as the web role, so everything goes in through RLS
and the SQL functions. Idempotent: an alert is created only when no alert
with its fingerprint exists in the workspace, a notification only when its
recipient has none with that title. Error and critical alerts notify the
owner and admin through the trigger, once, when first raised.
"""

from datetime import timedelta

from django.db.models import F

from alerts import services
from alerts.models import SystemAlert, UserNotification
from raptorflow.tenancy import current_workspace_id, workspace_context

# fingerprint, severity, source, title, message, details, status, days ago, resolution note
ALERTS = [
    ("demo:llm-budget", "critical", "agents.billing", "LLM token budget 95% used",
     "The workspace used 9.5M of its 10M monthly tokens; agents stop at 100%.", {"used": 9_500_000, "limit": 10_000_000},
     "open", 0, None),
    ("demo:copywriter-latency", "warning", "agents.performance", "Copywriter agent p95 latency above 8 s",
     "p95 latency was 8.4 s over the last hour (target 5 s).", {"agent": "copywriter", "p95_ms": 8400},
     "open", 0, None),
    ("demo:quest-sync", "info", "gamification.sync", "Quest progress sync finished with skipped rows",
     "12 quest events referred to archived campaigns and were skipped.", {"skipped": 12},
     "open", 1, None),
    ("demo:rss-ingest", "error", "intelligence.ingest", "Signal ingestion failing for one RSS source",
     "The industry-news feed returned HTTP 503 for 40 minutes.", {"source": "industry-news", "status": 503},
     "acknowledged", 0, None),
    ("demo:campaign-budget", "warning", "campaigns.budget", "Spring campaign above 80% of budget",
     "Spend is 8,240 of 10,000 with 12 days to go.", {"spent": 8240, "budget": 10000},
     "acknowledged", 2, None),
    ("demo:cohort-refresh", "info", "cohorts.refresh", "Nightly cohort refresh finished late",
     "The refresh took 52 minutes instead of the usual 15.", {"minutes": 52},
     "resolved", 4, "Moved the job to 02:00, away from the backup window."),
    ("demo:crm-webhook", "error", "integrations.webhooks", "CRM webhook returned HTTP 500",
     "37 deliveries failed and are queued for retry.", {"failed": 37},
     "resolved", 9, "CRM vendor incident closed; the queue drained on retry."),
    ("demo:db-pool", "critical", "platform.database", "Database connection pool saturated",
     "All 20 connections were in use for 3 minutes during the import.", {"pool_size": 20},
     "resolved", 15, "Bulk import now runs with 4 workers instead of 16."),
]

# role, title, body, kind, link, read
NOTIFICATIONS = [
    ("marketer", "Your campaign is scheduled", "It starts on Monday at 09:00.", "success", "/campaigns/", False),
    ("marketer", "Cohort size changed", "A targeted cohort grew by 12% after the nightly refresh.", "info", None, True),
    ("viewer", "Welcome to the workspace", "You can read campaigns and reports; ask an admin for edit rights.", "info", None, False),
    ("admin", "Weekly agent report ready", "Success rate 97.8%, cost down 6% on last week.", "info", "/admin/", False),
    ("owner", "Budget alert threshold reached", "A campaign passed 80% of its budget.", "warning", None, False),
]


def seed(*, workspace, people, stdout):
    created = 0
    for fingerprint, severity, source, title, message, details, status, days_ago, note in ALERTS:
        if SystemAlert.objects.filter(workspace_id=workspace.id, fingerprint=fingerprint).exists():
            continue
        alert = services.raise_alert(
            severity=severity, source=source, title=title, message=message, details=details, fingerprint=fingerprint
        )
        if status in ("acknowledged", "resolved"):
            services.acknowledge(alert=alert, by=people["admin"])
        if status == "resolved":
            services.resolve(alert=alert, by=people["owner"], note=note)
        if days_ago:
            shift = timedelta(days=days_ago)
            SystemAlert.objects.filter(id=alert.id).update(
                first_seen_at=F("first_seen_at") - shift,
                last_seen_at=F("last_seen_at") - shift,
                acknowledged_at=F("acknowledged_at") - shift,
                resolved_at=F("resolved_at") - shift + timedelta(hours=3),
            )
        created += 1

    for role, title, body, kind, link, read in NOTIFICATIONS:
        user = people[role]
        # A notification is visible only to its recipient: look in their context.
        with workspace_context(current_workspace_id(), user_id=user.id):
            if UserNotification.objects.filter(title=title).exists():
                continue
            notification = services.notify(user=user, title=title, body=body, kind=kind, link=link)
            if read:
                services.mark_read(notification=notification)
    stdout.write(f"  alerts: {created} new alerts in {workspace.name}")
