"""What the tenancy core's migrations create; verify_schema compares the database with it."""

EXPECTED = {
    "foreign_keys": [
        "cohorts_workspace_id_8ce1a4c5_fk_workspaces_id",
        "users_groups_group_id_2f3517aa_fk_auth_group_id",
        "users_groups_user_id_f500bee5_fk_users_id",
        "users_user_permissio_permission_id_6d08dcd2_fk_auth_perm",
        "users_user_permissions_user_id_92473840_fk_users_id",
        "workspace_members_user_id_b4ccc11d_fk_users_id",
        "workspace_members_workspace_id_3a96620d_fk_workspaces_id"
    ],
    "functions": [],
    "indexes": [
        "cohorts_workspace_id_uniq",
        "cohorts_workspace_name_uniq",
        "users_email_0ea73cca_like",
        "users_email_key",
        "users_groups_group_id_2f3517aa",
        "users_groups_user_id_f500bee5",
        "users_groups_user_id_group_id_fc7788e8_uniq",
        "users_user_permissions_permission_id_6d08dcd2",
        "users_user_permissions_user_id_92473840",
        "users_user_permissions_user_id_permission_id_3b86cbdf_uniq",
        "workspace_members_user_idx",
        "workspace_members_workspace_user_uniq",
        "workspaces_slug_7dd4b37d_like",
        "workspaces_slug_key"
    ],
    "policies": {
        "cohorts": [
            "cohorts_workspace_isolation"
        ],
        "workspace_members": [
            "workspace_members_own_rows_select",
            "workspace_members_workspace_isolation"
        ],
        "workspaces": [
            "workspaces_visible",
            "workspaces_workspace_isolation"
        ]
    },
    "tables": [
        "cohorts",
        "users",
        "users_groups",
        "users_user_permissions",
        "workspace_members",
        "workspaces"
    ],
    "triggers": {}
}
