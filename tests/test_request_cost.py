"""What a signed-in request costs the database, and that the cheap way checks as much as the long way (issue 19).

docs/performance-requests.md has the numbers; these tests pin them. They use
``committed_db``: no test transaction around the request, so the middleware's
transaction is a real BEGIN ... COMMIT on a persistent connection, as served.
"""

from __future__ import annotations

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from raptorflow import prepared, services
from raptorflow.middleware import SESSION_KEY
from raptorflow.models import WorkspaceMember
from tests.factories import PASSWORD, add_member, make_tenant

# The statements of a signed-in trivial request (production adds Django's health check, SELECT 1):
# the session; BEGIN; the user, the memberships and both settings in one message; COMMIT.
SIGNED_IN_STATEMENTS = ["EXECUTE raptorflow_session_read", "BEGIN", "EXECUTE raptorflow_enter_user", "COMMIT"]


def statements(client, path="/ping", **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **headers)
    return response, [query["sql"] for query in queries.captured_queries]


def starts(sqls):
    return [sql.split("(")[0].strip() for sql in sqls]


def signed_in_statements(sqls):
    """The four statements, whether this request prepared one of them or all were prepared before."""
    assert len(sqls) == len(SIGNED_IN_STATEMENTS), "\n".join(sqls)
    assert "EXECUTE raptorflow_session_read" in sqls[0] and sqls[1:4:2] == ["BEGIN", "COMMIT"], sqls
    assert "EXECUTE raptorflow_enter_user" in sqls[2], sqls
    return True


def test_a_signed_in_trivial_request_costs_four_statements(committed_db, client_for):
    tenant = make_tenant("Alpha Apparel")
    client = client_for(tenant.marketer, tenant.workspace)
    response, first = statements(client)  # prepares the statements on this connection, in the same messages
    assert response.status_code == 200 and signed_in_statements(first)
    for _ in range(2):
        response, sqls = statements(client)
        assert response.status_code == 200
        assert starts(sqls) == SIGNED_IN_STATEMENTS, "\n".join(sqls)
    # The workspace comes with the same message (asked for: the session's).
    assert "EXECUTE raptorflow_enter_asked_workspace" in sqls[2]


def test_an_anonymous_trivial_request_runs_no_statement(committed_db):
    response, sqls = statements(Client())
    assert response.status_code == 200 and sqls == []


def test_the_first_request_after_signing_in_chooses_the_workspace_in_the_same_message(committed_db, client_for):
    tenant = make_tenant("Alpha Apparel")
    client = client_for(tenant.marketer)  # no workspace in the session yet
    response, sqls = statements(client)
    assert response.status_code == 200
    assert "EXECUTE raptorflow_enter_first_workspace" in sqls[2], sqls
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
    assert starts(sqls) == SIGNED_IN_STATEMENTS


def test_without_prepared_statements_the_same_statements_go_as_text(committed_db, client_for, monkeypatch):
    """Behind pgbouncer in transaction mode (DATABASE_POOLER) nothing is prepared."""
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {**connection.settings_dict.get("OPTIONS", {}), "prepare_threshold": None})
    assert not prepared.enabled(connection)
    tenant = make_tenant("Alpha Apparel")
    client = client_for(tenant.marketer, tenant.workspace)
    response, sqls = statements(client, "/")
    assert response.status_code == 200 and tenant.workspace.name in response.content.decode()
    response, sqls = statements(client)
    assert len(sqls) == len(SIGNED_IN_STATEMENTS) and not any("PREPARE" in sql or "EXECUTE" in sql for sql in sqls), sqls


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
