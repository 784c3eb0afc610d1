"""Row-level security: workspace alerts, platform-wide alerts, personal notifications."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from alerts import services
from alerts.models import SystemAlert, UserNotification
from raptorflow.sql import SQLFunctionError
from raptorflow.tenancy import workspace_context
from tests.factories import make_tenant, make_user


def _scalar(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


# ---------------------------------------------------------------- schema


@pytest.mark.django_db
def test_both_tables_have_forced_rls_and_their_policies():
    rows = dict(
        (table, (enabled, forced, sorted(policies)))
        for table, enabled, forced, policies in _fetchall(
            """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, array_agg(p.polname::text)
            FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid
            WHERE c.relname IN ('system_alerts', 'user_notifications') GROUP BY 1, 2, 3
            """
        )
    )
    assert rows["system_alerts"] == (
        True,
        True,
        ["system_alerts_platform_owner", "system_alerts_workspace_isolation"],
    )
    assert rows["user_notifications"] == (True, True, ["user_notifications_member_insert", "user_notifications_own_rows"])


@pytest.mark.django_db
def test_only_the_table_owner_may_write_platform_wide_alerts():
    # The one write policy that matches workspace_id IS NULL is bound to the owner role, not to the app role.
    roles, owner = _fetchall(
        """
        SELECT p.polroles, c.relowner FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
        WHERE p.polname = 'system_alerts_platform_owner'
        """
    )[0]
    assert roles == [owner]
    assert _scalar("SELECT pg_has_role(current_user, %s, 'USAGE')", [owner]) is False
    assert _scalar("SELECT alerts_is_schema_owner()") is False


@pytest.mark.django_db
def test_no_alerts_function_is_security_definer():
    assert (
        _fetchall(
            """
            SELECT proname FROM pg_proc
            WHERE prosecdef AND proname IN ('raise_system_alert', 'acknowledge_system_alert', 'resolve_system_alert',
                'notify_user', 'mark_notification_read', 'mark_all_notifications_read', 'unread_notification_count')
            """
        )
        == []
    )


def _fetchall(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# ---------------------------------------------------------------- workspace alerts


@pytest.mark.django_db
def test_a_workspace_sees_only_its_own_alerts(tenant_a, tenant_b, raise_in):
    mine = raise_in(tenant_a, title="Alpha disk")
    raise_in(tenant_b, title="Bravo disk")
    with tenant_a.context():
        assert list(SystemAlert.objects.values_list("id", flat=True)) == [mine.id]


@pytest.mark.django_db
def test_a_workspace_cannot_change_or_acknowledge_another_workspaces_alert(tenant_a, tenant_b, raise_in):
    theirs = raise_in(tenant_b)
    with tenant_a.context():
        assert SystemAlert.objects.filter(id=theirs.id).update(title="hijacked") == 0
        assert SystemAlert.objects.filter(id=theirs.id).delete()[0] == 0
        with pytest.raises(SQLFunctionError, match="does not exist in this workspace"):
            services.acknowledge(alert=theirs, by=tenant_a.staff)
        with pytest.raises(SQLFunctionError, match="does not exist in this workspace"):
            services.resolve(alert=theirs, by=tenant_a.staff)
    with tenant_b.context():
        assert SystemAlert.objects.get(id=theirs.id).status == "open"


@pytest.mark.django_db
def test_without_a_workspace_nothing_is_visible_and_the_count_is_zero(tenant_a, raise_in):
    raise_in(tenant_a, severity="critical")
    with workspace_context(None, user_id=tenant_a.owner.id):
        assert SystemAlert.objects.count() == 0
        assert UserNotification.objects.count() == 0
        assert services.unread_count() == 0


# ---------------------------------------------------------------- platform-wide alerts


@pytest.mark.django_db
def test_platform_wide_alerts_are_visible_to_every_workspace(tenant_a, tenant_b, platform_alert):
    # Through their read path (platform_system_alerts(), alerts 0005), not the table's policy.
    for tenant in (tenant_a, tenant_b):
        with tenant.context():
            alert = SystemAlert.objects.platform_wide().get(id=platform_alert)
            assert alert.workspace_id is None and alert.is_platform_wide
            assert SystemAlert.objects.in_scope().filter(id=platform_alert).exists()


@pytest.mark.django_db
def test_platform_wide_alerts_are_not_writable_by_a_workspace(tenant_a, platform_alert):
    with tenant_a.context():
        assert SystemAlert.objects.filter(id=platform_alert).update(status="resolved", resolved_at="2030-01-01T00:00Z") == 0
        assert SystemAlert.objects.filter(id=platform_alert).delete()[0] == 0
        with pytest.raises(SQLFunctionError, match="platform-wide: a workspace may read it but not acknowledge it") as exc:
            services.acknowledge(alert=SystemAlert(id=platform_alert), by=tenant_a.staff)
        assert exc.value.sqlstate == "42501"
        with pytest.raises(SQLFunctionError, match="platform-wide: a workspace may read it but not resolve it"):
            services.resolve(alert=SystemAlert(id=platform_alert), by=tenant_a.staff)
        assert SystemAlert.objects.platform_wide().get(id=platform_alert).status == "open"


@pytest.mark.django_db
def test_a_workspace_cannot_insert_a_platform_wide_alert(tenant_a):
    with tenant_a.context():
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            SystemAlert.objects.create(workspace=None, severity="info", source="x", title="fake platform alert", fingerprint="x")
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            # Nor turn one of its own alerts into one.
            own = services.raise_alert(severity="info", source="x", title="own")
            SystemAlert.objects.filter(id=own.id).update(workspace=None)


@pytest.mark.django_db
def test_a_notification_may_refer_to_a_platform_wide_alert(tenant_a, platform_alert):
    with tenant_a.context():
        note = services.notify(user=tenant_a.staff, title="FYI", alert=SystemAlert(id=platform_alert))
    assert note.alert_id == platform_alert
    with tenant_a.context(tenant_a.staff):
        assert UserNotification.objects.get(id=note.id).alert_id == platform_alert
        # The fixture deletes the alert (as the owner) before this test's transaction ends.
        UserNotification.objects.filter(id=note.id).delete()


# ---------------------------------------------------------------- personal notifications


@pytest.mark.django_db
def test_a_user_never_sees_another_users_notifications_even_in_the_same_workspace(tenant_a):
    # The admin notifies the marketer: the row comes back to the caller...
    with tenant_a.context(tenant_a.staff):
        note = services.notify(user=tenant_a.marketer, title="Your campaign was approved", kind="success")
        assert note.user_id == tenant_a.marketer.id and note.workspace_id == tenant_a.id
        # ...but the admin cannot read, change or delete it afterwards.
        assert not UserNotification.objects.filter(id=note.id).exists()
        assert UserNotification.objects.filter(id=note.id).update(title="x") == 0
        assert UserNotification.objects.filter(id=note.id).delete()[0] == 0
    with tenant_a.context(tenant_a.viewer):
        assert UserNotification.objects.count() == 0
        assert services.unread_count() == 0
        with pytest.raises(SQLFunctionError, match="does not exist among your notifications"):
            services.mark_read(notification=note)
        assert services.mark_all_read() == 0
    with tenant_a.context(tenant_a.marketer):
        assert list(UserNotification.objects.values_list("title", flat=True)) == ["Your campaign was approved"]
        assert services.unread_count() == 1


@pytest.mark.django_db
def test_a_users_notifications_stay_in_their_workspace(tenant_a, tenant_b):
    from tests.factories import add_member

    add_member(tenant_b.workspace, tenant_a.marketer)
    with tenant_a.context():
        services.notify(user=tenant_a.marketer, title="Alpha news")
    with tenant_b.context(tenant_a.marketer):
        assert UserNotification.objects.count() == 0
        assert services.unread_count() == 0


@pytest.mark.django_db
def test_mark_read_and_mark_all_read_touch_only_the_callers_unread_notifications(tenant_a):
    with tenant_a.context():
        first = services.notify(user=tenant_a.marketer, title="one")
        services.notify(user=tenant_a.marketer, title="two")
        services.notify(user=tenant_a.marketer, title="three")
        services.notify(user=tenant_a.viewer, title="viewer's")
    with tenant_a.context(tenant_a.marketer):
        read = services.mark_read(notification=first)
        assert read.read_at is not None
        assert services.mark_read(notification=first).read_at == read.read_at  # idempotent
        assert services.unread_count() == 2
        assert services.mark_all_read() == 2
        assert services.unread_count() == 0
        assert services.mark_all_read() == 0
    with tenant_a.context(tenant_a.viewer):
        assert services.unread_count() == 1


@pytest.mark.django_db
def test_notifying_someone_outside_the_workspace_is_refused(tenant_a, tenant_b):
    with tenant_a.context():
        with pytest.raises(SQLFunctionError, match="is not a member of this workspace"):
            services.notify(user=tenant_b.owner, title="hello")
        # A direct INSERT is refused by the policy (and the membership key) as well.
        with pytest.raises(DatabaseError), transaction.atomic():
            UserNotification.objects.create(user=tenant_b.owner, title="hello")
        with pytest.raises(DatabaseError), transaction.atomic():
            UserNotification.objects.create(user=make_user(), title="hello")


@pytest.mark.django_db
def test_notify_refuses_bad_input_with_a_readable_message(tenant_a):
    with tenant_a.context():
        with pytest.raises(SQLFunctionError, match="kind must be one of info, success, warning, error, alert, got 'spam'"):
            services.notify(user=tenant_a.owner, title="t", kind="spam")
        with pytest.raises(SQLFunctionError, match="title is required"):
            services.notify(user=tenant_a.owner, title=" ")
        with pytest.raises(SQLFunctionError, match="link must be a relative path or an http"):
            services.notify(user=tenant_a.owner, title="t", link="javascript:alert(1)")
    with pytest.raises(SQLFunctionError, match="no workspace is set"):
        services.notify(user=tenant_a.owner, title="t")


@pytest.mark.django_db
def test_a_notification_cannot_point_at_another_workspaces_alert(tenant_a, tenant_b, raise_in):
    theirs = raise_in(tenant_b, title="Bravo secret")
    with tenant_a.context():
        with pytest.raises(SQLFunctionError, match="does not exist in this workspace"):
            services.notify(user=tenant_a.owner, title="t", alert=theirs)
        # The trigger refuses the same through a direct write, although the plain foreign key would accept it.
        with pytest.raises(DatabaseError, match="does not exist in this workspace"), transaction.atomic():
            UserNotification.objects.create(user=tenant_a.staff, title="t", alert_id=theirs.id)
        own = services.notify(user=tenant_a.staff, title="t")
    with tenant_a.context(tenant_a.staff):
        with pytest.raises(DatabaseError, match="does not exist in this workspace"), transaction.atomic():
            UserNotification.objects.filter(id=own.id).update(alert_id=theirs.id)


@pytest.mark.django_db
def test_leaving_a_workspace_removes_the_members_notifications(tenant_a):
    from raptorflow.models import WorkspaceMember

    with tenant_a.context():
        note = services.notify(user=tenant_a.marketer, title="bye")
        WorkspaceMember.objects.filter(user=tenant_a.marketer).delete()
    with tenant_a.context(tenant_a.marketer):
        assert not UserNotification.objects.filter(id=note.id).exists()


# ---------------------------------------------------------------- concurrency


def test_concurrent_raises_of_one_fingerprint_make_one_alert_with_every_occurrence(committed_db, web_connect):
    tenant = make_tenant()
    workers = 8
    barrier = threading.Barrier(workers)
    errors = []

    def raise_once():
        try:
            with web_connect() as conn:
                conn.execute(
                    "SELECT set_config('app.current_workspace_id', %s, true), set_config('app.current_user_id', %s, true)",
                    [str(tenant.id), str(tenant.staff.id)],
                )
                barrier.wait(timeout=10)
                conn.execute("SELECT raise_system_alert('critical', 'queue', 'Backlog over 10k', '', '{}', 'queue-backlog')")
                conn.commit()
        except Exception as exc:  # collected: an exception in a thread would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=raise_once) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    with tenant.context():
        [alert] = SystemAlert.objects.filter(fingerprint="queue-backlog")
        assert alert.occurrence_count == workers
    # The owner was notified once, not once per raise.
    with tenant.context(tenant.owner):
        assert UserNotification.objects.filter(alert_id=alert.id).count() == 1


# ---------------------------------------------------------------- deletes reach rows RLS hides from the caller


@pytest.mark.django_db
def test_deleting_a_workspace_removes_every_users_notifications_and_its_alerts(tenant_a, raise_in):
    from raptorflow import services as core_services

    raise_in(tenant_a, severity="critical")  # notifies the owner and the staff member
    with tenant_a.context():
        services.notify(user=tenant_a.marketer, title="hello")
    with tenant_a.context(tenant_a.owner):
        core_services.delete_workspace(workspace=tenant_a.workspace)
    with tenant_a.context(tenant_a.staff):
        assert UserNotification.objects.count() == 0
        assert SystemAlert.objects.count() == 0


@pytest.mark.django_db
def test_deleting_a_user_who_handled_alerts_in_two_workspaces_keeps_the_alerts(tenant_a, tenant_b, raise_in):
    from tests.factories import add_member

    add_member(tenant_b.workspace, tenant_a.owner, "admin")
    alerts = {}
    for tenant in (tenant_a, tenant_b):
        alerts[tenant.id] = raise_in(tenant)
        with tenant.context():
            services.acknowledge(alert=alerts[tenant.id], by=tenant_a.owner)
    # Raw SQL: Django's collector would also walk django_admin_log, which the web role may not read.
    from raptorflow.models import WorkspaceMember

    for tenant in (tenant_a, tenant_b):
        with tenant.context():
            WorkspaceMember.objects.filter(user=tenant_a.owner).delete()
    with tenant_a.context():
        _scalar("WITH gone AS (DELETE FROM users WHERE id = %s RETURNING 1) SELECT count(*) FROM gone", [tenant_a.owner.id])
    for tenant in (tenant_a, tenant_b):
        with tenant.context():
            alert = SystemAlert.objects.get(id=alerts[tenant.id].id)
            assert alert.status == "acknowledged" and alert.acknowledged_by_id is None
