"""The live schema of gamification matches gamification/manifest.py, and RLS binds every table."""


import pytest
from django.db import IntegrityError, connection, transaction

from gamification import manifest
from gamification.models import Achievement, UserAchievement, UserStats
from gamification.tests.factories import make_achievement
from raptorflow import schema_checks

pytestmark = pytest.mark.django_db


def test_live_schema_matches_the_manifest():
    catalog = schema_checks.Catalog()
    checks = schema_checks.domain_checks(2, "gamification", catalog)
    failed = {c.name: c.problems for c in checks if not c.passed}
    assert not failed, f"{failed}\nlive: {schema_checks.current_manifests()['gamification']}"


def test_every_foreign_key_of_gamification_leads_an_index():
    catalog = schema_checks.Catalog()
    check = next(c for c in schema_checks.summary_checks(catalog) if c.name == "every foreign key column indexed")
    mine = [p for p in check.problems if p.split("(")[0] in manifest.EXPECTED["tables"]]
    assert mine == []


def test_every_gamification_function_is_security_invoker():
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname FROM pg_proc WHERE prosecdef AND proname = ANY(%s)", [manifest.EXPECTED["functions"]])
        assert cursor.fetchall() == []


def test_tables_are_forced_under_rls_for_a_role_that_cannot_bypass_it():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone()[0] is False
        cursor.execute(
            "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class WHERE relname = ANY(%s)",
            [manifest.EXPECTED["tables"]],
        )
        assert dict(cursor.fetchall()) == {t: True for t in manifest.EXPECTED["tables"]}


def _populate(tenant):
    from gamification import services

    achievement = make_achievement(tenant)
    with tenant.context():
        services.award_achievement(user=tenant.marketer, achievement=achievement)
    return achievement


def test_each_workspace_sees_only_its_own_rows(tenant_a, tenant_b):
    mine, theirs = _populate(tenant_a), _populate(tenant_b)
    with tenant_a.context():
        assert list(Achievement.objects.values_list("id", flat=True)) == [mine.id]
        assert {ua.achievement_id for ua in UserAchievement.objects.all()} == {mine.id}
        assert [s.user_id for s in UserStats.objects.all()] == [tenant_a.marketer.id]
        # Writes to the other workspace's rows touch nothing.
        assert Achievement.objects.filter(id=theirs.id).update(name="hijacked") == 0
        assert UserStats.objects.filter(workspace=tenant_b.workspace).delete()[0] == 0
    with tenant_b.context():
        assert Achievement.objects.get().name == theirs.name


def test_without_a_workspace_nothing_is_visible_or_writable(tenant_a):
    from raptorflow.tenancy import workspace_context

    _populate(tenant_a)
    with workspace_context(None):
        assert Achievement.objects.count() == UserAchievement.objects.count() == UserStats.objects.count() == 0
        with pytest.raises(Exception, match="row-level security"), transaction.atomic():
            Achievement.objects.create(
                workspace=tenant_a.workspace, code="x", name="X", criteria={"event": "manual", "count": 1}
            )


def test_inserting_into_another_workspace_is_refused(tenant_a, tenant_b):
    with tenant_a.context(), pytest.raises(Exception, match="row-level security"), transaction.atomic():
        Achievement.objects.create(workspace=tenant_b.workspace, code="x", name="X", criteria={"event": "manual", "count": 1})


def test_direct_insert_of_foreign_achievement_is_refused_with_a_readable_error(tenant_a, tenant_b):
    foreign = make_achievement(tenant_b)
    with tenant_a.context(), pytest.raises(Exception, match="does not exist in this workspace"), transaction.atomic():
        UserAchievement.objects.create(workspace=tenant_a.workspace, user=tenant_a.marketer, achievement=foreign)


def test_stats_for_a_non_member_are_refused_with_a_readable_error(tenant_a, tenant_b):
    with tenant_a.context(), pytest.raises(Exception, match="is not a member of this workspace"), transaction.atomic():
        UserStats.objects.create(workspace=tenant_a.workspace, user=tenant_b.marketer)


def test_progress_above_the_target_is_refused(tenant_a):
    achievement = make_achievement(tenant_a, target_value=5)
    with tenant_a.context(), pytest.raises(Exception, match='progress 6 is above the target 5'), transaction.atomic():
        UserAchievement.objects.create(workspace=tenant_a.workspace, user=tenant_a.marketer, achievement=achievement, progress=6)


def test_a_completed_achievement_is_final(tenant_a):
    from gamification import services

    achievement = _populate(tenant_a)
    with tenant_a.context():
        row = UserAchievement.objects.get(achievement=achievement)
        with pytest.raises(Exception, match="already completed"), transaction.atomic():
            UserAchievement.objects.filter(pk=row.pk).update(completed_at=None, progress=0)
        stats = services.refresh_user_stats(user=tenant_a.marketer)
    assert stats.achievements_unlocked == 1


def test_removing_a_member_removes_their_progress_and_stats(tenant_a):
    from raptorflow.models import WorkspaceMember

    _populate(tenant_a)
    with tenant_a.context():
        WorkspaceMember.objects.filter(user=tenant_a.marketer).delete()
        assert not UserAchievement.objects.exists() and not UserStats.objects.exists()


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ([], "criteria must be a JSON object"),
        ({"count": 3}, '"event" is required'),
        ({"event": "bought_coffee", "count": 3}, "unknown event \"bought_coffee\""),
        ({"event": "quest_completed"}, '"count" is required'),
        ({"event": "quest_completed", "count": 2.5}, '"count" must be a whole number >= 1, got 2.5'),
        ({"event": "quest_completed", "count": "3"}, '"count" must be a whole number'),
        ({"event": "quest_completed", "count": 4}, r'"count" \(4\) must equal the target value \(3\)'),
        ({"event": "quest_completed", "count": 3, "within_days": 0}, '"within_days" must be a whole number from 1 to 365'),
        ({"event": "quest_completed", "count": 3, "colour": "red"}, 'unknown key "colour"'),
    ],
)
def test_bad_criteria_are_refused_by_the_database_with_a_readable_message(tenant_a, criteria, message):
    with tenant_a.context(), pytest.raises(IntegrityError, match=message), transaction.atomic():
        Achievement.objects.create(workspace=tenant_a.workspace, code="bad", name="Bad", target_value=3, criteria=criteria)


def test_every_documented_event_is_accepted(tenant_a):
    from gamification import services
    from gamification.models import CRITERIA_EVENTS

    with tenant_a.context():
        problems = {e: services.criteria_problem({"event": e, "count": 2, "within_days": 30}, target_value=2) for e in CRITERIA_EVENTS}
    assert problems == {e: None for e in CRITERIA_EVENTS}


def test_deleting_a_user_reaches_their_awards_in_workspaces_hidden_from_the_caller(tenant_a, tenant_b):
    from gamification import services
    from tests.factories import make_user

    awarder = make_user(is_staff=True)  # platform staff, member of no workspace
    achievement = make_achievement(tenant_b)
    with tenant_b.context():
        services.award_achievement(user=tenant_b.marketer, achievement=achievement, awarded_by=awarder)
    # Deleted from workspace A's context: B's row is invisible to Django's collector.
    with tenant_a.context(user=tenant_a.owner), connection.cursor() as cursor:
        cursor.execute("DELETE FROM users WHERE id = %s", [awarder.pk])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what commit would check
    with tenant_b.context():
        row = UserAchievement.objects.get()
        assert row.awarded_by_id is None and row.completed_at is not None
        assert UserStats.objects.get(user=tenant_b.marketer).achievements_unlocked == 1
