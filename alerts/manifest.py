"""What the alerts migrations create, for verify_schema."""

EXPECTED = {
    "tables": ["system_alerts", "user_notifications"],
    # Besides the primary keys. system_alerts_unresolved_fingerprint_uniq is the
    # partial unique index raise_system_alert's ON CONFLICT uses.
    "indexes": [
        "system_alerts_ws_seen_idx",
        "system_alerts_ws_status_idx",
        "system_alerts_ws_severity_idx",
        "system_alerts_ws_source_idx",
        "system_alerts_ws_open_idx",
        "system_alerts_ack_by_idx",
        "system_alerts_resolved_by_idx",
        "system_alerts_unresolved_fingerprint_uniq",
        "user_notifs_ws_user_idx",
        "user_notifs_unread_idx",
        "user_notifs_user_idx",
        "user_notifs_alert_idx",
    ],
    # Django's keys (ON DELETE rules moved into the database by 0006) and the
    # composite membership key of 0001_tables.
    "foreign_keys": [
        "system_alerts_acknowledged_by_id_55579986_fk_users_id",
        "system_alerts_resolved_by_id_534c32bc_fk_users_id",
        "system_alerts_workspace_id_c55a9dbd_fk_workspaces_id",
        "user_notifications_alert_id_e52ec21f_fk_system_alerts_id",
        "user_notifications_member_fk",
        "user_notifications_user_id_0ac00350_fk_users_id",
        "user_notifications_workspace_id_58b3b31a_fk_workspaces_id",
    ],
    "policies": {
        # system_alerts_platform_read (SELECT, workspace_id IS NULL) was dropped by 0005:
        # platform-wide alerts are read through platform_system_alerts().
        "system_alerts": [
            "system_alerts_workspace_isolation",
            "system_alerts_platform_owner",
        ],
        "user_notifications": [
            "user_notifications_own_rows",
            "user_notifications_member_insert",
        ],
    },
    "functions": [
        "raise_system_alert",
        "acknowledge_system_alert",
        "resolve_system_alert",
        "notify_user",
        "mark_notification_read",
        "mark_all_notifications_read",
        "unread_notification_count",
        # helpers and trigger functions
        "alerts_is_schema_owner",
        "alerts_lock_alert",
        "user_notifications_check_alert",
        "system_alerts_notify_admins",
        # 0005: the read path of platform-wide alerts (SECURITY DEFINER, search_path pinned).
        "platform_system_alerts",
    ],
    "triggers": {
        # system_alerts_gamification_event: created by gamification 0005.
        # *_set_updated_at: 0004, set_updated_at() (campaigns) on every table with updated_at.
        "system_alerts": ["system_alerts_notify_admins", "system_alerts_gamification_event", "system_alerts_set_updated_at"],
        "user_notifications": ["user_notifications_alert_scope", "user_notifications_set_updated_at"],
    },
}
