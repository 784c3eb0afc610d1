"""Every domain's events earn progress, xp, quest counts and streaks, exactly once.

Events are fired by the database (triggers on the domain tables call
record_gamification_event with app.current_user_id as the actor), so each
test does the work the way a person or a service does it: through the
marketer pages, the admin, or plain SQL as the web role.
"""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from alerts import services as alert_services
from campaigns.models import Campaign, CampaignQuest, Positioning
from campaigns.tests.factories import make_campaign, make_quest
from gamification import services
from gamification.models import UserAchievement, UserStats, xp_for_level
from gamification.tests.factories import make_achievement
from intelligence import services as intelligence_services
from intelligence.models import IntelligenceSignal, MarketInsight
from raptorflow.models import Cohort
from raptorflow.sql import SQLFunctionError
from raptorflow.tenancy import workspace_context
from tests.factories import PASSWORD, make_tenant, make_user


def stats_of(tenant, user):
    with tenant.context(user):
        return UserStats.objects.filter(workspace=tenant.workspace, user=user).first()


def events_of(tenant, user, event=None):
    with tenant.context(user), connection.cursor() as cursor:
        cursor.execute(
            "SELECT event, subject_id FROM gamification_events WHERE workspace_id = %s AND user_id = %s"
            + (" AND event = %s" if event else "")
            + " ORDER BY occurred_at",
            [tenant.id, user.id] + ([event] if event else []),
        )
        return cursor.fetchall()


def progress_of(tenant, user, achievement):
    with tenant.context(user):
        row = UserAchievement.objects.filter(user=user, achievement=achievement).first()
    return (row.progress, row.completed_at is not None) if row else (0, False)


# ---------------------------------------------------------------- quests, through the marketer pages


@pytest.mark.django_db
def test_completing_a_quest_on_the_page_credits_its_xp_and_the_quest_once(tenant_a, client_for):
    first = make_achievement(tenant_a, target_value=1, xp_reward=50, code="first-quest")
    three = make_achievement(tenant_a, target_value=3, xp_reward=200, code="three-quests")
    campaign = make_campaign(tenant_a)
    quest = make_quest(tenant_a, campaign, xp_reward=20)
    marketer = client_for(tenant_a.marketer, tenant_a.workspace)
    before = stats_of(tenant_a, tenant_a.marketer)
    base_xp = before.total_xp if before else 0

    marketer.post(f"/campaigns/quests/{quest.pk}/complete/")
    stats = stats_of(tenant_a, tenant_a.marketer)
    assert stats.quests_completed == 1
    assert stats.total_xp == base_xp + 20 + 50  # the quest's xp and the first-quest achievement
    assert progress_of(tenant_a, tenant_a.marketer, first) == (1, True)
    assert progress_of(tenant_a, tenant_a.marketer, three) == (1, False)

    # Reopen and complete again: the same quest counts once.
    marketer.post(f"/campaigns/quests/{quest.pk}/complete/", {"action": "reopen"})
    marketer.post(f"/campaigns/quests/{quest.pk}/complete/")
    stats = stats_of(tenant_a, tenant_a.marketer)
    assert (stats.quests_completed, stats.total_xp) == (1, base_xp + 70)
    assert progress_of(tenant_a, tenant_a.marketer, three) == (1, False)
    assert events_of(tenant_a, tenant_a.marketer, "quest_completed") == [("quest_completed", quest.pk)]


@pytest.mark.django_db
def test_plain_sql_as_the_web_role_counts_too(tenant_a):
    achievement = make_achievement(tenant_a, target_value=2, xp_reward=100)
    campaign = make_campaign(tenant_a)
    quests = [make_quest(tenant_a, campaign, xp_reward=5) for _ in range(2)]
    with workspace_context(tenant_a.id, user_id=tenant_a.marketer.id), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE campaign_quests SET status = 'completed', completed_at = now() WHERE id = ANY(%s)",
            [[q.pk for q in quests]],
        )
    stats = stats_of(tenant_a, tenant_a.marketer)
    assert stats.quests_completed == 2 and stats.total_xp == 5 + 5 + 100
    assert progress_of(tenant_a, tenant_a.marketer, achievement) == (2, True)


@pytest.mark.django_db
def test_no_actor_no_credit_and_the_write_still_happens(tenant_a):
    make_achievement(tenant_a, target_value=1)
    campaign = make_campaign(tenant_a)
    quest = make_quest(tenant_a, campaign, xp_reward=30)
    with workspace_context(tenant_a.id):  # a job or a DBA: no app.current_user_id
        CampaignQuest.objects.filter(pk=quest.pk).update(status="completed", completed_at=timezone.now())
    with tenant_a.context():
        assert CampaignQuest.objects.get(pk=quest.pk).status == "completed"
        assert not UserStats.objects.filter(quests_completed__gt=0).exists()


