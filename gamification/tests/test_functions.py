"""The SQL functions and triggers of gamification, called through gamification.services."""

import pytest

from gamification import services
from gamification.models import UserAchievement, UserStats
from gamification.tests.factories import make_achievement
from raptorflow.sql import SQLFunctionError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("xp", "level"), [(0, 1), (99, 1), (100, 2), (399, 2), (400, 3), (899, 3), (900, 4), (8100, 10), (8099, 9)]
)
def test_level_curve_starts_level_n_at_100_times_n_minus_1_squared(xp, level):
    assert services.level_for_xp(xp) == level


def test_level_for_negative_xp_is_refused():
    with pytest.raises(SQLFunctionError, match="xp must be zero or positive, got -1"):
        services.level_for_xp(-1)


def test_increment_creates_the_row_and_caps_at_target_completing_once(tenant_a):
    achievement = make_achievement(tenant_a, target_value=3, xp_reward=150)
    user = tenant_a.marketer
    with tenant_a.context():
        first = services.increment_progress(user=user, achievement=achievement)
        assert (first.progress, first.completed_at) == (1, None)
        done = services.increment_progress(user=user, achievement=achievement, amount=5)
        assert done.progress == 3 and done.completed_at is not None and done.xp_awarded == 150
        again = services.increment_progress(user=user, achievement=achievement, amount=2)
        assert again.progress == 3 and again.completed_at == done.completed_at
        stats = UserStats.objects.get(user=user)
    assert (stats.total_xp, stats.level, stats.achievements_unlocked) == (150, 2, 1)


def test_award_is_idempotent_and_credits_xp_once(tenant_a):
    achievement = make_achievement(tenant_a, xp_reward=400)
    with tenant_a.context():
        first = services.award_achievement(user=tenant_a.viewer, achievement=achievement, awarded_by=tenant_a.staff)
        second = services.award_achievement(user=tenant_a.viewer, achievement=achievement)
        assert first.pk == second.pk and first.completed_at == second.completed_at
        assert second.awarded_by_id == tenant_a.staff.id
        assert UserAchievement.objects.filter(user=tenant_a.viewer).count() == 1
        stats = UserStats.objects.get(user=tenant_a.viewer)
    assert (stats.total_xp, stats.level, stats.achievements_unlocked) == (400, 3, 1)


def test_award_defaults_awarded_by_to_the_current_user(tenant_a):
    achievement = make_achievement(tenant_a)
    with tenant_a.context(user=tenant_a.owner):
        row = services.award_achievement(user=tenant_a.marketer, achievement=achievement)
    assert row.awarded_by_id == tenant_a.owner.id


def test_earned_achievement_has_no_awarded_by(tenant_a):
    achievement = make_achievement(tenant_a, target_value=1)
    with tenant_a.context():
        row = services.increment_progress(user=tenant_a.marketer, achievement=achievement)
    assert row.completed_at is not None and row.awarded_by_id is None


def test_refreshed_stats_equal_the_incremental_ones(tenant_a):
    achievements = [make_achievement(tenant_a, target_value=2, xp_reward=xp) for xp in (50, 120, 300)]
    user = tenant_a.marketer
    with tenant_a.context():
        services.increment_progress(user=user, achievement=achievements[0], amount=2)
        services.award_achievement(user=user, achievement=achievements[1])
        services.increment_progress(user=user, achievement=achievements[2])  # not completed
        incremental = UserStats.objects.get(user=user)
        # Change an xp reward afterwards: what was credited stays what counts.
        achievements[0].xp_reward = 9999
        achievements[0].save()
        refreshed = services.refresh_user_stats(user=user)
    fields = ("total_xp", "level", "achievements_unlocked")
    assert [getattr(refreshed, f) for f in fields] == [getattr(incremental, f) for f in fields] == [170, 2, 2]


