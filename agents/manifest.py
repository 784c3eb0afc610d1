"""What the agents migrations create (verify_schema compares the live database with it)."""

EXPECTED = {
    "tables": ["agent_registry", "agent_capabilities", "agent_assignments", "agent_performance"],
    "indexes": [
        # agent_registry (global)
        "agent_registry_pkey",
        "agent_registry_slug_uniq",
        "agent_registry_tier_dom_idx",
        "agent_registry_domain_idx",
        "agent_registry_supervisor_idx",
        # agent_capabilities (global)
        "agent_capabilities_pkey",
        "agent_capabilities_agent_cap_uniq",
        "agent_capabilities_cap_idx",
        # agent_assignments
        "agent_assignments_pkey",
        "agent_assignments_one_active_uniq",
        "agent_assign_ws_agent_idx",
        "agent_assign_ws_status_idx",
        "agent_assign_ws_by_idx",
        "agent_assign_ws_campaign_idx",
        # agent_performance
        "agent_performance_pkey",
        "agent_performance_ws_agent_day_uniq",
        "agent_perf_ws_day_idx",
    ],
    "policies": {
        "agent_assignments": ["agent_assignments_workspace_isolation"],
        "agent_performance": ["agent_performance_workspace_isolation"],
    },
    "functions": [
        "record_agent_execution",
        "agent_latency_bucket_bounds",
        "agent_histogram_add",
        "agent_histogram_sum",
        "agent_latency_percentile",
        "agent_assignments_retire_orphaned",
    ],
    "triggers": {"agent_assignments": ["agent_assignments_retire_orphaned"]},
}
