"""The three intelligence procedures (``sql/``, one file each; SECURITY INVOKER: RLS applies to everything they touch).

- ``ingest_intelligence_signal``: one row per (workspace, fingerprint); a
  repeat adds an occurrence through INSERT ... ON CONFLICT, which is atomic
  under concurrency.
- ``synthesize_market_insight``: a draft insight from visible signals,
  confidence from their strength and occurrences; the signals become
  "actioned".
- ``expire_intelligence_signals``: deletes the workspace's expired, not
  actioned signals.

Every function needs app.current_workspace_id and raises a readable error
(SQLSTATE 22023 for bad input, 42501 without a workspace) otherwise.
"""

from django.db import migrations

from raptorflow.migration_ops import sql_file


class Migration(migrations.Migration):
    dependencies = [("intelligence", "0002_row_level_security")]

    operations = [
        migrations.RunSQL(
            sql_file(__file__, "ingest_intelligence_signal.sql"),
            "DROP FUNCTION IF EXISTS ingest_intelligence_signal(text, text, text, jsonb, numeric, text);",
        ),
        migrations.RunSQL(
            sql_file(__file__, "synthesize_market_insight.sql"),
            "DROP FUNCTION IF EXISTS synthesize_market_insight(text, text, uuid[], text);",
        ),
        migrations.RunSQL(
            sql_file(__file__, "expire_intelligence_signals.sql"),
            "DROP FUNCTION IF EXISTS expire_intelligence_signals(timestamptz);",
        ),
    ]
