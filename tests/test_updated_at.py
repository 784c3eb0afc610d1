"""``updated_at`` is kept by the database on every table that has it (issue 18).

One mechanism: a ``<table>_set_updated_at`` trigger calling ``set_updated_at()``
(``raptorflow.migration_ops.updated_at_trigger``), so raw SQL, SQL functions
and every service count; Python sets the column only on INSERT.
"""

import datetime

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from conftest import owner_conninfo
from raptorflow.models import Cohort

# Tables with updated_at and each one's <table>_set_updated_at trigger (NULL when missing).
TRIGGERS = """
SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid)
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'updated_at' AND NOT a.attisdropped
LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal AND t.tgname = c.relname || '_set_updated_at'
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
ORDER BY c.relname
"""
# Every table the project's models give the column (a new one fails the count until it has its trigger).
AT_LEAST = {
    "workspaces", "workspace_members", "cohorts", "workspace_invitations",
    "positioning", "message_architecture", "campaigns", "campaign_quests", "campaign_cohorts",
    "achievements", "user_achievements", "user_stats",
    "agent_registry", "agent_capabilities", "agent_assignments", "agent_performance",
    "intelligence_signals", "market_insights", "system_alerts", "user_notifications",
}


def tables_and_triggers(cursor):
    cursor.execute(TRIGGERS)
    return {table: definition for table, _, definition in cursor.fetchall()}


@pytest.mark.django_db
def test_every_table_with_updated_at_has_its_trigger():
    with connection.cursor() as cursor:
        found = tables_and_triggers(cursor)
    assert AT_LEAST <= set(found), sorted(AT_LEAST - set(found))
    wrong = {}
    for table, definition in found.items():
        expected = (
            f"CREATE TRIGGER {table}_set_updated_at BEFORE UPDATE ON public.{table} "
            "FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION set_updated_at()"
        )
        if (definition or "").replace("FUNCTION public.", "FUNCTION ") != expected:
            wrong[table] = definition
    assert not wrong, f"tables with updated_at whose set_updated_at trigger is missing or different: {wrong}"


@pytest.mark.django_db
def test_each_statement_of_a_transaction_stamps_its_own_time(tenant_a):
    """statement_timestamp(), the column default's clock: a transaction's saves are told apart, and nothing is updated before it was created."""
    with tenant_a.context():
        cohort = Cohort.objects.create(name="Hikers", workspace=tenant_a.workspace)
        with connection.cursor() as cursor:
            cursor.execute("SELECT created_at FROM cohorts WHERE id = %s", [cohort.id])
            (created,) = cursor.fetchone()
            stamps = []
            for size in (10, 20):
                cursor.execute(
                    "UPDATE cohorts SET size_estimate = %s WHERE id = %s RETURNING updated_at, statement_timestamp(), now()",
                    [size, cohort.id],
                )
                updated_at, statement_time, transaction_start = cursor.fetchone()
                assert updated_at == statement_time > transaction_start
                stamps.append(updated_at)
    assert created < stamps[0] < stamps[1]


@pytest.mark.django_db
def test_django_saves_and_bulk_updates_move_updated_at_and_a_save_that_changes_nothing_does_not(tenant_a):
    with tenant_a.context():
        cohort = Cohort.objects.create(name="Campers", workspace=tenant_a.workspace, size_estimate=1)
        inserted = cohort.updated_at

        cohort.size_estimate = 2
        cohort.save()
        assert cohort.updated_at == inserted  # the instance keeps what it had ...
        cohort.refresh_from_db(fields=["updated_at"])
        saved = cohort.updated_at
        assert saved > inserted  # ... the row has the database's time

        cohort.save()  # nothing changed: the row and its updated_at stay as they are
        cohort.refresh_from_db(fields=["updated_at"])
        assert cohort.updated_at == saved

        cohort.save(update_fields=["size_estimate"])
        cohort.refresh_from_db(fields=["updated_at"])
        assert cohort.updated_at == saved

        Cohort.objects.filter(pk=cohort.pk).update(size_estimate=3)
        cohort.refresh_from_db(fields=["updated_at"])
        assert cohort.updated_at > saved


@pytest.fixture
def demo_rows(committed_db):
    """The demo workspaces (a row in nearly every table) and an invitation, committed; the staff group goes afterwards."""
    from django.contrib.auth.models import Group

    from raptorflow import services
    from raptorflow.management.commands.seed_demo import STAFF_GROUP
    from raptorflow.models import User, Workspace
    from raptorflow.tenancy import workspace_context

    group_existed = Group.objects.filter(name=STAFF_GROUP).exists()
    call_command("seed_demo", verbosity=0, allow_production=True)
    owner = User.objects.get(email="olivia.owner@acme.example")
    with workspace_context(None, user_id=owner.id):
        workspace = Workspace.objects.get(slug="acme-outdoor")
    with workspace_context(workspace.id, user_id=owner.id):
        services.invite(workspace=workspace, email="new.person@acme.example", role="marketer", by=owner, base_url="http://testserver")
    yield
    if not group_existed:
        with psycopg.connect(**owner_conninfo(), autocommit=True) as conn:
            group = "(SELECT id FROM auth_group WHERE name = %s)"
            conn.execute(f"DELETE FROM auth_group_permissions WHERE group_id IN {group}", [STAFF_GROUP])
            conn.execute(f"DELETE FROM users_groups WHERE group_id IN {group}", [STAFF_GROUP])
            conn.execute("DELETE FROM auth_group WHERE name = %s", [STAFF_GROUP])


def test_a_raw_sql_update_moves_updated_at_on_every_table(demo_rows):
    """As psql would: no Django, any role that may write the row. Rolled back."""
    with psycopg.connect(**owner_conninfo()) as conn:
        (sees_every_row,) = conn.execute(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        if not sees_every_row:
            pytest.skip("the owner role is bound by row-level security here: it would see no tenant row")
        with conn.cursor() as cursor:
            tables = sorted(tables_and_triggers(cursor))
            cursor.execute(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'campaign_id'"
            )
            with_campaign = {row[0] for row in cursor.fetchall()}
        empty, not_moved = [], {}
        for table in tables:
            # Rows of an archived campaign are read-only (campaign_children_refuse_archived).
            live = " WHERE campaign_id IS NULL OR campaign_id IN (SELECT id FROM campaigns WHERE status <> 'archived')"
            row = conn.execute(
                f"SELECT id, updated_at FROM {table}{live if table in with_campaign else ''} ORDER BY id LIMIT 1"
            ).fetchone()
            if row is None:
                empty.append(table)
                continue
            row_id, before = row
            # Nobody backdates a row: setting updated_at by hand is overruled by the statement's time.
            updated_at, statement_time = conn.execute(
                f"UPDATE {table} SET updated_at = '2001-01-01' WHERE id = %s RETURNING updated_at, statement_timestamp()",
                [row_id],
            ).fetchone()
            if updated_at != statement_time or updated_at.year == 2001:
                not_moved[table] = (before, updated_at, statement_time)
            # An UPDATE that changes nothing leaves the row alone.
            (again,) = conn.execute(
                f"UPDATE {table} SET updated_at = updated_at WHERE id = %s RETURNING updated_at", [row_id]
            ).fetchone()
            if again != updated_at:
                not_moved[table] = ("moved by a no-op update", updated_at, again)
        conn.rollback()
    assert not empty, f"no row to update in {empty}: the demo data should cover every table with updated_at"
    assert not not_moved, "\n".join(f"{t}: {v}" for t, v in not_moved.items())
    assert len(tables) >= len(AT_LEAST)
    assert isinstance(statement_time, datetime.datetime)
