"""What the alerts migrations (017) create, for verify_schema."""

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
    "policies": {
        "system_alerts": [
            "system_alerts_workspace_isolation",
            "system_alerts_platform_read",
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
    ],
    "triggers": {
        "system_alerts": ["system_alerts_notify_admins"],
        "user_notifications": ["user_notifications_alert_scope"],
    },
}
