"""What the tenancy core's migrations create; verify_schema compares the database with it."""

EXPECTED = {
    "foreign_keys": [
        "cohorts_workspace_id_8ce1a4c5_fk_workspaces_id",
        "users_groups_group_id_2f3517aa_fk_auth_group_id",
        "users_groups_user_id_f500bee5_fk_users_id",
        "users_user_permissio_permission_id_6d08dcd2_fk_auth_perm",
        "users_user_permissions_user_id_92473840_fk_users_id",
        "workspace_invitations_accepted_by_id_08826ecf_fk_users_id",
        "workspace_invitations_invited_by_id_9283daf5_fk_users_id",
        "workspace_invitations_revoked_by_id_71ed80eb_fk_users_id",
        "workspace_invitations_workspace_id_c67db95c_fk_workspaces_id",
        "workspace_members_user_id_b4ccc11d_fk_users_id",
        "workspace_members_workspace_id_3a96620d_fk_workspaces_id"
    ],
    "functions": [
        "accept_workspace_invitation",
        "current_workspace_role",
        "workspace_has_members"
    ],
    "indexes": [
        "cohorts_workspace_id_uniq",
        "cohorts_workspace_lower_name_uniq",
        "users_email_0ea73cca_like",
        "users_email_key",
        "users_groups_group_id_2f3517aa",
        "users_groups_user_id_f500bee5",
        "users_groups_user_id_group_id_fc7788e8_uniq",
        "users_user_permissions_permission_id_6d08dcd2",
        "users_user_permissions_user_id_92473840",
        "users_user_permissions_user_id_permission_id_3b86cbdf_uniq",
        "workspace_invitations_acc_idx",
        "workspace_invitations_inv_idx",
        "workspace_invitations_one_open_per_email",
        "workspace_invitations_rev_idx",
        "workspace_invitations_token_hash_uniq",
        "workspace_invitations_ws_idx",
        "workspace_members_user_idx",
        "workspace_members_workspace_user_uniq",
        "workspaces_slug_7dd4b37d_like",
        "workspaces_slug_key"
    ],
    "policies": {
        "cohorts": [
            "cohorts_workspace_isolation"
        ],
        "workspace_invitations": [
            "workspace_invitations_delete_rules",
            "workspace_invitations_insert_rules",
            "workspace_invitations_update_rules",
            "workspace_invitations_workspace_isolation"
        ],
        "workspace_members": [
            "workspace_members_delete_rules",
            "workspace_members_insert_rules",
            "workspace_members_own_rows_select",
            "workspace_members_update_rules",
            "workspace_members_workspace_isolation"
        ],
        "workspaces": [
            "workspaces_visible",
            "workspaces_workspace_isolation"
        ]
    },
    "seeded": {},
    "tables": [
        "cohorts",
        "users",
        "users_groups",
        "users_user_permissions",
        "workspace_invitations",
        "workspace_members",
        "workspaces"
    ],
    "triggers": {
        "cohorts": [
            "cohorts_gamification_event",
            "cohorts_set_updated_at"
        ],
        "users": [
            "users_daily_login"
        ],
        "workspace_invitations": [
            "workspace_invitations_set_updated_at"
        ],
        "workspace_members": [
            "workspace_members_set_updated_at"
        ],
        "workspaces": [
            "workspaces_set_updated_at"
        ]
    }
}
