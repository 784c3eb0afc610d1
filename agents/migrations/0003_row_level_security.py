"""Row-level security on the workspace tables, read-only grants on the global ones.

- agent_assignments, agent_performance: the standard workspace policy (ENABLE +
  FORCE, FOR ALL, USING and WITH CHECK), workspace_id defaulting to the context.
- agent_registry, agent_capabilities: global; the app role may only SELECT.
  Writes come from migrations (as the owner) or a database superuser.

It comes after the registry seed (0002) on purpose: rolling back, RLS is gone
before the seed's reverse deletes the seeded agents, so Django's cascade
reaches every workspace's assignments and performance of those agents, even
for an owner that is not a superuser.
"""

from django.db import migrations

from raptorflow.migration_ops import GrantToAppRole, TenantRLS


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0002_agent_registry"),
        ("raptorflow", "0003_row_level_security"),
    ]

    operations = [
        TenantRLS("agentassignment"),
        TenantRLS("agentperformance"),
        GrantToAppRole("agent_registry", privileges="SELECT"),
        GrantToAppRole("agent_capabilities", privileges="SELECT"),
    ]
