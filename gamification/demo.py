"""Demo data for gamification: an achievement catalogue per workspace and the demo people's progress.

Runs inside the workspace's context (seed_demo), before the other apps' demo
data. Idempotent: achievements are matched by code, events are recorded once.
"""

from datetime import timedelta

from django.utils import timezone

from gamification import services
from gamification.models import Achievement

# code, name, description, category, rarity, xp, event, count, within_days, icon, secret
CATALOGUE = [
    ("first-quest", "First quest", "Complete your first campaign quest.", "quests", "common", 50, "quest_completed", 1, None, "🎯", False),
    ("quest-streak", "Quest streak", "Complete 10 quests within 30 days.", "quests", "rare", 250, "quest_completed", 10, 30, "🔥", False),
    ("quest-master", "Quest master", "Complete 50 quests.", "quests", "epic", 1000, "quest_completed", 50, None, "🏆", False),
    ("launch-day", "Launch day", "Launch your first campaign.", "campaigns", "common", 100, "campaign_launched", 1, None, "🚀", False),
    ("campaign-closer", "Campaign closer", "Bring 5 campaigns to completion.", "campaigns", "rare", 400, "campaign_completed", 5, None, "✅", False),
    ("audience-builder", "Audience builder", "Create 3 cohorts.", "audience", "common", 75, "cohort_created", 3, None, "👥", False),
    ("sharp-positioning", "Sharp positioning", "Publish a positioning statement.", "campaigns", "rare", 150, "positioning_published", 1, None, "🧭", False),
    ("signal-scout", "Signal scout", "Review 25 market signals.", "intelligence", "rare", 300, "signal_reviewed", 25, None, "📡", False),
    ("insight-author", "Insight author", "Publish 3 market insights within 90 days.", "intelligence", "epic", 600, "insight_published", 3, 90, "💡", False),
    ("firefighter", "Firefighter", "Resolve 10 system alerts.", "operations", "rare", 250, "alert_resolved", 10, None, "🧯", False),
    ("daily-habit", "Daily habit", "Sign in 7 days in a row.", "engagement", "common", 70, "daily_login", 7, 7, "📅", False),
    ("founders-circle", "Founder's circle", "Awarded by the RaptorFlow team for outstanding work.", "general", "legendary", 2500, "manual", 1, None, "👑", True),
]

# Sign-ins of the last days per person (days ago), recorded as daily_login events through
# record_gamification_event as sign-ins would be: the streaks come from them.
SIGN_INS = {
    "marketer": range(0, 9),  # nine days in a row: "Daily habit" unlocks
    "admin": (0, 1, 2, 4, 5),
    "owner": (1, 3),
    "viewer": (0, 2),
}


def seed(*, workspace, people, stdout):
    """The catalogue, one award by hand, and the people's past sign-ins.

    Everything else the demo people earn comes from the work the other apps'
    demo data does as them (quests, launches, reviews, resolved alerts): the
    database's triggers credit it, as in production. Runs first, so the
    achievements exist when that work happens.
    """
    achievements = {}
    for code, name, description, category, rarity, xp, event, count, days, icon, secret in CATALOGUE:
        criteria = {"event": event, "count": count}
        if days:
            criteria["within_days"] = days
        achievements[code], _ = Achievement.objects.update_or_create(
            workspace=workspace,
            code=code,
            defaults={
                "name": name, "description": description, "category": category, "rarity": rarity,
                "xp_reward": xp, "criteria": criteria, "target_value": count, "icon": icon,
                "is_active": True, "is_secret": secret,
            },
        )
    services.award_achievement(user=people["admin"], achievement=achievements["founders-circle"], awarded_by=people["owner"])
    # Midnight-anchored, so a second run the same day records nothing new.
    today = timezone.now().replace(hour=8, minute=30, second=0, microsecond=0)
    for role, days_ago in SIGN_INS.items():
        for days in sorted(days_ago, reverse=True):
            services.record_event(user=people[role], event="daily_login", occurred_at=today - timedelta(days=days))
    stdout.write(f"  gamification: {len(CATALOGUE)} achievements, sign-ins of {len(SIGN_INS)} people in {workspace.name}")
