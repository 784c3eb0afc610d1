"""The live schema matches the manifest, and the procedures are documented SECURITY INVOKER functions."""

import pytest
from django.db import connection

from intelligence.manifest import EXPECTED

pytestmark = pytest.mark.django_db


def fetchall(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_both_tables_are_under_forced_rls_with_the_workspace_policy():
    rows = fetchall(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'",
        [EXPECTED["tables"]],
    )
    assert sorted(rows) == [(t, True, True) for t in sorted(EXPECTED["tables"])]
    policies = fetchall("SELECT tablename, policyname, cmd FROM pg_policies WHERE tablename = ANY(%s)", [EXPECTED["tables"]])
    assert sorted(policies) == sorted((t, names[0], "ALL") for t, names in EXPECTED["policies"].items())


def test_indexes_and_foreign_keys_are_exactly_the_manifests():
    indexes = fetchall(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%s) AND indexname NOT LIKE '%%_pkey'",
        [EXPECTED["tables"]],
    )
    assert sorted(r[0] for r in indexes) == sorted(EXPECTED["indexes"])
    fks = fetchall(
        "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)", [EXPECTED["tables"]]
    )
    assert sorted(r[0] for r in fks) == sorted(EXPECTED["foreign_keys"])


def test_btree_indexes_lead_with_workspace_id_except_global_references():
    rows = fetchall(
        """
        SELECT c.relname, am.amname, a.attname
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
        """,
        [EXPECTED["tables"]],
    )
    for index, method, first in rows:
        # Indexes on references to global tables (users, agents) serve their ON DELETE SET NULL.
        if method == "btree" and not (first.endswith("_by_id") or first == "generated_by_agent"):
            assert first == "workspace_id", index


def test_procedures_are_security_invoker_and_commented():
    rows = fetchall(
        "SELECT proname, prosecdef, obj_description(oid, 'pg_proc') FROM pg_proc WHERE proname = ANY(%s)",
        [EXPECTED["functions"]],
    )
    assert sorted(r[0] for r in rows) == sorted(EXPECTED["functions"])
    for name, definer, comment in rows:
        assert definer is False, name
        assert comment and len(comment) > 80, name


def test_procedure_signatures_match_the_spec():
    rows = dict(
        fetchall(
            "SELECT proname, pg_get_function_arguments(oid) || ' -> ' || pg_get_function_result(oid) FROM pg_proc WHERE proname = ANY(%s)",
            [EXPECTED["functions"]],
        )
    )
    assert rows["ingest_intelligence_signal"] == (
        "p_source text, p_signal_type text, p_title text, p_payload jsonb DEFAULT '{}'::jsonb, "
        "p_strength numeric DEFAULT 0.5, p_fingerprint text DEFAULT NULL::text -> intelligence_signals"
    )
    assert rows["synthesize_market_insight"] == (
        "p_title text, p_summary text, p_signal_ids uuid[], p_category text DEFAULT 'general'::text -> market_insights"
    )
    assert rows["expire_intelligence_signals"] == "p_now timestamp with time zone DEFAULT now() -> integer"


def test_every_table_and_non_obvious_column_is_commented():
    rows = fetchall(
        "SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c WHERE c.relname = ANY(%s)", [EXPECTED["tables"]]
    )
    assert all(comment for _, comment in rows)
    commented = dict(
        fetchall(
            """
            SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a
            WHERE a.attrelid = 'intelligence_signals'::regclass AND a.attnum > 0
            """
        )
    )
    for column in ("fingerprint", "strength", "sentiment", "occurrences", "expires_at", "payload"):
        assert commented[column], column


def test_the_database_sets_user_and_agent_references_null_and_cascades_workspaces():
    rows = fetchall(
        "SELECT conname, confdeltype FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
        [EXPECTED["tables"]],
    )
    rules = {name: rule for name, rule in rows}
    to_workspaces = {name for name in EXPECTED["foreign_keys"] if name.split("_fk_")[1].startswith("workspaces")}
    assert {name for name, rule in rules.items() if rule == "n"} == set(EXPECTED["foreign_keys"]) - to_workspaces
    assert {name for name, rule in rules.items() if rule == "c"} == to_workspaces


def test_deleting_a_user_clears_their_triage_in_every_workspace(tenant_a, tenant_b, ingest):
    from intelligence import services
    from intelligence.models import IntelligenceSignal
    from tests.factories import make_user

    reviewer = make_user()
    for tenant in (tenant_a, tenant_b):
        signal = ingest(tenant)
        with tenant.context():
            services.review_signals(signal_ids=[signal.pk], by=reviewer)
    with tenant_a.context(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("DELETE FROM users WHERE id = %s", [reviewer.id])
    for tenant in (tenant_a, tenant_b):
        with tenant.context():
            signal = IntelligenceSignal.objects.get()
            assert signal.reviewed_by_id is None and signal.status == "reviewed"


def test_an_insight_may_name_the_agent_that_drafted_it(tenant_a, ingest):
    from agents.models import Agent
    from intelligence import services
    from intelligence.models import MarketInsight

    agent = Agent.objects.order_by("slug").first()
    assert agent is not None, "the agents migrations seed the registry"
    signal = ingest(tenant_a)
    with tenant_a.context():
        insight = services.synthesize_insight(title="By an agent", summary="", signal_ids=[signal.pk])
        MarketInsight.objects.filter(pk=insight.pk).update(generated_by_agent=agent)
        assert MarketInsight.objects.get(pk=insight.pk).generated_by_agent == agent
