"""Table comments that speak of the domain only, without the plan's numbering (issue 18); COMMENT ON only."""

from django.db import migrations

from raptorflow.migration_ops import Batch


class Migration(migrations.Migration):
    dependencies = [("gamification", "0006_achievements_code_unique_message")]

    operations = [
        Batch(
            migrations.AlterModelTableComment(
                name="achievement",
                table_comment="Achievement catalogue of a workspace. Unlock rules in criteria; xp credited once per user.",
            ),
            migrations.AlterModelTableComment(
                name="gamificationevent",
                table_comment=(
                    "What members did that achievements count, once per (workspace, user, event, subject); "
                    "written by record_gamification_event."
                ),
            ),
            migrations.AlterModelTableComment(
                name="userachievement",
                table_comment="Progress of members towards achievements. Completion credits user_stats once (trigger).",
            ),
            migrations.AlterModelTableComment(
                name="userstats",
                table_comment=(
                    "Per-member gamification totals of a workspace. "
                    "xp/level/unlocks credited by trigger; refresh_user_stats() recomputes them."
                ),
            ),
        ),
    ]
