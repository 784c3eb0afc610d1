"""What the agents migrations create; ``verify_schema`` compares the live database with it.

``indexes`` lists every index except the primary keys (``<table>_pkey``).
"""

EXPECTED = {
    # agent_executions: the log record_agent_execution appends to (0007), no index at all.
    "tables": ["agent_registry", "agent_capabilities", "agent_assignments", "agent_performance", "agent_executions"],
    "indexes": [
        # agent_registry (global): admin filters by tier/domain, the hierarchy, the seed's upsert key
        "agent_registry_tier_dom_idx",
        "agent_registry_domain_idx",
        "agent_registry_supervisor_idx",
        "agent_registry_slug_uniq",
        # agent_capabilities (global): routing by capability; an agent's capabilities
        "agent_capabilities_cap_idx",
        "agent_capabilities_agent_cap_uniq",
        # agent_assignments: inline per agent, list by status, a campaign's agents, by user; one active rule
        "agent_assign_agent_ws_idx",
        "agent_assign_ws_status_idx",
        "agent_assign_ws_campaign_idx",
        "agent_assign_by_idx",
        "agent_assignments_one_active_uniq",
        # agent_performance: workspace totals by day; the upsert target and per-agent chart
        "agent_perf_ws_day_idx",
        "agent_performance_agent_ws_day_uniq",
    ],
    "foreign_keys": [
        # Django's keys
        "agent_registry_supervisor_id_9e608e4d_fk_agent_registry_id",
        "agent_capabilities_agent_id_4a3b0faa_fk_agent_registry_id",
        "agent_assignments_agent_id_d7e7003e_fk_agent_registry_id",
        "agent_assignments_workspace_id_c639bddd_fk_workspaces_id",
        "agent_performance_agent_id_87e6207f_fk_agent_registry_id",
        "agent_performance_workspace_id_be48c969_fk_workspaces_id",
        # same-workspace composite key (0001_tables)
        "agent_assignments_campaign_id_same_ws_fk",
        # users, ON DELETE SET NULL (0001_tables)
        "agent_assignments_assigned_by_fk",
    ],
    "policies": {
        "agent_assignments": ["agent_assignments_workspace_isolation"],
        # *_roll_up_owner (0007): the schema owner's pass over every workspace (agent_executions_roll_up).
        "agent_performance": ["agent_performance_workspace_isolation", "agent_performance_roll_up_owner"],
        "agent_executions": ["agent_executions_workspace_isolation", "agent_executions_roll_up_owner"],
    },
    "functions": [
        "record_agent_execution",
        "agent_latency_bucket_bounds",
        "agent_histogram_add",
        "agent_histogram_sum",
        "agent_latency_percentile",
        "agent_assignments_retire_orphaned",
        # 0008: the log's histogram aggregate and its state function, the roll-up
        "agent_histogram_count",
        "agent_histogram_of",
        "agent_executions_roll_up",
    ],
    "triggers": {
        # *_set_updated_at: 0006, set_updated_at() (campaigns) on every table with updated_at.
        "agent_registry": ["agent_registry_set_updated_at"],
        "agent_capabilities": ["agent_capabilities_set_updated_at"],
        "agent_assignments": ["agent_assignments_retire_orphaned", "agent_assignments_set_updated_at"],
        "agent_performance": ["agent_performance_set_updated_at"],
    },
    "seeded": {"agent_registry": 70, "agent_capabilities": 70},
}