def test_refresh_repairs_tampered_stats(tenant_a):
    achievement = make_achievement(tenant_a, xp_reward=100)
    with tenant_a.context():
        services.award_achievement(user=tenant_a.marketer, achievement=achievement)
        UserStats.objects.filter(user=tenant_a.marketer).update(total_xp=5000, achievements_unlocked=7)
        tampered = UserStats.objects.get(user=tenant_a.marketer)
        assert tampered.level == 8  # the trigger keeps level = level_for_xp(total_xp)
        refreshed = services.refresh_user_stats(user=tenant_a.marketer)
    assert (refreshed.total_xp, refreshed.level, refreshed.achievements_unlocked) == (100, 2, 1)


def test_refresh_creates_empty_stats_for_a_member_without_progress(tenant_a):
    with tenant_a.context():
        stats = services.refresh_user_stats(user=tenant_a.viewer)
    assert (stats.total_xp, stats.level, stats.achievements_unlocked) == (0, 1, 0)


def test_deleting_a_completed_achievement_takes_its_xp_back(tenant_a):
    keep = make_achievement(tenant_a, xp_reward=100)
    drop = make_achievement(tenant_a, xp_reward=300)
    with tenant_a.context():
        services.award_achievement(user=tenant_a.marketer, achievement=keep)
        services.award_achievement(user=tenant_a.marketer, achievement=drop)
        drop.delete()
        stats = UserStats.objects.get(user=tenant_a.marketer)
    assert (stats.total_xp, stats.level, stats.achievements_unlocked) == (100, 2, 1)


# ------------------------------------------------------------------ bad input


def test_negative_amount_is_refused(tenant_a):
    achievement = make_achievement(tenant_a)
    with tenant_a.context(), pytest.raises(SQLFunctionError, match="amount must be positive, got -2"):
        services.increment_progress(user=tenant_a.marketer, achievement=achievement, amount=-2)


def test_zero_amount_is_refused(tenant_a):
    achievement = make_achievement(tenant_a)
    with tenant_a.context(), pytest.raises(SQLFunctionError, match="amount must be positive, got 0"):
        services.increment_progress(user=tenant_a.marketer, achievement=achievement, amount=0)


def test_unknown_achievement_is_refused(tenant_a):
    import uuid

    missing = uuid.uuid4()
    with tenant_a.context(), pytest.raises(SQLFunctionError, match=f"achievement {missing} does not exist in this workspace"):
        services.increment_progress(user=tenant_a.marketer, achievement=missing)


def test_another_workspaces_achievement_is_refused(tenant_a, tenant_b):
    foreign = make_achievement(tenant_b)
    with tenant_a.context():
        for call in (services.increment_progress, services.award_achievement):
            with pytest.raises(SQLFunctionError, match="does not exist in this workspace"):
                call(user=tenant_a.marketer, achievement=foreign)
        assert not UserAchievement.objects.exists()


def test_non_member_is_refused_with_their_email(tenant_a, tenant_b):
    achievement = make_achievement(tenant_a)
    outsider = tenant_b.marketer
    with tenant_a.context():
        with pytest.raises(SQLFunctionError, match=f"user {outsider.email} is not a member of this workspace"):
            services.award_achievement(user=outsider, achievement=achievement)
        with pytest.raises(SQLFunctionError, match="is not a member of this workspace"):
            services.refresh_user_stats(user=outsider)


def test_inactive_achievement_makes_no_progress_but_can_be_awarded(tenant_a):
    achievement = make_achievement(tenant_a, is_active=False)
    with tenant_a.context():
        with pytest.raises(SQLFunctionError, match="is inactive and makes no progress"):
            services.increment_progress(user=tenant_a.marketer, achievement=achievement)
        assert services.award_achievement(user=tenant_a.marketer, achievement=achievement).completed_at is not None


def test_functions_refuse_to_run_without_a_workspace(tenant_a):
    from raptorflow.tenancy import workspace_context

    achievement = make_achievement(tenant_a)
    with workspace_context(None), pytest.raises(SQLFunctionError, match="no workspace is set"):
        services.increment_progress(user=tenant_a.marketer, achievement=achievement)
