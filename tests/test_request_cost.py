"""What a signed-in request costs the database, and that the cheap way checks as much as the long way (issue 19).

docs/performance-requests.md has the numbers; these tests pin them. They use
``committed_db``: no test transaction around the request, so the middleware's
transaction is a real BEGIN ... COMMIT on a persistent connection, as served.
"""

from __future__ import annotations

import psycopg
import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path
from django.test.utils import CaptureQueriesContext

from raptorflow import prepared, services
from raptorflow.middleware import SESSION_KEY
from raptorflow.models import WorkspaceMember
from tests.factories import PASSWORD, add_member, make_tenant

# The round trips of a signed-in trivial request (each a message of one or more statements):
# the session read (also the connection's health check); BEGIN with the user, the memberships and
# both settings; COMMIT. Before issue 19: a health check, the session, the user, BEGIN, the user
# setting, the memberships, the workspace setting, clearing both settings, COMMIT (9).
SIGNED_IN_ROUND_TRIPS = 3


def statements(client, path="/ping", **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **headers)
    return response, [query["sql"] for query in queries.captured_queries]


def signed_in_statements(sqls):
    """The three messages, whether this request prepared some statements or all were prepared before."""
    assert len(sqls) == SIGNED_IN_ROUND_TRIPS, "\n".join(sqls)
    assert "EXECUTE raptorflow_session_read" in sqls[0] and sqls[2] == "COMMIT", sqls
    assert sqls[1].startswith("BEGIN;") and "EXECUTE raptorflow_enter_user" in sqls[1], sqls
    return True


def test_a_signed_in_trivial_request_costs_three_round_trips(committed_db, client_for):
    tenant = make_tenant("Alpha Apparel")
    client = client_for(tenant.marketer, tenant.workspace)
    response, first = statements(client)  # prepares the statements on this connection, in the same messages
    assert response.status_code == 200 and signed_in_statements(first)
    for _ in range(2):
        response, sqls = statements(client)
        assert response.status_code == 200 and signed_in_statements(sqls)
        assert "PREPARE" not in "".join(sqls)
    # The workspace comes with the same message (asked for: the session's).
    assert "EXECUTE raptorflow_enter_asked_workspace" in sqls[1]


def test_an_anonymous_trivial_request_runs_no_statement(committed_db):
    response, sqls = statements(Client())
    assert response.status_code == 200 and sqls == []


def test_the_first_request_after_signing_in_chooses_the_workspace_in_the_same_message(committed_db, client_for):
    tenant = make_tenant("Alpha Apparel")
    client = client_for(tenant.marketer)  # no workspace in the session yet
    response, sqls = statements(client)
    assert response.status_code == 200
    assert "EXECUTE raptorflow_enter_first_workspace" in sqls[1], sqls
    assert client.session[SESSION_KEY] == str(tenant.workspace.id)
    response, sqls = statements(client)
    assert signed_in_statements(sqls)


def test_the_context_is_the_requests_and_gone_after_it(committed_db, client_for):
    tenant = make_tenant("Alpha Apparel")
    client = client_for(tenant.marketer, tenant.workspace)
    client.get("/ping")
    response = client_for(tenant.marketer, tenant.workspace).get("/")
    assert response.status_code == 200 and tenant.workspace.name in response.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.current_workspace_id', true), current_setting('app.current_user_id', true)")
        assert cursor.fetchone() in (("", ""), (None, None))


def test_the_first_request_after_a_membership_is_removed_is_refused(committed_db, client_for):
    home, other = make_tenant("Alpha Apparel"), make_tenant("Bravo Beverages")
    add_member(other.workspace, home.marketer, WorkspaceMember.Role.VIEWER)
    client = client_for(home.marketer, other.workspace)
    page = client.get("/")
    assert page.status_code == 200 and other.workspace.name in page.content.decode()
    # Same connection, same process: nothing cached survives the removal.
    with other.context(other.owner):
        services.remove_member(member=WorkspaceMember.objects.get(user=home.marketer))
    assert client.get("/").status_code == 403
    assert client.get("/", HTTP_X_WORKSPACE_ID=str(other.id)).status_code == 403
    # The refused choice is forgotten: the next request is back in the marketer's own workspace.
    page = client.get("/")
    assert page.status_code == 200
    assert home.workspace.name in page.content.decode() and other.workspace.name not in page.content.decode()


