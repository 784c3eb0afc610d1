"""What the gamification migrations create (compared with the live database by verify_schema)."""

EXPECTED = {
    "tables": ["achievements", "user_achievements", "user_stats"],
    "indexes": [
        "achievements_pkey",
        "achievements_workspace_code_uniq",
        "achievements_workspace_id_uniq",
        "achievements_ws_event_idx",
        "user_achievements_pkey",
        "user_achievements_workspace_user_achievement_uniq",
        "user_ach_ws_achievement_idx",
        "user_ach_ws_recent_idx",
        "user_ach_user_idx",
        "user_ach_awarded_by_idx",
        "user_stats_pkey",
        "user_stats_workspace_user_uniq",
        "user_stats_ws_leaderboard_idx",
        "user_stats_user_idx",
    ],
    "policies": {
        "achievements": ["achievements_workspace_isolation"],
        "user_achievements": ["user_achievements_workspace_isolation"],
        "user_stats": ["user_stats_workspace_isolation"],
    },
    "functions": [
        "gamification_level_for_xp",
        "increment_achievement_progress",
        "award_achievement",
        "refresh_user_stats",
        "gamification_criteria_problem",
        "gamification_check_criteria",
        "gamification_assert_member",
        "gamification_user_achievement_validate",
        "gamification_credit_user_stats",
        "gamification_user_stats_validate",
    ],
    "triggers": {
        "achievements": ["achievements_check_criteria"],
        "user_achievements": ["user_achievements_validate", "user_achievements_credit_stats"],
        "user_stats": ["user_stats_validate"],
    },
}