@pytest.mark.django_db
def test_a_visiting_superuser_earns_nothing_and_is_not_refused(tenant_a):
    root = make_user(is_staff=True, is_superuser=True)
    make_achievement(tenant_a, target_value=1, event="campaign_launched")
    campaign = make_campaign(tenant_a)
    with workspace_context(tenant_a.id, user_id=root.id):
        Campaign.objects.filter(pk=campaign.pk).update(status="active")
    with tenant_a.context():
        assert Campaign.objects.get(pk=campaign.pk).status == "active"
        assert not UserStats.objects.filter(user=root).exists()


# ---------------------------------------------------------------- every other event, by its real path


@pytest.mark.django_db
def test_campaign_launch_and_completion_on_the_marketer_pages(tenant_a, client_for):
    from campaigns.tests.test_views import campaign_data

    launched = make_achievement(tenant_a, target_value=1, event="campaign_launched")
    completed = make_achievement(tenant_a, target_value=1, event="campaign_completed")
    marketer = client_for(tenant_a.marketer, tenant_a.workspace)
    assert marketer.post("/campaigns/new/", campaign_data(name="Launch me")).status_code == 302
    with tenant_a.context():
        campaign = Campaign.objects.get(name="Launch me")
    for status in ("active", "paused", "active", "completed"):
        response = marketer.post(f"/campaigns/{campaign.pk}/edit/", campaign_data(name="Launch me", status=status))
        assert response.status_code == 302, response.content.decode()[:1500]
    assert progress_of(tenant_a, tenant_a.marketer, launched) == (1, True)
    assert progress_of(tenant_a, tenant_a.marketer, completed) == (1, True)
    # Launched once (active twice), completed once; one test transaction gives both the same now().
    assert sorted(e for e, _ in events_of(tenant_a, tenant_a.marketer) if e.startswith("campaign")) == [
        "campaign_completed",
        "campaign_launched",
    ]


