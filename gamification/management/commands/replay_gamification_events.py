"""Credit the work done before events were recorded, exactly once.

    python manage.py replay_gamification_events [--workspace SLUG] [--as-user EMAIL]

For every workspace (or the one named), the history the domain tables keep
becomes events of ``record_gamification_event``, oldest first, each credited
to the person the row names:

=====================  ============================================  ==================================
event                  from                                          credited to, at
=====================  ============================================  ==================================
quest_completed        campaign_quests with status completed         the campaign's creator, completed_at
campaign_launched      campaigns active, paused or completed         their creator, starts_at (else updated_at)
campaign_completed     campaigns completed                           their creator, ends_at (else updated_at)
positioning_published  positioning active                            its creator, updated_at
signal_reviewed        intelligence_signals reviewed or actioned     reviewed_by, reviewed_at
insight_published      market_insights published                     published_by, published_at
alert_resolved         the workspace's resolved system_alerts        resolved_by, resolved_at
daily_login            users.last_login                              the member, last_login
=====================  ============================================  ==================================

Rows that name nobody (no creator, a person no longer a member) and cohorts
(which record no creator) credit nothing. Events are unique per (user, event,
subject), so a second run changes nothing. Each workspace is replayed in
transactions of ``--batch`` events, with progress on the terminal.

Row-level security hides workspaces outside a context: the command sees the
workspaces of ``--as-user`` (a platform superuser's account sees all of them),
or all of them when the connection's role is a database superuser.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction

from raptorflow.models import User, Workspace
from raptorflow.tenancy import workspace_context

# (event, SQL selecting user_id, subject_id, occurred_at of the current workspace)
HISTORY = [
    (
        "quest_completed",
        """SELECT c.created_by_id, q.id, q.completed_at FROM campaign_quests q
           JOIN campaigns c ON c.workspace_id = q.workspace_id AND c.id = q.campaign_id
           WHERE q.workspace_id = %(ws)s AND q.status = 'completed'""",
    ),
    (
        "campaign_launched",
        """SELECT created_by_id, id, coalesce(starts_at, updated_at) FROM campaigns
           WHERE workspace_id = %(ws)s AND status IN ('active', 'paused', 'completed')""",
    ),
    (
        "campaign_completed",
        """SELECT created_by_id, id, coalesce(ends_at, updated_at) FROM campaigns
           WHERE workspace_id = %(ws)s AND status = 'completed'""",
    ),
    (
        "positioning_published",
        """SELECT created_by_id, id, updated_at FROM positioning WHERE workspace_id = %(ws)s AND status = 'active'""",
    ),
    (
        "signal_reviewed",
        """SELECT reviewed_by_id, id, reviewed_at FROM intelligence_signals
           WHERE workspace_id = %(ws)s AND status IN ('reviewed', 'actioned') AND reviewed_at IS NOT NULL""",
    ),
    (
        "insight_published",
        """SELECT published_by_id, id, published_at FROM market_insights
           WHERE workspace_id = %(ws)s AND status = 'published' AND published_at IS NOT NULL""",
    ),
    (
        "alert_resolved",
        """SELECT resolved_by_id, id, resolved_at FROM system_alerts
           WHERE workspace_id = %(ws)s AND status = 'resolved' AND resolved_at IS NOT NULL""",
    ),
    (
        "daily_login",
        """SELECT u.id, NULL::uuid, u.last_login FROM users u
           JOIN workspace_members m ON m.user_id = u.id AND m.workspace_id = %(ws)s
           WHERE u.last_login IS NOT NULL""",
    ),
]


class Command(BaseCommand):
    help = "Turn the history of the domain tables into gamification events, once. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", metavar="SLUG", help="Only this workspace (default: every visible one).")
        parser.add_argument(
            "--as-user", metavar="EMAIL", help="See the workspaces this account sees (a platform superuser's: all)."
        )
        parser.add_argument("--batch", type=int, default=1000, help="Events per transaction (default 1000).")

    def handle(self, *args, **options):
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        workspaces = self._workspaces(options["workspace"], options["as_user"])
        if not workspaces:
            raise CommandError(
                "No workspace is visible. Name a member (or a platform superuser's account) with --as-user EMAIL."
                if options["workspace"] is None
                else f"No visible workspace has the slug {options['workspace']!r} (try --as-user EMAIL)."
            )
        totals = {"events": 0, "new": 0, "advanced": 0}
        for workspace in workspaces:
            self._replay(workspace, options["batch"], totals)
        self.stdout.write(
            self.style.SUCCESS(
                f"Replayed {totals['events']:,} facts in {len(workspaces)} workspace(s): "
                f"{totals['new']:,} new events, {totals['advanced']:,} achievement steps."
            )
        )

    def _workspaces(self, slug, email):
        user_id = None
        if email:
            user = User.objects.filter(email=email.strip().lower()).first()
            if user is None:
                raise CommandError(f"No account has the email {email!r}.")
            user_id = user.id
        with workspace_context(None, user_id=user_id):
            queryset = Workspace.objects.order_by("name")
            if slug:
                queryset = queryset.filter(slug=slug)
            return list(queryset)

    def _facts(self, workspace):
        facts = []
        with workspace_context(workspace.id), connection.cursor() as cursor:
            for event, sql in HISTORY:
                cursor.execute(
                    f"SELECT h.* FROM ({sql}) AS h(user_id, subject_id, occurred_at)"
                    " JOIN workspace_members m ON m.workspace_id = %(ws)s AND m.user_id = h.user_id"
                    " WHERE h.occurred_at IS NOT NULL",
                    {"ws": workspace.id},
                )
                facts += [(occurred_at, event, user_id, subject_id) for user_id, subject_id, occurred_at in cursor.fetchall()]
        facts.sort(key=lambda fact: (fact[0], fact[1]))
        return facts

    def _replay(self, workspace, batch, totals):
        facts = self._facts(workspace)
        started, new, advanced = time.monotonic(), 0, 0
        self.stdout.write(f"{workspace.name}: {len(facts):,} facts")
        for start in range(0, len(facts), batch):
            chunk = facts[start : start + batch]
            with transaction.atomic(), workspace_context(workspace.id), connection.cursor() as cursor:
                before = _event_count(cursor)
                for occurred_at, event, user_id, subject_id in chunk:
                    try:
                        cursor.execute(
                            "SELECT record_gamification_event(%s, %s, %s, %s)", [user_id, event, subject_id, occurred_at]
                        )
                    except DatabaseError as exc:  # a refusal: name the fact; the batch is rolled back
                        cause = getattr(exc.__cause__, "diag", None)
                        reason = getattr(cause, "message_primary", None) or str(exc)
                        raise CommandError(f"{workspace.name}: {event} of {subject_id or user_id} failed: {reason}") from exc
                    advanced += cursor.fetchone()[0]
                new += _event_count(cursor) - before
            done = min(start + batch, len(facts))
            self.stdout.write(f"  {done:,}/{len(facts):,} ({time.monotonic() - started:.1f}s)")
        self.stdout.write(f"  {new:,} new events, {advanced:,} achievement steps")
        totals["events"] += len(facts)
        totals["new"] += new
        totals["advanced"] += advanced


def _event_count(cursor) -> int:
    cursor.execute(
        "SELECT count(*) FROM gamification_events"
        " WHERE workspace_id = NULLIF(current_setting('app.current_workspace_id', true), '')::uuid"
    )
    return cursor.fetchone()[0]
