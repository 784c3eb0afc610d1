"""One operation per key problem (issue 18): same-workspace keys, the membership key included, and ON DELETE rules.

``SameWorkspaceForeignKey`` builds every composite key that keeps a row inside
its workspace; :meth:`~raptorflow.migration_ops.SameWorkspaceForeignKey.member_key`
is the membership key ``(workspace_id, user_id) -> workspace_members``.
``DatabaseOnDelete`` gives Django's keys their rule in the database. The
migrations released before these operations could do both wrote some keys
as raw SQL; they stay as they are (their SQL must not change), and no other
migration may type such SQL again.
"""

import re

import psycopg
import pytest
from django.db import connection
from django.db.migrations import RunSQL, SeparateDatabaseAndState
from django.db.migrations.loader import MigrationLoader

from conftest import owner_conninfo
from raptorflow.migration_ops import SameWorkspaceForeignKey

PROJECT_APPS = ("raptorflow", "campaigns", "gamification", "agents", "intelligence", "alerts")
# Released before SameWorkspaceForeignKey.member_key existed (the membership keys) or with users keys
# that are not Django's (created_by, assigned_by): never edited, so their SQL stays byte for byte.
RELEASED_WITH_RAW_KEYS = {
    ("alerts", "0001_tables"),
    ("gamification", "0001_tables"),
    ("gamification", "0004_events_table"),
    ("campaigns", "0001_tables"),
    ("agents", "0001_tables"),
}
RAW_KEY = re.compile(r"\bON\s+DELETE\b|\bREFERENCES\s+\"?workspace_members\b", re.IGNORECASE)
MEMBER_KEYS = ("user_notifications", "user_achievements", "user_stats", "gamification_events")


def _raw_sql(operation):
    if isinstance(operation, SeparateDatabaseAndState):
        for inner in operation.database_operations:
            yield from _raw_sql(inner)
    elif isinstance(operation, RunSQL):
        for sql in (operation.sql, operation.reverse_sql):
            for statement in sql if isinstance(sql, (list, tuple)) else [sql]:
                statement = statement[0] if isinstance(statement, (list, tuple)) else statement
                if isinstance(statement, str):
                    # Function bodies' and files' comments may speak of the rules.
                    yield re.sub(r"--[^\n]*", "", statement)


def test_no_new_migration_types_a_key_or_an_on_delete_rule_by_hand():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    typed = {
        key
        for key, migration in loader.disk_migrations.items()
        if key[0] in PROJECT_APPS
        for operation in migration.operations
        for sql in _raw_sql(operation)
        if RAW_KEY.search(sql)
    }
    assert typed - RELEASED_WITH_RAW_KEYS == set(), (
        "Write same-workspace and membership keys with SameWorkspaceForeignKey (member_key for workspace_members) "
        "and ON DELETE rules of Django's keys with DatabaseOnDelete, not as raw SQL"
    )
    # The list shrinks only if a released migration stops typing them, which would change its SQL.
    assert typed == RELEASED_WITH_RAW_KEYS


def test_member_key_describes_itself_and_round_trips():
    key = SameWorkspaceForeignKey.member_key("user_notifications")
    assert (key.name, key.column, key.ref_table, key.ref_column, key.on_delete) == (
        "user_notifications_member_fk", "user_id", "workspace_members", "user_id", "CASCADE",
    )
    name, args, kwargs = key.deconstruct()
    again = SameWorkspaceForeignKey(*args, **kwargs)
    assert again.deconstruct() == (name, args, kwargs)
    assert key.describe() == "Keep user_notifications.user_id inside its workspace (workspace_members.user_id)"
    # The keys to a row keep their form: no ref_column in what migrations serialise.
    assert "ref_column" not in SameWorkspaceForeignKey("campaigns", "positioning_id", "positioning").deconstruct()[2]
    with pytest.raises(ValueError):
        SameWorkspaceForeignKey("t", "c", "r", ref_column='id" ) --')


def _member_key_sql(table):
    with connection.schema_editor(collect_sql=True) as editor:
        SameWorkspaceForeignKey.member_key(table).database_forwards(table.split("_")[0], editor, None, None)
    return editor.collected_sql


@pytest.mark.django_db
@pytest.mark.parametrize("table", MEMBER_KEYS)
def test_member_key_builds_the_released_membership_keys_exactly(table):
    """Dropped and rebuilt by the operation, in a transaction rolled back: pg_get_constraintdef is the same."""
    statements = _member_key_sql(table)
    assert statements[0] == f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{table}_member_fk";'
    definition = (
        "SELECT pg_get_constraintdef(c.oid), c.confdeltype, c.condeferrable, c.convalidated "
        "FROM pg_constraint c WHERE c.conrelid = %s::regclass AND c.conname = %s"
    )
    with psycopg.connect(**owner_conninfo()) as conn:
        released = conn.execute(definition, [table, f"{table}_member_fk"]).fetchone()
        for statement in statements:
            conn.execute(statement)
        rebuilt = conn.execute(definition, [table, f"{table}_member_fk"]).fetchone()
        conn.rollback()
    assert released is not None
    assert rebuilt == released
    assert released[0] == (
        "FOREIGN KEY (workspace_id, user_id) REFERENCES workspace_members(workspace_id, user_id) ON DELETE CASCADE"
    )