@pytest.mark.django_db
def test_cohort_created_in_the_admin_and_positioning_published_on_the_page(tenant_a, client_for):
    cohorts = make_achievement(tenant_a, target_value=1, event="cohort_created")
    published = make_achievement(tenant_a, target_value=1, event="positioning_published")
    staff = client_for(tenant_a.staff, tenant_a.workspace)
    response = staff.post("/admin/raptorflow/cohort/add/", {"name": "Weekend hikers", "description": "", "criteria": "{}", "size_estimate": 10})
    assert response.status_code == 302
    assert progress_of(tenant_a, tenant_a.staff, cohorts) == (1, True)

    marketer = client_for(tenant_a.marketer, tenant_a.workspace)
    response = marketer.post(
        "/campaigns/positioning/new/",
        {"name": "Trail first", "status": "active", "target_segment": "Hikers", "problem_statement": "Heavy packs",
         "value_proposition": "Light packs", "differentiators": "Light", "proof_points": ""},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    with tenant_a.context():
        assert Positioning.objects.get(name="Trail first").status == "active"
    assert progress_of(tenant_a, tenant_a.marketer, published) == (1, True)


@pytest.mark.django_db
def test_signals_insights_and_alerts_through_their_services(tenant_a):
    reviewed = make_achievement(tenant_a, target_value=2, event="signal_reviewed")
    insight_done = make_achievement(tenant_a, target_value=1, event="insight_published")
    resolved = make_achievement(tenant_a, target_value=1, event="alert_resolved")
    with tenant_a.context():
        signals = [
            intelligence_services.ingest_signal(source="feed", signal_type="pricing", title=f"Signal {n}") for n in range(2)
        ]
    with tenant_a.context(tenant_a.staff):
        intelligence_services.review_signals(signal_ids=[s.pk for s in signals], by=tenant_a.staff)
        # Back to new and reviewed again: still two reviews.
        intelligence_services.triage_signals(signal_ids=[signals[0].pk], status="new", by=tenant_a.staff)
        intelligence_services.review_signals(signal_ids=[signals[0].pk], by=tenant_a.staff)
        insight = MarketInsight.objects.create(workspace=tenant_a.workspace, title="Tents get cheaper", summary="")
        intelligence_services.publish_insights(insight_ids=[insight.pk], by=tenant_a.staff)
    with tenant_a.context():
        alert = alert_services.raise_alert(severity="warning", source="tests", title="Disk almost full")
    with tenant_a.context(tenant_a.staff):
        alert_services.resolve(alert=alert, by=tenant_a.staff, note="Cleaned up")
    assert progress_of(tenant_a, tenant_a.staff, reviewed) == (2, True)
    assert progress_of(tenant_a, tenant_a.staff, insight_done) == (1, True)
    assert progress_of(tenant_a, tenant_a.staff, resolved) == (1, True)
    with tenant_a.context():
        assert IntelligenceSignal.objects.filter(status="reviewed").count() == 2
    assert len(events_of(tenant_a, tenant_a.staff, "signal_reviewed")) == 2


@pytest.mark.django_db
def test_the_first_sign_in_of_a_day_is_a_daily_login_in_each_workspace(tenant_a, tenant_b):
    from tests.factories import add_member

    add_member(tenant_b.workspace, tenant_a.marketer, "viewer")
    client = Client()
    for _ in range(2):
        assert client.post("/login/", {"username": tenant_a.marketer.email, "password": PASSWORD}).status_code == 302
    assert len(events_of(tenant_a, tenant_a.marketer, "daily_login")) == 1
    assert len(events_of(tenant_b, tenant_a.marketer, "daily_login")) == 1
    assert stats_of(tenant_a, tenant_a.marketer).current_streak_days == 1


# ---------------------------------------------------------------- the function's rules


@pytest.mark.django_db
def test_within_days_counts_only_events_inside_the_window(tenant_a):
    achievement = make_achievement(tenant_a, target_value=3, event="daily_login")
    with tenant_a.context():
        from gamification.models import Achievement

        Achievement.objects.filter(pk=achievement.pk).update(criteria={"event": "daily_login", "count": 3, "within_days": 3})
    now = timezone.now()
    with tenant_a.context(tenant_a.marketer):
        for days_ago in (10, 9, 2):  # two old sign-ins and one recent
            services.record_event(user=tenant_a.marketer, event="daily_login", occurred_at=now - timedelta(days=days_ago))
    assert progress_of(tenant_a, tenant_a.marketer, achievement) == (2, False)  # the best window held 2
    with tenant_a.context(tenant_a.marketer):
        services.record_event(user=tenant_a.marketer, event="daily_login", occurred_at=now - timedelta(days=1))
        services.record_event(user=tenant_a.marketer, event="daily_login", occurred_at=now)
    assert progress_of(tenant_a, tenant_a.marketer, achievement) == (3, True)


@pytest.mark.django_db
def test_streaks_are_consecutive_utc_days(tenant_a):
    now = timezone.now()
    with tenant_a.context(tenant_a.viewer):
        for days_ago in (9, 8, 7, 6, 3, 2):
            services.record_event(user=tenant_a.viewer, event="daily_login", occurred_at=now - timedelta(days=days_ago))
    stats = stats_of(tenant_a, tenant_a.viewer)
    assert (stats.current_streak_days, stats.longest_streak_days) == (2, 4)
    with tenant_a.context(tenant_a.viewer):
        services.record_event(user=tenant_a.viewer, event="daily_login", occurred_at=now - timedelta(days=1))
        # A late record of a forgotten day joins the runs: 9..1 without 5 and 4 -> 4 and 4, then 5 fills the gap.
        services.record_event(user=tenant_a.viewer, event="daily_login", occurred_at=now - timedelta(days=5))
        services.record_event(user=tenant_a.viewer, event="daily_login", occurred_at=now - timedelta(days=4))
    stats = stats_of(tenant_a, tenant_a.viewer)
    assert (stats.current_streak_days, stats.longest_streak_days) == (9, 9)
    with tenant_a.context(tenant_a.viewer):
        refreshed = services.refresh_user_stats(user=tenant_a.viewer)
    assert (refreshed.current_streak_days, refreshed.longest_streak_days) == (9, 9)


@pytest.mark.django_db
def test_refresh_keeps_quest_xp_and_counts(tenant_a):
    campaign = make_campaign(tenant_a)
    quest = make_quest(tenant_a, campaign, xp_reward=40)
    with tenant_a.context(tenant_a.marketer):
        CampaignQuest.objects.filter(pk=quest.pk).update(status="completed", completed_at=timezone.now())
        before = UserStats.objects.get(user=tenant_a.marketer)
        UserStats.objects.filter(pk=before.pk).update(total_xp=0, quests_completed=0)
        after = services.refresh_user_stats(user=tenant_a.marketer)
    assert (after.total_xp, after.quests_completed) == (before.total_xp, before.quests_completed) == (40, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user, event, context, message",
    [
        ("marketer", "party", "workspace", "unknown gamification event 'party'"),
        ("marketer", "manual", "workspace", "unknown gamification event 'manual'"),
        ("outsider", "daily_login", "workspace", "is not a member of this workspace"),
        ("marketer", "daily_login", None, "no workspace is set"),
    ],
)
def test_bad_input_gets_a_readable_error(tenant_a, tenant_b, user, event, context, message):
    person = tenant_b.owner if user == "outsider" else tenant_a.marketer
    with workspace_context(tenant_a.id if context else None, user_id=tenant_a.marketer.id):
        with pytest.raises(SQLFunctionError, match=message):
            services.record_event(user=person, event=event)


# ---------------------------------------------------------------- replay


@pytest.mark.django_db
def test_replay_credits_history_once(tenant_a):
    quest_achievement = make_achievement(tenant_a, target_value=2, event="quest_completed")
    campaign = make_campaign(tenant_a, created_by=tenant_a.marketer, status="active")
    quests = [make_quest(tenant_a, campaign, xp_reward=15) for _ in range(2)]
    with workspace_context(tenant_a.id):  # history written before events existed: no actor
        CampaignQuest.objects.filter(pk__in=[q.pk for q in quests]).update(status="completed", completed_at=timezone.now())
    assert stats_of(tenant_a, tenant_a.marketer) is None or stats_of(tenant_a, tenant_a.marketer).quests_completed == 0

    call_command("replay_gamification_events", "--as-user", tenant_a.owner.email, stdout=_Sink())
    stats = stats_of(tenant_a, tenant_a.marketer)
    assert stats.quests_completed == 2 and stats.total_xp >= 30
    assert progress_of(tenant_a, tenant_a.marketer, quest_achievement) == (2, True)
    launched = events_of(tenant_a, tenant_a.marketer, "campaign_launched")
    assert launched == [("campaign_launched", campaign.pk)]

    snapshot = (stats.total_xp, stats.quests_completed, stats.achievements_unlocked)
    call_command("replay_gamification_events", "--as-user", tenant_a.owner.email, stdout=_Sink())
    stats = stats_of(tenant_a, tenant_a.marketer)
    assert (stats.total_xp, stats.quests_completed, stats.achievements_unlocked) == snapshot


class _Sink:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


# ---------------------------------------------------------------- people see it


@pytest.mark.django_db
def test_marketers_see_their_progress_and_staff_the_leaderboard(tenant_a, client_for):
    campaign = make_campaign(tenant_a)
    quest = make_quest(tenant_a, campaign, xp_reward=120)
    marketer = client_for(tenant_a.marketer, tenant_a.workspace)
    marketer.post(f"/campaigns/quests/{quest.pk}/complete/")
    page = marketer.get("/campaigns/").content.decode()
    assert "My progress" in page and "Level 2" in page and "120 XP" in page
    assert f"{xp_for_level(3) - 120} XP to level 3" in page

    board = client_for(tenant_a.staff, tenant_a.workspace).get("/admin/gamification/achievement/leaderboard/").content.decode()
    assert tenant_a.marketer.get_full_name() in board and "Quests" in board and "Streak" in board


@pytest.mark.django_db
def test_xp_for_level_is_the_inverse_of_the_database_curve():
    for xp in (0, 99, 100, 399, 400, 8100, 36099, 36100):
        level = services.level_for_xp(xp)
        assert xp_for_level(level) <= xp < xp_for_level(level + 1)


# ---------------------------------------------------------------- exact under concurrency


def test_eight_connections_completing_quests_for_one_person_are_exact(committed_db):
    tenant = make_tenant("Busy Co")
    person = tenant.marketer
    achievements = [
        make_achievement(tenant, target_value=target, xp_reward=10, event="quest_completed", code=f"q-{target}")
        for target in (1, 50, 200)
    ]
    campaign = make_campaign(tenant)
    quests = [make_quest(tenant, campaign, xp_reward=3) for _ in range(200)]
    batches = [quests[n::8] for n in range(8)]
    barrier, errors = threading.Barrier(8), []

    def complete(batch):
        try:
            barrier.wait()
            for quest in batch:
                with workspace_context(tenant.id, user_id=person.id):
                    CampaignQuest.objects.filter(pk=quest.pk).update(status="completed", completed_at=timezone.now())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=complete, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    stats = stats_of(tenant, person)
    assert stats.quests_completed == 200
    assert stats.total_xp == 200 * 3 + 3 * 10
    assert stats.achievements_unlocked == 3
    for achievement in achievements:
        assert progress_of(tenant, person, achievement) == (achievement.target_value, True)
