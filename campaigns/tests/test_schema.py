"""The live schema matches the manifest: tables, indexes, policies, functions, triggers, forced RLS."""

import pytest
from django.db import connection

from campaigns.manifest import EXPECTED


def fetchall(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


pytestmark = pytest.mark.django_db


def test_every_table_exists_under_forced_rls():
    rows = dict(
        (name, (enabled, forced))
        for name, enabled, forced in fetchall(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'",
            [EXPECTED["tables"]],
        )
    )
    assert set(rows) == set(EXPECTED["tables"])
    assert all(enabled and forced for enabled, forced in rows.values()), rows


def test_indexes_are_exactly_the_manifests():
    rows = fetchall(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%s) AND indexname NOT LIKE '%%_pkey'",
        [EXPECTED["tables"]],
    )
    assert sorted(r[0] for r in rows) == sorted(EXPECTED["indexes"])


def test_every_index_but_the_user_ones_leads_with_workspace_id():
    rows = fetchall(
        """
        SELECT i.indexrelid::regclass::text, a.attname
        FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
        WHERE t.relname = ANY(%s) AND NOT i.indisprimary
        """,
        [EXPECTED["tables"]],
    )
    for index, first in rows:
        assert first == "workspace_id" or index.endswith("_created_by_idx"), index


def test_policies_are_exactly_the_manifests():
    rows = fetchall("SELECT tablename, policyname FROM pg_policies WHERE tablename = ANY(%s)", [EXPECTED["tables"]])
    found = {}
    for table, policy in rows:
        found.setdefault(table, []).append(policy)
    assert found == EXPECTED["policies"]


def test_functions_and_triggers_are_the_manifests_and_documented():
    functions = fetchall(
        "SELECT proname, prosecdef, obj_description(oid, 'pg_proc') FROM pg_proc WHERE proname = ANY(%s)",
        [EXPECTED["functions"]],
    )
    assert sorted(f[0] for f in functions) == sorted(EXPECTED["functions"])
    assert all(not secdef and comment for _, secdef, comment in functions)
    triggers = fetchall(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE c.relname = ANY(%s) AND NOT t.tgisinternal",
        [EXPECTED["tables"]],
    )
    found = {}
    for table, trigger in triggers:
        found.setdefault(table, []).append(trigger)
    assert {t: sorted(names) for t, names in found.items()} == {t: sorted(names) for t, names in EXPECTED["triggers"].items()}


def test_every_foreign_key_is_covered_by_an_index():
    rows = fetchall(
        """
        SELECT c.conname,
               EXISTS (
                   SELECT 1 FROM pg_index i
                   WHERE i.indrelid = c.conrelid
                     AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] @> c.conkey
                     AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] <@ c.conkey
               )
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        WHERE c.contype = 'f' AND t.relname = ANY(%s)
        """,
        [EXPECTED["tables"]],
    )
    assert rows
    assert [name for name, covered in rows if not covered] == []


def test_every_table_and_reference_column_has_a_comment():
    rows = fetchall(
        """
        SELECT c.relname, obj_description(c.oid, 'pg_class'),
               array(SELECT a.attname FROM pg_attribute a
                     WHERE a.attrelid = c.oid AND a.attname LIKE '%%\\_id' AND a.attname <> 'id'
                       AND col_description(c.oid, a.attnum) IS NULL)
        FROM pg_class c WHERE c.relname = ANY(%s) AND c.relkind = 'r'
        """,
        [EXPECTED["tables"]],
    )
    for table, comment, uncommented in rows:
        assert comment, table
        assert uncommented == [], (table, uncommented)


def test_foreign_keys_are_exactly_the_manifests():
    rows = fetchall(
        "SELECT c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'f' AND t.relname = ANY(%s)",
        [EXPECTED["tables"]],
    )
    assert sorted(r[0] for r in rows) == sorted(EXPECTED["foreign_keys"])


def test_verify_schema_passes_for_campaigns():
    from raptorflow import schema_checks

    domain, summary = schema_checks.run_checks()
    ours = [c for c in domain if "(campaigns)" in c.set]
    assert ours and all(c.passed for c in ours), [c.as_dict() for c in ours if not c.passed]
    unindexed = next(c for c in summary if c.name == "every foreign key column indexed")
    assert not [p for p in unindexed.problems if p.split(".")[0] in EXPECTED["tables"] or any(t in p for t in EXPECTED["tables"])]
