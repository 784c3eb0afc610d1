"""The campaign tables' trigger functions (``sql/``, one file each) and their triggers.

- ``set_updated_at()`` on positioning and campaigns: any UPDATE that changes
  the row (from Django, psql or a SQL function) gets ``updated_at = now()``,
  the transaction's start time; an UPDATE that changes nothing leaves it alone.
- ``campaign_quests_check_hierarchy()``: the quest tree stays a tree. The
  same-workspace key already keeps a parent in the workspace; the trigger adds
  what a key cannot say: the parent is in the same campaign, there is no
  cycle (at most 100 levels), and a quest with sub-quests does not change
  campaign. Hierarchy changes in one campaign are serialized with a
  transaction-level advisory lock, so two concurrent moves (A under B, B
  under A) cannot together close a loop: the second waits, then sees the
  first's parent and is refused.
"""

from django.db import migrations

from raptorflow.migration_ops import sql_file, updated_at_trigger

UPDATED_AT_TABLES = ("positioning", "campaigns")


HIERARCHY_TRIGGER = """
DROP TRIGGER IF EXISTS campaign_quests_hierarchy_check ON campaign_quests;
CREATE TRIGGER campaign_quests_hierarchy_check
    BEFORE INSERT OR UPDATE OF parent_id, campaign_id ON campaign_quests
    FOR EACH ROW EXECUTE FUNCTION campaign_quests_check_hierarchy();
"""


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0002_row_level_security")]

    operations = [
        migrations.RunSQL(sql_file(__file__, "set_updated_at.sql"), "DROP FUNCTION IF EXISTS set_updated_at();"),
        *[updated_at_trigger(table) for table in UPDATED_AT_TABLES],
        migrations.RunSQL(
            sql_file(__file__, "campaign_quests_check_hierarchy.sql"),
            "DROP FUNCTION IF EXISTS campaign_quests_check_hierarchy();",
        ),
        migrations.RunSQL(
            HIERARCHY_TRIGGER, "DROP TRIGGER IF EXISTS campaign_quests_hierarchy_check ON campaign_quests;"
        ),
    ]
