"""seed_demo's production guard and its extra accounts; /healthz telling anonymous callers the status only."""

import logging
import socket
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import Client

from raptorflow.management.commands.seed_demo import DEMO_PASSWORD, SUPERUSER, TWO_WORKSPACE_PERSON, WORKSPACES
from raptorflow.models import Cohort, User, Workspace, WorkspaceMember
from raptorflow.tenancy import workspace_context
from tests.factories import make_user

SUPERUSER_EMAIL = SUPERUSER[0]
BOTH_EMAIL, _, BOTH_ROLES = TWO_WORKSPACE_PERSON


def seed(**options):
    out = StringIO()
    call_command("seed_demo", verbosity=0, stdout=out, **options)
    return out.getvalue()


def demo_workspaces():
    """The demo workspaces by slug, each found through its owner's membership (RLS)."""
    found = {}
    for spec in WORKSPACES:
        owner = User.objects.get(email=spec["people"][0][1])
        with workspace_context(None, user_id=owner.id):
            found[spec["slug"]] = Workspace.objects.get(slug=spec["slug"])
    return found


def memberships_of(user):
    with workspace_context(None, user_id=user.id):
        return {m.workspace.slug: m.role for m in WorkspaceMember.objects.filter(user=user).select_related("workspace")}


def counts():
    totals = {"users": User.objects.count(), "superusers": User.objects.filter(is_superuser=True).count()}
    for slug, workspace in demo_workspaces().items():
        with workspace_context(workspace.id):
            totals[f"{slug} members"] = WorkspaceMember.objects.count()
            totals[f"{slug} cohorts"] = Cohort.objects.count()
    return totals


# ---------------------------------------------------------------- seed_demo

@pytest.mark.django_db
def test_seed_demo_refuses_with_debug_off_and_creates_no_user(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--allow-production") as refusal:
        seed()
    assert DEMO_PASSWORD in str(refusal.value)
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_seed_demo_runs_with_debug_off_when_production_is_allowed(settings):
    settings.DEBUG = False
    seed(allow_production=True)
    assert User.objects.filter(email=SUPERUSER_EMAIL).exists()
    assert set(demo_workspaces()) == {spec["slug"] for spec in WORKSPACES}


@pytest.mark.django_db
def test_seed_demo_adds_a_superuser_and_a_person_in_both_workspaces_idempotently(settings):
    # First run as `make run` does it (DEBUG on, no flag).
    settings.DEBUG = True
    printed = seed()
    before = counts()

    superuser = User.objects.get(email=SUPERUSER_EMAIL)
    assert superuser.is_superuser and superuser.is_staff and superuser.is_active
    assert superuser.check_password(DEMO_PASSWORD)
    # Superusers enter any workspace without a membership.
    assert memberships_of(superuser) == {}

    both = User.objects.get(email=BOTH_EMAIL)
    assert not both.is_staff and not both.is_superuser
    assert both.check_password(DEMO_PASSWORD)
    assert memberships_of(both) == {"acme-outdoor": "marketer", "northwind-analytics": "viewer"} == BOTH_ROLES

    # The sign-ins printed name both new accounts and what they can do.
    superuser_line = next(line for line in printed.splitlines() if SUPERUSER_EMAIL in line)
    assert "every workspace, /admin/ and pages" in superuser_line
    both_line = next(line for line in printed.splitlines() if BOTH_EMAIL in line)
    assert "marketer in Acme Outdoor" in both_line and "viewer in Northwind Analytics" in both_line

    # Second run (with the flag, DEBUG off): same users, same memberships, same data.
    settings.DEBUG = False
    seed(allow_production=True)
    assert counts() == before
    assert memberships_of(User.objects.get(email=BOTH_EMAIL)) == BOTH_ROLES
    assert before["superusers"] == 1
    # Four people per workspace plus the person in both.
    assert before["acme-outdoor members"] == before["northwind-analytics members"] == 5


# ---------------------------------------------------------------- /healthz

def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable_database(monkeypatch):
    """/healthz's connection points at a closed port on 127.0.0.1 (a real connection failure)."""
    wrapper = connections.create_connection("default")
    port = closed_port()
    wrapper.settings_dict = {**wrapper.settings_dict, "HOST": "127.0.0.1", "PORT": str(port)}
    monkeypatch.setattr("raptorflow.health.connection", wrapper)
    yield port
    wrapper.close()


@pytest.mark.django_db
def test_healthz_is_ok_when_the_database_answers_and_nothing_is_pending():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_hides_the_database_error_from_anonymous_callers_and_logs_it(unreachable_database, caplog):
    port = unreachable_database
    with caplog.at_level(logging.WARNING, logger="raptorflow.health"):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    body = response.content.decode()
    for secret in ("127.0.0.1", str(port), "port", "connection"):
        assert secret not in body
    # The reason is in the log, with the address that failed.
    logged = [r for r in caplog.records if r.name == "raptorflow.health" and r.levelno == logging.WARNING]
    assert logged, caplog.text
    assert "127.0.0.1" in logged[0].getMessage() and str(port) in logged[0].getMessage()


class _FakeMigration:
    app_label, name = "campaigns", "0099_future"


@pytest.fixture
def pending_migration(monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [(_FakeMigration(), False)])


@pytest.mark.django_db
def test_healthz_hides_pending_migration_names_and_logs_them(pending_migration, caplog):
    with caplog.at_level(logging.WARNING, logger="raptorflow.health"):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "migrations pending"}
    assert b"0099_future" not in response.content and b"campaigns" not in response.content
    assert any(
        r.name == "raptorflow.health" and r.levelno == logging.WARNING and "campaigns.0099_future" in r.getMessage()
        for r in caplog.records
    ), caplog.text


@pytest.mark.django_db
def test_healthz_shows_a_signed_in_superuser_the_status_only_too(pending_migration):
    # The details are in the log for everyone; a response that depended on the session
    # could not be given when the database (holding sessions and users) is down anyway.
    client = Client()
    client.force_login(make_user(email="root@platform.example", is_staff=True, is_superuser=True))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "migrations pending"}
