"""``updated_at`` kept by the database on every table that has it (issue 18): the function, campaigns' and the core's tables.

- ``set_updated_at()`` (0003) gets a new body (sql/set_updated_at_2.sql):
  ``statement_timestamp()``, the clock of the column default, instead of the
  transaction's start. Its name stays, and so do the triggers of positioning
  and campaigns that call it.
- Its trigger (``raptorflow.migration_ops.updated_at_trigger``) on the other
  campaign tables, message_architecture, campaign_quests and
  campaign_cohorts, and on the core's tables, workspaces,
  workspace_members, cohorts and workspace_invitations. The core's are
  created here because the core cannot depend on campaigns: campaigns
  depends on it, and ``migrate raptorflow`` migrates the core alone (as
  gamification 0005 creates ``cohorts_gamification_event``).

The other apps add theirs in their own migration, each depending on 0003,
which creates the function: rolling campaigns back past 0003 unapplies them
first. Python no longer sets the column on save (``TimestampedModel``);
the INSERT still takes Django's value or the column default.

CREATE TRIGGER on an existing table takes a brief SHARE ROW EXCLUSIVE lock
(reads go on, writes wait); the DROP TRIGGER IF EXISTS before it finds
nothing to drop and keeps no lock. No rows are read or rewritten.
"""

from django.db import migrations

from raptorflow.migration_ops import sql_file, updated_at_trigger

TABLES = ("message_architecture", "campaign_quests", "campaign_cohorts")
CORE_TABLES = ("workspaces", "workspace_members", "cohorts", "workspace_invitations")


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0009_message_architecture_version_unique_message")]

    operations = [
        migrations.RunSQL(sql_file(__file__, "set_updated_at_2.sql"), sql_file(__file__, "set_updated_at.sql")),
        *[updated_at_trigger(table) for table in TABLES + CORE_TABLES],
    ]
