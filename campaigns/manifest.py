"""What the campaigns migrations create; ``verify_schema`` compares the live database with it.

``indexes`` lists every index except the primary keys (``<table>_pkey``): the
plain indexes, then the ones behind unique rules.
"""

EXPECTED = {
    "tables": ["positioning", "message_architecture", "campaigns", "campaign_quests", "campaign_cohorts"],
    "indexes": [
        # plain (each serves a named query; see the models' Meta.indexes)
        "positioning_created_by_idx",
        "campaigns_ws_status_name_idx",
        "campaigns_ws_positioning_idx",
        "campaigns_ws_message_arch_idx",
        "campaigns_created_by_idx",
        "quests_ws_admin_order_idx",
        "quests_ws_campaign_pos_idx",
        "quests_ws_parent_pos_idx",
        "campaign_cohorts_ws_cohort_idx",
        # unique rules
        "positioning_workspace_lower_name_uniq",
        "positioning_workspace_id_uniq",
        "message_architecture_name_version_uniq",
        "message_architecture_one_primary_uniq",
        "message_architecture_workspace_id_uniq",
        "campaigns_workspace_lower_name_uniq",
        "campaigns_workspace_name_uniq",
        "campaigns_workspace_id_uniq",
        "campaign_quests_workspace_id_uniq",
        "campaign_cohorts_pair_uniq",
    ],
    "foreign_keys": [
        # Django's keys to the owning workspace
        "positioning_workspace_id_db194326_fk_workspaces_id",
        "message_architecture_workspace_id_89eae897_fk_workspaces_id",
        "campaigns_workspace_id_29680c0c_fk_workspaces_id",
        "campaign_quests_workspace_id_f6a47f1e_fk_workspaces_id",
        "campaign_cohorts_workspace_id_b5abc0b1_fk_workspaces_id",
        # same-workspace composite keys (0001_tables)
        "message_architecture_positioning_id_same_ws_fk",
        "campaigns_positioning_id_same_ws_fk",
        "campaigns_message_architecture_id_same_ws_fk",
        "campaign_quests_campaign_id_same_ws_fk",
        "campaign_quests_parent_id_same_ws_fk",
        "campaign_cohorts_campaign_id_same_ws_fk",
        "campaign_cohorts_cohort_id_same_ws_fk",
        # users, ON DELETE SET NULL (0004)
        "positioning_created_by_fk",
        "campaigns_created_by_fk",
    ],
    "policies": {
        "positioning": ["positioning_workspace_isolation"],
        "message_architecture": ["message_architecture_workspace_isolation"],
        "campaigns": ["campaigns_workspace_isolation"],
        "campaign_quests": ["campaign_quests_workspace_isolation"],
        "campaign_cohorts": ["campaign_cohorts_workspace_isolation"],
    },
    "functions": ["set_updated_at", "campaign_quests_check_hierarchy", "campaign_children_refuse_archived"],
    "triggers": {
        # *_set_updated_at: set_updated_at() on every table with updated_at (0003 and 0010).
        # *_gamification_event: created by gamification 0005 (events fired by the database).
        "positioning": ["positioning_set_updated_at", "positioning_gamification_event"],
        "message_architecture": ["message_architecture_set_updated_at"],
        "campaigns": ["campaigns_set_updated_at", "campaigns_launched_gamification_event", "campaigns_completed_gamification_event"],
        # *_refuse_archived: 0007, an archived campaign's quests and targets are read-only.
        "campaign_quests": [
            "campaign_quests_hierarchy_check",
            "campaign_quests_gamification_event",
            "campaign_quests_refuse_archived",
            "campaign_quests_set_updated_at",
        ],
        "campaign_cohorts": ["campaign_cohorts_refuse_archived", "campaign_cohorts_set_updated_at"],
    },
}
