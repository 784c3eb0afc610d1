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
    # first-quest 50 + quest-streak 250 + launch-day 100 + audience-builder 75 + sharp-positioning 150
    assert (marketer.total_xp, marketer.achievements_unlocked, marketer.level) == (625, 5, 3)