def test_a_session_signed_out_elsewhere_is_refused_at_once(committed_db):
    tenant = make_tenant("Alpha Apparel")
    client = Client()
    signed_in = client.post("/login/", {"username": tenant.marketer.email, "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.content[:500]
    assert client.get("/").status_code == 200
    # A password change elsewhere invalidates the session (Django's session hash): signed out, the long way.
    tenant.marketer.set_password("another-password-456")
    tenant.marketer.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_inactive_user_is_signed_out(committed_db, client_for):
    tenant = make_tenant("Alpha Apparel")
    client = client_for(tenant.marketer, tenant.workspace)
    assert client.get("/").status_code == 200
    tenant.marketer.is_active = False
    tenant.marketer.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_connection_that_lost_its_prepared_statements_still_serves(committed_db, client_for):
    tenant = make_tenant("Alpha Apparel")
    client = client_for(tenant.marketer, tenant.workspace)
    assert client.get("/").status_code == 200
    # The enter statement gone behind the app's back: that request takes the long way, the next prepares again.
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE raptorflow_enter_user")
    assert client.get("/").status_code == 200
    # All gone (the session's read first, in autocommit: read again after preparing it again).
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert client.get("/").status_code == 200
    response, sqls = statements(client)
    assert signed_in_statements(sqls)


def test_without_prepared_statements_the_same_statements_go_as_text(committed_db, client_for, monkeypatch):
    """Behind pgbouncer in transaction mode (DATABASE_POOLER) nothing is prepared."""
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {**connection.settings_dict.get("OPTIONS", {}), "prepare_threshold": None})
    assert not prepared.enabled(connection)
    tenant = make_tenant("Alpha Apparel")
    client = client_for(tenant.marketer, tenant.workspace)
    response, sqls = statements(client, "/")
    assert response.status_code == 200 and tenant.workspace.name in response.content.decode()
    response, sqls = statements(client)
    assert len(sqls) == SIGNED_IN_ROUND_TRIPS and not any("PREPARE" in sql or "EXECUTE" in sql for sql in sqls), sqls
    assert sqls[1].startswith("BEGIN;") and sqls[2] == "COMMIT", sqls


def test_the_session_read_is_the_requests_connection_health_check(committed_db, client_for, monkeypatch):
    """CONN_HEALTH_CHECKS: no SELECT 1 of its own before a signed-in request's first statement."""
    tenant = make_tenant("Alpha Apparel")
    client = client_for(tenant.marketer, tenant.workspace)
    assert client.get("/ping").status_code == 200
    checks = []
    monkeypatch.setattr(type(connections["default"]), "is_usable", lambda self: checks.append(self) or True)
    connection.health_check_done = False  # a new request on a reused connection, as close_old_connections leaves it
    assert client.get("/ping").status_code == 200
    assert checks == []


def test_a_dead_persistent_connection_is_replaced_without_failing_the_request(committed_db, client_for, owner_conn):
    tenant = make_tenant("Alpha Apparel")
    client = client_for(tenant.marketer, tenant.workspace)
    assert client.get("/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    owner_conn.execute("SELECT pg_terminate_backend(%s)", [pid])
    connection.health_check_done = False
    response = client.get("/")
    assert response.status_code == 200 and tenant.workspace.name in response.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


# ---------------------------------------------------------------- the request's transaction, BEGIN in its first message

committed_callbacks: list[str] = []


def _write(request):
    from raptorflow.models import Cohort

    name = request.GET["name"]
    Cohort.objects.create(workspace=request.workspace, name=name)
    transaction.on_commit(lambda: committed_callbacks.append(name))
    status = int(request.GET.get("status", 200))
    return HttpResponse("written", status=status)


def _nested(request):
    from raptorflow.models import Cohort

    Cohort.objects.create(workspace=request.workspace, name="kept")
    try:
        with transaction.atomic():
            Cohort.objects.create(workspace=request.workspace, name="KEPT")  # unique ignoring case
    except IntegrityError:
        pass  # rolled back to the savepoint; the transaction goes on
    Cohort.objects.create(workspace=request.workspace, name="after the savepoint")
    return HttpResponse("nested")


urlpatterns = [
    path("t/write/", _write),
    path("t/nested/", _nested),
    path("", include("raptorflow.urls")),
]


def cohorts(tenant):
    from raptorflow.models import Cohort

    with tenant.context():
        return sorted(Cohort.objects.values_list("name", flat=True))


def assert_connection_back_in_autocommit():
    assert connection.get_autocommit() and not connection.in_atomic_block
    assert connection.connection.autocommit
    assert connection.connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.current_workspace_id', true), current_setting('app.current_user_id', true)")
        assert cursor.fetchone() in (("", ""), (None, None))


@pytest.mark.urls("tests.test_request_cost")
def test_a_view_that_succeeds_commits_and_runs_its_on_commit_callbacks(committed_db, client_for):
    tenant = make_tenant("Alpha Apparel")
    client = client_for(tenant.marketer, tenant.workspace)
    committed_callbacks.clear()
    assert client.get("/t/write/?name=kept").status_code == 200
    assert committed_callbacks == ["kept"]
    assert_connection_back_in_autocommit()
    assert "kept" in cohorts(tenant)


@pytest.mark.urls("tests.test_request_cost")
@pytest.mark.parametrize("status", [500, 503])
def test_a_view_that_fails_keeps_nothing_and_runs_no_callback(committed_db, client_for, status):
    tenant = make_tenant("Alpha Apparel")
    client = client_for(tenant.marketer, tenant.workspace)
    committed_callbacks.clear()
    assert client.get(f"/t/write/?name=lost&status={status}").status_code == status
    assert committed_callbacks == []
    assert_connection_back_in_autocommit()
    assert "lost" not in cohorts(tenant)


@pytest.mark.urls("tests.test_request_cost")
def test_a_savepoint_inside_the_request_rolls_back_alone(committed_db, client_for):
    tenant = make_tenant("Alpha Apparel")
    client = client_for(tenant.marketer, tenant.workspace)
    assert client.get("/t/nested/").status_code == 200
    assert_connection_back_in_autocommit()
    names = cohorts(tenant)
    assert "kept" in names and "after the savepoint" in names and "KEPT" not in names


@pytest.mark.urls("tests.probe_urls")
def test_a_write_refused_by_the_database_is_a_403_and_rolled_back(committed_db, client_for):
    a, b = make_tenant("Alpha Apparel"), make_tenant("Bravo Beverages")
    response = client_for(a.marketer, a.workspace).get(f"/probe/write-elsewhere/?workspace={b.id}")
    assert response.status_code == 403
    assert_connection_back_in_autocommit()
    assert "smuggled" not in cohorts(b) and "smuggled" not in cohorts(a)
