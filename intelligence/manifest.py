"""What the intelligence migrations create, for verify_schema to compare with the live database."""

EXPECTED = {
    "tables": ["intelligence_signals", "market_insights"],
    "indexes": [
        # intelligence_signals
        "intelligence_signals_ws_fingerprint_uniq",
        "intel_signals_ws_status_idx",
        "intel_signals_ws_recent_idx",
        "intel_signals_ws_type_idx",
        "intel_signals_ws_expiry_idx",
        "intel_signals_payload_gin",
        "intelligence_signals_reviewed_by_id_0a5d88bc",
        # market_insights
        "market_insights_ws_status_idx",
        "market_insights_ws_valid_idx",
        "market_insights_signal_ids_gin",
        "market_insights_created_by_id_ddd7cb2a",
        "market_insights_published_by_id_e1d35ec2",
        "market_insights_generated_by_agent_cf26a68a",
    ],
    "foreign_keys": [
        "intelligence_signals_reviewed_by_id_0a5d88bc_fk_users_id",
        "intelligence_signals_workspace_id_d4d42ea8_fk_workspaces_id",
        "market_insights_created_by_id_ddd7cb2a_fk_users_id",
        "market_insights_generated_by_agent_cf26a68a_fk_agent_reg",
        "market_insights_published_by_id_e1d35ec2_fk_users_id",
        "market_insights_workspace_id_2134aeb1_fk_workspaces_id",
    ],
    "policies": {
        "intelligence_signals": ["intelligence_signals_workspace_isolation"],
        "market_insights": ["market_insights_workspace_isolation"],
    },
    "functions": ["ingest_intelligence_signal", "synthesize_market_insight", "expire_intelligence_signals"],
    # *_gamification_event: created by gamification 0005 (events fired by the database);
    # *_set_updated_at: 0004, set_updated_at() (campaigns) on every table with updated_at.
    "triggers": {
        "intelligence_signals": ["intelligence_signals_gamification_event", "intelligence_signals_set_updated_at"],
        "market_insights": ["market_insights_gamification_event", "market_insights_set_updated_at"],
    },
}
