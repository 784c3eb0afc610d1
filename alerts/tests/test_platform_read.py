"""Platform-wide alerts read through their own path; the table's SELECT policy is one equality (issue 19, alerts 0005).

Before alerts 0005 the app role had two permissive SELECT policies on
system_alerts (``workspace_id = current`` OR ``workspace_id IS NULL``): a query
relying on RLS alone became a BitmapOr plus a sort of every matching row of
the workspace instead of an ordered index scan that stops after the page.
These tests fail on that design: the plan, the policies, the read path.
"""

import pytest
from django.db import DatabaseError, connection, transaction

from alerts.models import SystemAlert, UserNotification
from raptorflow.tenancy import workspace_context

LATEST_OPEN_RLS_ONLY = "SELECT * FROM system_alerts WHERE status = 'open' ORDER BY last_seen_at DESC LIMIT 50"


def _fetchall(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _plan(sql, params=()):
    return "\n".join(row[0] for row in _fetchall("EXPLAIN (COSTS OFF) " + sql, params))


def _many_open_alerts(tenant, n=400):
    with tenant.context():
        SystemAlert.objects.bulk_create(
            SystemAlert(
                workspace_id=tenant.id, severity="warning", source=f"s{i % 7}", title=f"alert {i}", fingerprint=f"fp-{i}"
            )
            for i in range(n)
        )


@pytest.mark.django_db
def test_the_app_roles_select_policy_on_system_alerts_is_one_workspace_equality():
    # Every permissive policy that applies to the app role for SELECT (roles PUBLIC or the app role).
    rows = _fetchall(
        """
        SELECT policyname, qual FROM pg_policies
        WHERE tablename = 'system_alerts' AND permissive = 'PERMISSIVE' AND cmd IN ('SELECT', 'ALL')
          AND ('public' = ANY (roles) OR EXISTS (
                SELECT 1 FROM unnest(roles) r WHERE pg_has_role(current_user, r, 'MEMBER')))
        """
    )
    assert [name for name, _ in rows] == ["system_alerts_workspace_isolation"]
    assert "IS NULL" not in rows[0][1] and " OR " not in rows[0][1].upper()


@pytest.mark.django_db
def test_latest_open_alerts_relying_on_rls_alone_walk_the_ordered_index(tenant_a, tenant_b):
    _many_open_alerts(tenant_a)
    _many_open_alerts(tenant_b, 50)
    with tenant_a.context():
        # What a large workspace makes the planner prefer (a test table is too small to say it
        # by its statistics): neither a sequential scan nor a sort of the workspace's open alerts.
        _fetchall("SELECT set_config('enable_seqscan', 'off', true), set_config('enable_sort', 'off', true)")
        plan = _plan(LATEST_OPEN_RLS_ONLY)
        # One index walked in the page's order, from the workspace's first open alert: the
        # policy's equality is an index condition. With the OR policy it never was (BitmapOr,
        # or a whole-index scan filtering every workspace's rows).
        assert "BitmapOr" not in plan and "Sort" not in plan and "Filter" not in plan, plan
        assert "Index Scan using system_alerts_ws_status_idx" in plan, plan
        assert "Index Cond: ((workspace_id = $0) AND ((status)::text = 'open'::text))" in plan, plan
        rows = _fetchall(LATEST_OPEN_RLS_ONLY)
    assert len(rows) == 50


@pytest.mark.django_db
def test_platform_wide_alerts_are_visible_to_every_workspaces_staff_through_their_read_path(
    tenant_a, tenant_b, platform_alert
):
    for tenant in (tenant_a, tenant_b):
        with tenant.context(tenant.staff):
            assert list(SystemAlert.objects.platform_wide().values_list("id", flat=True)) == [platform_alert]
            assert SystemAlert.objects.in_scope().filter(id=platform_alert).get().is_platform_wide
            # The table itself shows a workspace only its own alerts.
            assert not SystemAlert.objects.filter(id=platform_alert).exists()
            assert _fetchall("SELECT count(*) FROM platform_system_alerts()") == [(1,)]
    # No workspace, nothing (fail closed, as the policies).
    with workspace_context(None, user_id=tenant_a.staff.id):
        assert not SystemAlert.objects.platform_wide().exists()
        assert not SystemAlert.objects.in_scope().exists()


@pytest.mark.django_db
def test_in_scope_is_the_workspaces_alerts_and_the_platform_wide_ones_never_another_workspaces(
    tenant_a, tenant_b, raise_in, platform_alert
):
    mine = raise_in(tenant_a, title="Alpha disk")
    theirs = raise_in(tenant_b, title="Bravo disk")
    with tenant_a.context():
        assert set(SystemAlert.objects.in_scope().values_list("id", flat=True)) == {mine.id, platform_alert}
        assert set(SystemAlert.objects.in_scope().of_workspace(tenant_a.id).values_list("id", flat=True)) == {mine.id}
        assert not SystemAlert.objects.in_scope().filter(id=theirs.id).exists()
        assert not SystemAlert.objects.platform_wide().filter(id=theirs.id).exists()
        # Composes like the table: count, ordering, joins, pagination.
        assert SystemAlert.objects.in_scope().select_related("acknowledged_by").order_by("-last_seen_at", "-id").count() == 2
        assert SystemAlert.objects.in_scope().filter(id__in=SystemAlert.objects.platform_wide().values("id")).count() == 1


@pytest.mark.django_db
def test_platform_wide_alerts_stay_unwritable_by_a_workspace(tenant_a, platform_alert):
    with tenant_a.context(tenant_a.staff):
        for sql in (
            "UPDATE system_alerts SET title = 'hijacked' WHERE id = %s",
            "DELETE FROM system_alerts WHERE id = %s",
        ):
            with connection.cursor() as cursor:
                cursor.execute(sql, [platform_alert])
                assert cursor.rowcount == 0
        # The read path returns rows, it is not a way to write them.
        with pytest.raises(DatabaseError), transaction.atomic():
            _fetchall("UPDATE platform_system_alerts() SET title = 'x'")
        assert SystemAlert.objects.platform_wide().get(id=platform_alert).title == "Provider maintenance window"


@pytest.mark.django_db
def test_the_read_path_is_a_definer_with_a_pinned_search_path_executable_by_the_app_role_only():
    (definer, config, public_may, app_may) = _fetchall(
        """
        SELECT p.prosecdef, p.proconfig,
               has_function_privilege('public', p.oid, 'EXECUTE'),
               has_function_privilege(current_user, p.oid, 'EXECUTE')
        FROM pg_proc p WHERE p.proname = 'platform_system_alerts' AND p.pronamespace = 'public'::regnamespace
        """
    )[0]
    assert definer and any(c.startswith("search_path=") for c in config)
    assert app_may and not public_may


@pytest.mark.django_db
def test_verify_schemas_probe_sees_no_alert_without_a_workspace_platform_wide_ones_included(platform_alert):
    # The probe once excused system_alerts from "no context sees nothing" for the platform-wide read policy.
    from raptorflow.management.commands.verify_schema import Command

    (check,) = Command().probe()
    assert check.passed, check.problems


@pytest.mark.django_db
def test_the_inbox_names_the_platform_wide_alert_a_notification_is_about(tenant_a, client_for, platform_alert):
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from alerts import services

    with tenant_a.context():
        about = services.notify(user=tenant_a.staff, title="FYI maintenance", alert=SystemAlert(id=platform_alert))
        services.notify(user=tenant_a.staff, title="no alert")
    client = client_for(tenant_a.staff, tenant_a)
    alert_url = reverse("admin:alerts_systemalert_change", args=[platform_alert])
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("admin:alerts_usernotification_changelist")).content.decode()
    assert alert_url in html and "Provider maintenance window" in html
    assert sum("platform_system_alerts()" in q["sql"] for q in queries.captured_queries) == 1
    detail = client.get(reverse("admin:alerts_usernotification_change", args=[about.id])).content.decode()
    assert alert_url in detail and "Provider maintenance window" in detail
    # The link opens the platform-wide alert, read-only.
    page = client.get(alert_url)
    assert page.status_code == 200 and "Provider maintenance window" in page.content.decode()
    with tenant_a.context(tenant_a.staff):
        UserNotification.objects.filter(id=about.id).delete()
