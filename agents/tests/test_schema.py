"""The live schema matches the manifest; the registry is seeded; global tables are read-only for the web role."""

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from agents.manifest import EXPECTED
from agents.models import Agent, AgentCapability

pytestmark = pytest.mark.django_db


def _rows(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_indexes_are_exactly_the_manifests():
    rows = _rows(
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY(%s) AND indexname NOT LIKE %s",
        [EXPECTED["tables"], "%\\_pkey"],
    )
    assert sorted(r[0] for r in rows) == sorted(EXPECTED["indexes"])


def test_tenant_tables_have_forced_rls_and_the_manifests_policies():
    for table, policies in EXPECTED["policies"].items():
        (enabled, forced), = _rows("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = %s", [table])
        assert enabled and forced
        assert sorted(r[0] for r in _rows("SELECT policyname FROM pg_policies WHERE tablename = %s", [table])) == sorted(policies)


def test_global_tables_have_no_rls_and_no_workspace():
    for table in ("agent_registry", "agent_capabilities"):
        (enabled,), = _rows("SELECT relrowsecurity FROM pg_class WHERE relname = %s", [table])
        assert not enabled
        assert not _rows("SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = 'workspace_id'", [table])


def test_functions_exist_are_security_invoker_and_documented():
    rows = _rows(
        "SELECT proname, prosecdef, obj_description(oid, 'pg_proc') FROM pg_proc WHERE proname = ANY(%s)", [EXPECTED["functions"]]
    )
    assert sorted(r[0] for r in rows) == sorted(EXPECTED["functions"])
    assert not any(r[1] for r in rows)
    assert all(r[2] for r in rows)


def test_registry_is_seeded_with_the_council_of_lords_and_their_teams():
    assert Agent.objects.count() >= 70
    lords = Agent.objects.filter(tier="lord")
    assert sorted(lords.values_list("domain", flat=True)) == sorted(
        ["strategy", "brand", "growth", "content", "analytics", "customer", "operations"]
    )
    council = Agent.objects.get(tier="council")
    assert set(lords.values_list("supervisor_id", flat=True)) == {council.id}
    # Every specialist reports to a lord, every worker to a specialist of the same domain.
    for agent in Agent.objects.filter(tier__in=["specialist", "worker"]).select_related("supervisor"):
        assert agent.supervisor.tier == {"specialist": "lord", "worker": "specialist"}[agent.tier]
        assert agent.supervisor.domain == agent.domain
    assert not Agent.objects.filter(capabilities__isnull=True).exists()
    assert AgentCapability.objects.count() >= Agent.objects.count()


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO agent_registry (id, slug, name, tier, domain, default_model, version, is_active, config, description, created_at, updated_at) "
        "VALUES (gen_random_uuid(), 'rogue', 'Rogue', 'worker', 'growth', 'x', '1.0.0', true, '{}', '', now(), now())",
        "UPDATE agent_registry SET is_active = false",
        "DELETE FROM agent_registry",
        "UPDATE agent_capabilities SET description = 'defaced'",
        "INSERT INTO agent_capabilities (id, agent_id, capability, description, input_schema, output_schema, created_at, updated_at) "
        "SELECT gen_random_uuid(), id, 'rogue', '', '{}', '{}', now(), now() FROM agent_registry LIMIT 1",
    ],
)
def test_web_role_cannot_write_the_global_registry(sql, tenant_a):
    with tenant_a.context():
        with pytest.raises(ProgrammingError, match="permission denied for table agent_"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    assert Agent.objects.filter(is_active=True).count() == Agent.objects.count()


def test_web_role_can_read_the_registry_without_a_workspace():
    assert Agent.objects.filter(slug="council-conductor").exists()
    assert AgentCapability.objects.filter(agent__slug="council-conductor").count() == 3
