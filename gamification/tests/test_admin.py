"""Achievement curation in the admin, as staff of one workspace."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gamification import services
from gamification.models import Achievement, UserAchievement, UserStats
from gamification.tests.factories import make_achievement

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:gamification_achievement_changelist")
ADD = reverse("admin:gamification_achievement_add")
LEADERBOARD = reverse("admin:gamification_achievement_leaderboard")
STATS = reverse("admin:gamification_userstats_changelist")
PROGRESS = reverse("admin:gamification_userachievement_changelist")


def add_form_data(**overrides):
    data = {
        "name": "Quest master",
        "code": "quest-master",
        "description": "Complete ten quests.",
        "icon": "🏆",
        "category": "quests",
        "rarity": "epic",
        "xp_reward": "500",
        "target_value": "10",
        "criteria": json.dumps({"event": "quest_completed", "count": 10}),
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_done_when_staff_creates_awards_and_sees_xp_and_level_invisible_elsewhere(tenant_a, tenant_b, client_for):
    staff = client_for(tenant_a.staff, tenant_a.workspace)
    # 1. Staff creates an achievement.
    response = staff.post(ADD, add_form_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_a.context():
        achievement = Achievement.objects.get(code="quest-master")
    assert achievement.workspace_id == tenant_a.workspace.id

    # 2. ... awards it to a member through the intermediate form.
    picked = {"action": "award_to_users", "_selected_action": [str(achievement.pk)]}
    form = staff.post(CHANGELIST, picked)
    assert form.status_code == 200
    assert tenant_a.marketer.email in form.content.decode() or "Marketer" in form.content.decode()
    done = staff.post(CHANGELIST, {**picked, "apply": "1", "users": [str(tenant_a.marketer.pk)]}, follow=True)
    assert "1 achievement awarded." in done.content.decode()

    # 3. ... and sees the member's xp and level change.
    stats_page = staff.get(STATS).content.decode()
    with tenant_a.context():
        stats = UserStats.objects.get(user=tenant_a.marketer)
    assert (stats.total_xp, stats.level) == (500, 3)
    assert ">500<" in stats_page and ">3<" in stats_page
    board = staff.get(LEADERBOARD).content.decode()
    assert "Quest master" in board and "<td>500</td>" in board

    # 4. Nothing of it is visible from another workspace.
    other = client_for(tenant_b.staff, tenant_b.workspace)
    assert "Quest master" not in other.get(CHANGELIST).content.decode()
    assert other.get(reverse("admin:gamification_achievement_change", args=[achievement.pk])).status_code in (302, 404)
    assert "Quest master" not in other.get(LEADERBOARD).content.decode()
    assert "<td>500</td>" not in other.get(STATS).content.decode()
    with tenant_b.context():
        # B's staff signing in earned B a daily_login (stats row); nothing of A's award shows.
        assert not Achievement.objects.exists() and not UserStats.objects.filter(total_xp__gt=0).exists()


def test_changelist_shows_rarity_xp_active_and_unlock_count_in_one_query(tenant_a, client_for):
    staff = client_for(tenant_a.staff, tenant_a.workspace)
    first = make_achievement(tenant_a, rarity="legendary", xp_reward=777)
    with tenant_a.context():
        for user in (tenant_a.marketer, tenant_a.viewer):
            services.award_achievement(user=user, achievement=first)
    staff.get(CHANGELIST)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        page = staff.get(CHANGELIST).content.decode()
    assert "Legendary" in page and "777" in page and "completed=yes\">2</a>" in page
    for _ in range(5):
        achievement = make_achievement(tenant_a)
        with tenant_a.context():
            services.award_achievement(user=tenant_a.marketer, achievement=achievement)
    with CaptureQueriesContext(connection) as many:
        staff.get(CHANGELIST)
    assert len(many) == len(few), "the unlock count must not cost a query per row"


def test_changelist_search_and_filters(tenant_a, client_for):
    staff = client_for(tenant_a.staff, tenant_a.workspace)
    make_achievement(tenant_a, name="Signal spotter", code="signal-spotter", rarity="rare")
    make_achievement(tenant_a, name="Campaign captain", code="campaign-captain", rarity="epic", is_active=False)
    searched = staff.get(CHANGELIST, {"q": "spotter"}).content.decode()
    assert "Signal spotter" in searched and "Campaign captain" not in searched
    epic = staff.get(CHANGELIST, {"rarity__exact": "epic"}).content.decode()
    assert "Campaign captain" in epic and "Signal spotter" not in epic
    inactive = staff.get(CHANGELIST, {"is_active__exact": "0"}).content.decode()
    assert "Campaign captain" in inactive and "Signal spotter" not in inactive


def test_activate_and_deactivate_actions(tenant_a, client_for):
    staff = client_for(tenant_a.staff, tenant_a.workspace)
    achievement = make_achievement(tenant_a)
    selected = {"_selected_action": [str(achievement.pk)]}
    response = staff.post(CHANGELIST, {"action": "deactivate", **selected}, follow=True)
    assert "1 achievement deactivated." in response.content.decode()
    with tenant_a.context():
        assert Achievement.objects.get(pk=achievement.pk).is_active is False
    staff.post(CHANGELIST, {"action": "activate", **selected})
    with tenant_a.context():
        assert Achievement.objects.get(pk=achievement.pk).is_active is True


def test_award_form_lists_only_members_of_the_current_workspace(tenant_a, tenant_b, client_for):
    staff = client_for(tenant_a.staff, tenant_a.workspace)
    achievement = make_achievement(tenant_a)
    page = staff.post(CHANGELIST, {"action": "award_to_users", "_selected_action": [str(achievement.pk)]}).content.decode()
    assert f'value="{tenant_a.viewer.pk}"' in page
    assert f'value="{tenant_b.viewer.pk}"' not in page
    # Posting an outsider anyway is a form error, not an award.
    response = staff.post(
        CHANGELIST,
        {"action": "award_to_users", "_selected_action": [str(achievement.pk)], "apply": "1", "users": [str(tenant_b.viewer.pk)]},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    with tenant_a.context():
        assert not UserAchievement.objects.exists()


def test_awarding_twice_reports_the_already_completed_and_credits_once(tenant_a, client_for):
    staff = client_for(tenant_a.staff, tenant_a.workspace)
    achievement = make_achievement(tenant_a, xp_reward=100)
    data = {"action": "award_to_users", "_selected_action": [str(achievement.pk)], "apply": "1", "users": [str(tenant_a.viewer.pk)]}
    staff.post(CHANGELIST, data)
    again = staff.post(CHANGELIST, data, follow=True).content.decode()
    assert "0 achievements awarded. 1 was already completed" in again
    with tenant_a.context():
        assert UserStats.objects.get(user=tenant_a.viewer).total_xp == 100
        assert UserAchievement.objects.get().awarded_by_id == tenant_a.staff.id


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ('{"event": "bought_coffee", "count": 10}', "unknown event &quot;bought_coffee&quot;"),
        ('{"event": "quest_completed", "count": 3}', "must equal the target value (10)"),
        ('{"event": "quest_completed"}', "&quot;count&quot; is required"),
        ("not json", "Enter a valid JSON."),
    ],
)
def test_bad_criteria_are_shown_next_to_the_field(tenant_a, client_for, criteria, message):
    staff = client_for(tenant_a.staff, tenant_a.workspace)
    response = staff.post(ADD, add_form_data(criteria=criteria))
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    # The message sits in the criteria row of the form.
    row = page[page.index("field-criteria") :]
    assert message in row[: row.index("field-target_value") if "field-target_value" in row else len(row)]
    with tenant_a.context():
        assert not Achievement.objects.exists()


def test_duplicate_code_is_a_form_error_but_free_in_another_workspace(tenant_a, tenant_b, client_for):
    make_achievement(tenant_a, code="quest-master")
    response = client_for(tenant_a.staff, tenant_a.workspace).post(ADD, add_form_data())
    assert response.status_code == 200
    assert "An achievement with this code already exists in this workspace." in response.content.decode()
    assert client_for(tenant_b.staff, tenant_b.workspace).post(ADD, add_form_data()).status_code == 302


def test_stats_page_shows_a_members_progress_and_recompute_action(tenant_a, client_for):
    staff = client_for(tenant_a.staff, tenant_a.workspace)
    done, pending = make_achievement(tenant_a, name="Done one", xp_reward=100), make_achievement(tenant_a, name="Pending one")
    with tenant_a.context():
        services.award_achievement(user=tenant_a.marketer, achievement=done)
        services.increment_progress(user=tenant_a.marketer, achievement=pending)
        stats = UserStats.objects.get(user=tenant_a.marketer)
        UserStats.objects.filter(pk=stats.pk).update(total_xp=9000)
    detail = staff.get(reverse("admin:gamification_userstats_change", args=[stats.pk])).content.decode()
    assert "Done one" in detail and "Pending one" in detail and "1 / 3" in detail
    response = staff.post(STATS, {"action": "recompute", "_selected_action": [str(stats.pk)]}, follow=True)
    assert "1 member&#x27;s stats recomputed." in response.content.decode()
    with tenant_a.context():
        assert UserStats.objects.get(pk=stats.pk).total_xp == 100
    progress = staff.get(PROGRESS, {"user": str(tenant_a.marketer.pk)}).content.decode()
    assert "Done one" in progress and "Pending one" in progress


def test_non_staff_members_cannot_open_the_gamification_admin(tenant_a, client_for):
    marketer = client_for(tenant_a.marketer, tenant_a.workspace)
    for url in (CHANGELIST, LEADERBOARD, STATS):
        response = marketer.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
