"""Events fired by the database: record_gamification_event and the triggers that call it.

- ``record_gamification_event(user, event, subject = NULL, occurred_at = now())``
  (sql/record_gamification_event.sql): records the event once, advances every
  active achievement of that event (within_days counted from the event log),
  credits a completed quest's xp, counts quests, keeps last activity and the
  streaks; returns how many achievements advanced.
- ``gamification_streaks(workspace, user)``: current and longest run of
  consecutive UTC days with an event.
- ``refresh_user_stats`` replaced (sql/refresh_user_stats_2.sql) so that a
  recompute keeps what events credited.
- Triggers (AFTER, FOR EACH ROW, function ``gamification_fire_event``) with
  app.current_user_id as the actor: no actor, no credit; an actor who is not a
  member of the row's workspace (a visiting platform superuser) earns nothing,
  and the write goes through either way.

  ==============================  =====================================  ======================
  trigger                         fires when                             event
  ==============================  =====================================  ======================
  campaign_quests_...             status becomes completed               quest_completed
  campaigns_launched_...          status becomes active                  campaign_launched
  campaigns_completed_...         status becomes completed               campaign_completed
  cohorts_...                     a cohort is inserted                   cohort_created
  positioning_...                 status becomes active                  positioning_published
  intelligence_signals_...        status becomes reviewed                signal_reviewed
  market_insights_...             status becomes published               insight_published
  system_alerts_...               a workspace alert becomes resolved     alert_resolved
  users_daily_login               last_login moves                       daily_login (each workspace)
  ==============================  =====================================  ======================

CREATE TRIGGER takes a brief SHARE ROW EXCLUSIVE lock on each table; migrate's
lock timeout and retries keep it from queueing in front of the site.
"""

from django.db import migrations

from raptorflow.migration_ops import sql_file

# (trigger, table, WHEN condition on NEW, event); INSERT too, so a row born in that state counts.
STATUS_TRIGGERS = [
    ("campaign_quests_gamification_event", "campaign_quests", "NEW.status = 'completed'", "quest_completed"),
    ("campaigns_launched_gamification_event", "campaigns", "NEW.status = 'active'", "campaign_launched"),
    ("campaigns_completed_gamification_event", "campaigns", "NEW.status = 'completed'", "campaign_completed"),
    ("positioning_gamification_event", "positioning", "NEW.status = 'active'", "positioning_published"),
    ("intelligence_signals_gamification_event", "intelligence_signals", "NEW.status = 'reviewed'", "signal_reviewed"),
    ("market_insights_gamification_event", "market_insights", "NEW.status = 'published'", "insight_published"),
    (
        "system_alerts_gamification_event",
        "system_alerts",
        "NEW.status = 'resolved' AND NEW.workspace_id IS NOT NULL",
        "alert_resolved",
    ),
]


def status_trigger(name, table, condition, event):
    return migrations.RunSQL(
        sql=[
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OF status ON {table} FOR EACH ROW "
            f"WHEN ({condition}) EXECUTE FUNCTION gamification_fire_event('{event}')",
        ],
        reverse_sql=f"DROP TRIGGER IF EXISTS {name} ON {table}",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("gamification", "0004_events_table"),
        ("campaigns", "0003_functions_and_triggers"),
        ("intelligence", "0003_functions"),
        ("alerts", "0003_functions_and_triggers"),
    ]

    operations = [
        migrations.RunSQL(
            sql_file(__file__, "gamification_streaks.sql"),
            "DROP FUNCTION IF EXISTS gamification_streaks(uuid, uuid);",
        ),
        migrations.RunSQL(
            sql_file(__file__, "record_gamification_event.sql"),
            "DROP FUNCTION IF EXISTS record_gamification_event(uuid, text, uuid, timestamptz);",
        ),
        # Back to the released first version on the way down.
        migrations.RunSQL(sql_file(__file__, "refresh_user_stats_2.sql"), sql_file(__file__, "refresh_user_stats.sql")),
        migrations.RunSQL(
            sql_file(__file__, "gamification_fire_event.sql"),
            "DROP FUNCTION IF EXISTS gamification_fire_event();",
        ),
        *[status_trigger(*spec) for spec in STATUS_TRIGGERS],
        migrations.RunSQL(
            sql=[
                "DROP TRIGGER IF EXISTS cohorts_gamification_event ON cohorts",
                "CREATE TRIGGER cohorts_gamification_event AFTER INSERT ON cohorts FOR EACH ROW "
                "EXECUTE FUNCTION gamification_fire_event('cohort_created')",
            ],
            reverse_sql="DROP TRIGGER IF EXISTS cohorts_gamification_event ON cohorts",
        ),
        migrations.RunSQL(
            sql_file(__file__, "gamification_daily_login.sql"),
            "DROP FUNCTION IF EXISTS gamification_daily_login();",
        ),
        migrations.RunSQL(
            sql=[
                "DROP TRIGGER IF EXISTS users_daily_login ON users",
                "CREATE TRIGGER users_daily_login AFTER UPDATE OF last_login ON users FOR EACH ROW "
                "WHEN (NEW.last_login IS NOT NULL AND NEW.last_login IS DISTINCT FROM OLD.last_login) "
                "EXECUTE FUNCTION gamification_daily_login()",
            ],
            reverse_sql="DROP TRIGGER IF EXISTS users_daily_login ON users",
        ),
    ]
