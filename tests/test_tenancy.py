"""Workspace isolation of the tenancy core: tests for each pitfall of docs/tenancy.md."""

import os
import subprocess
import sys
import uuid

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.test import override_settings

from conftest import TEST_WEB_PASSWORD, TEST_WEB_ROLE, owner_url
from raptorflow.middleware import SESSION_KEY
from raptorflow.models import Cohort, TenantModel, Workspace, WorkspaceMember
from raptorflow.tenancy import current_workspace_id, ensure_rls_enforced, rls_bypass_reasons, workspace_context
from tests.factories import make_cohort, make_tenant, make_user

TENANT_MODELS = [m for m in apps.get_models() if issubclass(m, TenantModel)]


def scalar(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


# ---------------------------------------------------------------- pitfall 1: the role RLS binds

@pytest.mark.django_db
def test_queries_run_as_a_role_that_rls_binds():
    assert scalar("SELECT current_user") == TEST_WEB_ROLE
    assert scalar("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user") is False
    assert rls_bypass_reasons() == []


@pytest.mark.django_db
def test_every_table_with_a_workspace_id_has_forced_rls_and_policies():
    rows = {
        table: (enabled, forced, policies)
        for table, enabled, forced, policies in _fetchall(
            """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
            FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
              AND a.attname = 'workspace_id' AND NOT a.attisdropped
            """
        )
    }
    assert {m._meta.db_table for m in TENANT_MODELS} <= set(rows)
    for table, (enabled, forced, policies) in rows.items():
        assert enabled and forced and policies > 0, f"{table} is not under enabled+forced RLS with policies"


def _fetchall(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# ---------------------------------------------------------------- isolation both ways

@pytest.mark.django_db
def test_each_workspace_sees_only_its_own_cohorts(tenant_a, tenant_b):
    make_cohort(tenant_a.workspace, "Alpha runners")
    make_cohort(tenant_b.workspace, "Bravo drinkers")
    with tenant_a.context():
        assert list(Cohort.objects.values_list("name", flat=True)) == ["Alpha runners"]
    with tenant_b.context():
        assert list(Cohort.objects.values_list("name", flat=True)) == ["Bravo drinkers"]


@pytest.mark.django_db
def test_a_workspace_cannot_update_or_delete_another_workspaces_rows(tenant_a, tenant_b):
    theirs = make_cohort(tenant_b.workspace, "Bravo drinkers")
    with tenant_a.context():
        assert Cohort.objects.filter(id=theirs.id).update(name="hijacked") == 0
        assert Cohort.objects.filter(id=theirs.id).delete()[0] == 0
    with tenant_b.context():
        assert Cohort.objects.get(id=theirs.id).name == "Bravo drinkers"


@pytest.mark.django_db
def test_a_workspace_cannot_insert_rows_into_another_workspace(tenant_a, tenant_b):
    with tenant_a.context():
        with pytest.raises(ProgrammingError, match="row-level security"):
            with transaction.atomic():
                Cohort.objects.create(workspace=tenant_b.workspace, name="smuggled")


@pytest.mark.django_db
def test_members_list_of_a_workspace_hides_other_workspaces(tenant_a, tenant_b):
    with tenant_a.context():
        visible = set(WorkspaceMember.objects.values_list("workspace_id", flat=True))
    assert visible == {tenant_a.id}


@pytest.mark.django_db
def test_unique_names_are_per_workspace_and_reveal_nothing(tenant_a, tenant_b):
    make_cohort(tenant_b.workspace, "Shared name")
    # Same name in another workspace is fine: the unique rule includes workspace_id (pitfall 8).
    make_cohort(tenant_a.workspace, "Shared name")
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            make_cohort(tenant_a.workspace, "Shared name")


# ---------------------------------------------------------------- fail closed (pitfall 4)

@pytest.mark.django_db
def test_with_no_workspace_every_tenant_table_reads_empty(tenant_a):
    make_cohort(tenant_a.workspace, "Alpha runners")
    with tenant_a.context():
        pass  # a context that has ended leaves '' behind, not NULL
    assert scalar("SELECT current_setting('app.current_workspace_id', true)") in ("", None)
    for model in TENANT_MODELS:
        assert model.objects.count() == 0, model


@pytest.mark.django_db
def test_with_no_workspace_nothing_can_be_written(tenant_a):
    with transaction.atomic():
        with pytest.raises(ProgrammingError, match="row-level security"):
            with transaction.atomic():
                Cohort.objects.create(workspace=tenant_a.workspace, name="orphan")


@pytest.mark.django_db
def test_workspace_context_restores_the_outer_context(tenant_a, tenant_b):
    with tenant_a.context():
        with tenant_b.context():
            assert current_workspace_id() == tenant_b.id
        assert current_workspace_id() == tenant_a.id
    assert current_workspace_id() is None


@pytest.mark.django_db
def test_workspaces_are_visible_only_to_members_and_in_context(tenant_a, tenant_b):
    with workspace_context(None, user_id=tenant_a.marketer.id):
        assert list(Workspace.objects.values_list("id", flat=True)) == [tenant_a.id]
    with workspace_context(None, user_id=None):
        assert Workspace.objects.count() == 0


# ---------------------------------------------------------------- requests (pitfalls 2, 3, 5, 13)

@pytest.mark.urls("tests.probe_urls")
@override_settings(CONN_MAX_AGE=60)
def test_no_context_carries_over_between_requests_on_a_persistent_connection(committed_db, client_for):
    a, b = make_tenant("Alpha Apparel"), make_tenant("Bravo Beverages")
    make_cohort(a.workspace, "Alpha runners")
    make_cohort(b.workspace, "Bravo drinkers")
    connection.close()

    # Request 1: a marketer of A. The view sees A's workspace inside its transaction (pitfall 3).
    first = client_for(a.marketer, a.workspace).get("/probe/context/").json()
    assert first["workspace"] == str(a.id)
    assert first["user"] == str(a.marketer.id)
    assert first["cohorts"] == ["Alpha runners"]

    # Between requests, on the very same connection: nothing left behind (pitfall 2).
    assert scalar("SELECT pg_backend_pid()") == first["pid"]
    assert scalar("SELECT current_setting('app.current_workspace_id', true)") in ("", None)
    assert Cohort.objects.count() == 0

    # Request 2 on the same connection: an anonymous request sees nothing.
    from django.test import Client

    second = Client().get("/probe/context/").json()
    assert second["pid"] == first["pid"]
    assert second["workspace"] in ("", None)
    assert second["cohorts"] == []

    # Request 3: a marketer of B sees only B.
    third = client_for(b.marketer, b.workspace).get("/probe/context/").json()
    assert third["pid"] == first["pid"]
    assert third["cohorts"] == ["Bravo drinkers"]


@pytest.mark.urls("tests.probe_urls")
def test_a_view_writing_into_another_workspace_gets_403_not_500(tenant_a, tenant_b, client_for):
    response = client_for(tenant_a.marketer, tenant_a.workspace).get(
        f"/probe/write-elsewhere/?workspace={tenant_b.id}"
    )
    assert response.status_code == 403
    assert b"row-level security" not in response.content
    with tenant_b.context():
        assert not Cohort.objects.filter(name="smuggled").exists()


@pytest.mark.urls("tests.probe_urls")
def test_a_failing_view_keeps_none_of_its_writes(committed_db):
    from django.test import Client

    a = make_tenant("Alpha Apparel")
    client = Client(raise_request_exception=False)
    client.force_login(a.marketer)
    response = client.get("/probe/write-then-fail/")
    assert response.status_code == 500
    with a.context():
        assert not Cohort.objects.filter(name="half-written").exists()


# ---------------------------------------------------------------- the workspace choice

@pytest.mark.django_db
def test_switching_to_a_workspace_of_which_the_user_is_not_a_member_is_refused(tenant_a, tenant_b, client_for):
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    response = client.post("/workspaces/", {"workspace": str(tenant_b.id)})
    assert response.status_code == 403
    assert client.session.get(SESSION_KEY) != str(tenant_b.id)


@pytest.mark.django_db
def test_a_forged_workspace_header_is_refused(tenant_a, tenant_b, client_for):
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    assert client.get("/", HTTP_X_WORKSPACE_ID=str(tenant_b.id)).status_code == 403
    assert client.get("/", HTTP_X_WORKSPACE_ID="not-a-uuid").status_code == 403
    assert client.get("/", HTTP_X_WORKSPACE_ID=str(tenant_a.id)).status_code == 200


@pytest.mark.django_db
def test_a_forged_session_workspace_is_refused_and_forgotten(tenant_a, tenant_b, client_for):
    client = client_for(tenant_a.marketer, tenant_b.workspace)
    assert client.get("/").status_code == 403
    # The bad choice is dropped; the next request falls back to the user's own workspace.
    response = client.get("/")
    assert response.status_code == 200
    assert tenant_a.workspace.name in response.content.decode()
    assert tenant_b.workspace.name not in response.content.decode()


@pytest.mark.django_db
def test_members_switch_between_their_own_workspaces(tenant_a, tenant_b, client_for):
    tenant_b_membership = tenant_b.workspace
    from tests.factories import add_member

    add_member(tenant_b_membership, tenant_a.marketer, WorkspaceMember.Role.VIEWER)
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    response = client.post("/workspaces/", {"workspace": str(tenant_b.id), "next": "/"})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(tenant_b.id)
    assert tenant_b.workspace.name in client.get("/").content.decode()


@pytest.mark.django_db
def test_superusers_may_enter_any_workspace(tenant_a, tenant_b, client_for):
    root = make_user(is_staff=True, is_superuser=True)
    client = client_for(root)
    response = client.post("/workspaces/", {"workspace": str(tenant_b.id), "next": "/admin/"})
    assert response.status_code == 302
    page = client.get("/admin/").content.decode()
    assert f'data-testid="current-workspace">{tenant_b.workspace.name}<' in page
    # The switcher lists every workspace for a superuser.
    assert tenant_a.workspace.name in page


# ---------------------------------------------------------------- admin

@pytest.mark.django_db
def test_admin_header_lists_only_the_staff_members_workspaces(tenant_a, tenant_b, client_for):
    page = client_for(tenant_a.staff, tenant_a.workspace).get("/admin/").content.decode()
    assert f'data-testid="current-workspace">{tenant_a.workspace.name}<' in page
    assert tenant_b.workspace.name not in page


@pytest.mark.django_db
def test_admin_cohort_list_shows_only_the_current_workspace(tenant_a, tenant_b, client_for):
    make_cohort(tenant_a.workspace, "Alpha runners")
    make_cohort(tenant_b.workspace, "Bravo drinkers")
    page = client_for(tenant_a.staff, tenant_a.workspace).get("/admin/raptorflow/cohort/").content.decode()
    assert "Alpha runners" in page
    assert "Bravo drinkers" not in page


@pytest.mark.django_db
def test_admin_change_form_of_another_workspaces_row_is_not_found(tenant_a, tenant_b, client_for):
    theirs = make_cohort(tenant_b.workspace, "Bravo drinkers")
    client = client_for(tenant_a.staff, tenant_a.workspace)
    url = f"/admin/raptorflow/cohort/{theirs.id}/change/"
    # Pitfall 9: a hidden pk is "does not exist", never an IntegrityError page.
    assert client.get(url).status_code == 302
    response = client.post(url, {"name": "hijacked", "description": "", "criteria": "{}", "size_estimate": 1})
    assert response.status_code == 302
    with tenant_b.context():
        assert Cohort.objects.get(id=theirs.id).name == "Bravo drinkers"


@pytest.mark.django_db
def test_admin_adds_cohorts_to_the_current_workspace(tenant_a, client_for):
    client = client_for(tenant_a.staff, tenant_a.workspace)
    response = client.post(
        "/admin/raptorflow/cohort/add/",
        {"name": "New segment", "description": "", "criteria": '{"plan": "pro"}', "size_estimate": 10},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_a.context():
        assert Cohort.objects.get(name="New segment").workspace_id == tenant_a.id


@pytest.mark.django_db
def test_marketers_cannot_reach_the_admin(tenant_a, client_for):
    response = client_for(tenant_a.marketer, tenant_a.workspace).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# ---------------------------------------------------------------- functions and views (pitfall 7)

@pytest.mark.django_db
def test_no_security_definer_function_without_a_pinned_search_path():
    rows = _fetchall(
        "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND prosecdef AND proconfig IS NULL"
    )
    assert rows == []


@pytest.mark.django_db
def test_every_view_over_tables_is_security_invoker():
    rows = _fetchall(
        """
        SELECT c.relname FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v'
          AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)
        """
    )
    assert rows == []


@pytest.mark.django_db
def test_policies_read_the_setting_once_per_statement():
    # Pitfall 12: the setting is read in a scalar subquery (an InitPlan), not per row.
    quals = _fetchall(
        "SELECT tablename, policyname, coalesce(qual, with_check) FROM pg_policies WHERE schemaname = 'public'"
    )
    assert quals
    for table, policy, qual in quals:
        if "current_setting" in qual:
            assert "( SELECT (NULLIF(current_setting" in qual, (table, policy, qual)


# ---------------------------------------------------------------- startup guard

@pytest.mark.django_db
def test_startup_guard_accepts_the_web_role():
    ensure_rls_enforced()


def test_startup_guard_refuses_the_owner(owner_conn):
    reasons = rls_bypass_reasons(owner_conn)
    assert reasons, "the owner (migrations' role) must count as bypassing RLS"
    with pytest.raises(ImproperlyConfigured, match="Refusing to start"):
        ensure_rls_enforced(owner_conn)
    with override_settings(RAPTORFLOW_ALLOW_RLS_BYPASS=True):
        ensure_rls_enforced(owner_conn)


def test_the_wsgi_process_refuses_to_start_as_the_owner(owner_conn):
    env = dict(os.environ, DATABASE_URL=owner_url(), RAPTORFLOW_ALLOW_RLS_BYPASS="false", SECRET_KEY="x")
    result = subprocess.run(
        [sys.executable, "-c", "import raptorflow.wsgi"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr


def test_the_wsgi_process_starts_as_the_web_role(owner_conn):
    env = dict(os.environ, DATABASE_URL=owner_url(user=TEST_WEB_ROLE, password=TEST_WEB_PASSWORD), SECRET_KEY="x")
    result = subprocess.run(
        [sys.executable, "-c", "import raptorflow.wsgi"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- commands

@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_goes_in_through_rls():
    from django.core.management import call_command

    # Tests run with DEBUG off, like production: the flag says the demo accounts are meant.
    call_command("seed_demo", allow_production=True, verbosity=0)
    counts = _counts()
    call_command("seed_demo", allow_production=True, verbosity=0)
    assert _counts() == counts
    # Four people per workspace, the person in both (two memberships) and the superuser (none).
    assert counts["users"] == 10 and counts["workspace_members"] == 10


def _counts():
    from raptorflow.models import User

    owner = User.objects.get(email="olivia.owner@acme.example")
    with workspace_context(None, user_id=owner.id):
        ws = Workspace.objects.get(slug="acme-outdoor")
    with workspace_context(ws.id):
        cohorts = Cohort.objects.count()
        members = WorkspaceMember.objects.count()
    other_owner = User.objects.get(email="nora.owner@northwind.example")
    with workspace_context(None, user_id=other_owner.id):
        ws2 = Workspace.objects.get(slug="northwind-analytics")
    with workspace_context(ws2.id):
        members += WorkspaceMember.objects.count()
    return {"users": User.objects.count(), "cohorts": cohorts, "workspace_members": members}


def test_provision_roles_is_idempotent(owner_conn):
    name = f"rf_login_{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, DATABASE_URL=owner_url(), SECRET_KEY="x")
    try:
        for _ in range(2):
            result = subprocess.run(
                [sys.executable, "manage.py", "provision_roles", "--login", name, "--password", "pw"],
                env=env, capture_output=True, text=True, timeout=120,
            )
            assert result.returncode == 0, result.stderr
            assert f"Login role '{name}' ready" in result.stdout
        row = owner_conn.execute(
            "SELECT rolcanlogin, rolsuper, rolbypassrls, pg_has_role(rolname, 'raptorflow_app', 'MEMBER') FROM pg_roles WHERE rolname = %s",
            [name],
        ).fetchone()
        assert row == (True, False, False, True)
    finally:
        owner_conn.execute(f'DROP ROLE IF EXISTS "{name}"')


@pytest.mark.django_db
def test_deleting_a_user_reaches_memberships_in_workspaces_the_caller_cannot_see(tenant_a, tenant_b):
    from raptorflow.models import User
    from tests.factories import add_member

    # The marketer of A also belongs to B; staff of A deletes them while working in A.
    add_member(tenant_b.workspace, tenant_a.marketer, WorkspaceMember.Role.VIEWER)
    with tenant_a.context():
        User.objects.filter(id=tenant_a.marketer.id).delete()
        connection.check_constraints()  # the deferred foreign keys hold
    with tenant_b.context():
        assert not WorkspaceMember.objects.filter(user_id=tenant_a.marketer.id).exists()


@pytest.mark.django_db
def test_workspace_staff_cannot_make_themselves_superuser(tenant_a, client_for):
    from raptorflow.models import User

    staff = tenant_a.staff
    client = client_for(staff, tenant_a.workspace)
    url = f"/admin/raptorflow/user/{staff.id}/change/"
    assert client.get(url).status_code == 403  # accounts are the superusers' (tests/test_accounts_and_roles.py)
    response = client.post(url, {
        "email": staff.email, "full_name": "Staff Member", "is_active": "on", "is_staff": "on", "is_superuser": "on",
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
    })
    assert response.status_code == 403
    assert User.objects.get(id=staff.id).is_superuser is False


@pytest.mark.django_db
def test_estimated_paginator_counts_exactly_below_its_threshold_and_estimates_above(tenant_a):
    from raptorflow.pagination import EstimatedCountPaginator

    class Small(EstimatedCountPaginator):
        exact_threshold = 5

    for n in range(8):
        make_cohort(tenant_a.workspace, f"Segment {n}")
    with tenant_a.context():
        cohorts = Cohort.objects.order_by("name")
        exact = EstimatedCountPaginator(cohorts, 3)
        assert exact.count == 8 and not exact.count_is_estimated
        estimated = Small(cohorts, 3)
        assert estimated.count >= 6 and estimated.count_is_estimated
        # A page past the real end is empty, not an error.
        assert list(estimated.page(estimated.num_pages + 1).object_list) == []


@pytest.mark.django_db
def test_estimated_paginator_counts_in_one_query_below_and_above_its_threshold(tenant_a, monkeypatch):
    """Issue 19 (docs/performance-pages.md): a list costs the same queries in a small and in a large workspace."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from raptorflow.pagination import EstimatedCountPaginator

    for n in range(8):
        make_cohort(tenant_a.workspace, f"Segment {n}")
    with tenant_a.context():
        cohorts = Cohort.objects.filter(workspace_id=tenant_a.id).order_by("name")
        for threshold, estimated in ((100, False), (5, True)):
            paginator = EstimatedCountPaginator(cohorts, 3, exact_threshold=threshold)
            with CaptureQueriesContext(connection) as queries:
                count = paginator.count
            assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]
            assert paginator.count_is_estimated is estimated
            assert count == 8 if not estimated else count >= 6
        assert EstimatedCountPaginator(cohorts.none(), 3).count == 0
        searched = cohorts.filter(name__icontains="segment 1%").distinct()  # a literal % in the pattern, DISTINCT
        assert EstimatedCountPaginator(searched, 3).count == 0
        assert EstimatedCountPaginator(cohorts.filter(name__icontains="segment 1"), 3).count == 1
        # With server-side binding (one statement per execute) it falls back to two queries above the threshold.
        monkeypatch.setitem(connection.settings_dict, "OPTIONS", {**connection.settings_dict.get("OPTIONS", {}),
                                                                  "server_side_binding": True})
        fallback = EstimatedCountPaginator(cohorts, 3, exact_threshold=5)
        with CaptureQueriesContext(connection) as queries:
            assert fallback.count >= 6 and fallback.count_is_estimated
        assert len(queries) == 2
