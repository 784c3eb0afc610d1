"""Demo data for 014: an achievement catalogue per workspace and the demo people's progress.

Runs inside the workspace's context (seed_demo). Idempotent: achievements are
matched by code, and progress only moves up to the planned value through the
SQL functions (so the triggers credit xp exactly as in production).
"""

from gamification import services
from gamification.models import Achievement, UserAchievement

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

# person key -> {achievement code: planned progress}; "award" completes by hand.
PROGRESS = {
    "marketer": {
        "first-quest": 1, "quest-streak": 10, "quest-master": 23, "launch-day": 1, "campaign-closer": 3,
        "audience-builder": 3, "sharp-positioning": 1, "daily-habit": 5,
    },
    "admin": {"first-quest": 1, "signal-scout": 25, "insight-author": 2, "firefighter": 10, "founders-circle": "award"},
    "owner": {"launch-day": 1, "sharp-positioning": 1, "campaign-closer": 5},
    "viewer": {"daily-habit": 7, "signal-scout": 4},
}


def seed(*, workspace, people, stdout):
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
    for role, plan in PROGRESS.items():
        user = people[role]
        current = {
            ua.achievement_id: ua
            for ua in UserAchievement.objects.filter(workspace=workspace, user=user)
        }
        for code, planned in plan.items():
            achievement = achievements[code]
            row = current.get(achievement.id)
            if planned == "award":
                services.award_achievement(user=user, achievement=achievement, awarded_by=people["admin"])
                continue
            missing = planned - (row.progress if row else 0)
            if missing > 0 and not (row and row.completed_at):
                services.increment_progress(user=user, achievement=achievement, amount=missing)
        services.refresh_user_stats(user=user)
    stdout.write(f"  gamification: {len(CATALOGUE)} achievements, progress for {len(PROGRESS)} people in {workspace.name}")
