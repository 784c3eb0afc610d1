import io

import pytest

from gamification import demo
from gamification.models import Achievement, UserAchievement, UserStats

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(Achievement.objects.values_list("code", "xp_reward", "target_value")),
        sorted(UserAchievement.objects.values_list("user_id", "achievement__code", "progress", "xp_awarded")),
        sorted(UserStats.objects.values_list("user_id", "total_xp", "level", "achievements_unlocked")),
    )


def test_demo_seed_is_idempotent_and_goes_through_the_functions(tenant_a):
    people = {"owner": tenant_a.owner, "admin": tenant_a.staff, "marketer": tenant_a.marketer, "viewer": tenant_a.viewer}
    with tenant_a.context():
        demo.seed(workspace=tenant_a.workspace, people=people, stdout=io.StringIO())
        first = _snapshot()
        demo.seed(workspace=tenant_a.workspace, people=people, stdout=io.StringIO())
        assert _snapshot() == first
        assert len(first[0]) == len(demo.CATALOGUE)
        marketer = UserStats.objects.get(user=tenant_a.marketer)
        admin = UserStats.objects.get(user=tenant_a.staff)
    # Nine daily sign-ins in a row (record_gamification_event): "Daily habit" (7 within 7 days, 70 xp).
    assert (marketer.total_xp, marketer.achievements_unlocked, marketer.current_streak_days) == (70, 1, 9)
    # The one award by hand: Founder's circle, 2,500 xp.
    assert (admin.total_xp, admin.achievements_unlocked, admin.level) == (2500, 1, 6)


def test_the_whole_demo_credits_the_work_its_people_did(db):
    """seed_demo's other apps work as the demo people; the database credits them (no direct progress writes)."""
    from django.core.management import call_command

    from raptorflow.models import User, Workspace
    from raptorflow.tenancy import workspace_context

    call_command("seed_demo", allow_production=True, stdout=io.StringIO())
    maya = User.objects.get(email="maya.marketer@acme.example")
    with workspace_context(None, user_id=maya.id):
        acme = Workspace.objects.get(slug="acme-outdoor")
    with workspace_context(acme.id, user_id=maya.id):
        stats = UserStats.objects.get(user=maya)
        unlocked = set(
            UserAchievement.objects.filter(user=maya, completed_at__isnull=False).values_list("achievement__code", flat=True)
        )
    assert stats.quests_completed > 0 and stats.current_streak_days == 9
    assert {"first-quest", "launch-day", "audience-builder", "sharp-positioning", "daily-habit"} <= unlocked
