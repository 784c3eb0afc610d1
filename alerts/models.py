"""System alerts and personal notifications.

Rows are written by the SQL functions of ``alerts/migrations/0004_functions.py``
(``raise_system_alert``, ``acknowledge_system_alert``, ``notify_user``...),
called through :mod:`alerts.services`; the models describe the tables and their
rules for Django (admin, queries, managed migrations).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from django.db.models.sql.datastructures import BaseTable

from raptorflow.models import JsonbTypeIs, TenantModel, TimestampedModel


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    ERROR = "error", _("Error")
    CRITICAL = "critical", _("Critical")


# Severities that notify the workspace's owners and admins when raised.
NOTIFYING_SEVERITIES = (Severity.ERROR, Severity.CRITICAL)


class _RowSource(BaseTable):
    """The FROM item of a query on system_alerts replaced by a row source with the same columns.

    ``FROM (<sql>) AS "system_alerts"``: every column reference Django writes
    (``"system_alerts"."status"``, or ``U0."id"`` in a subquery) reads the
    source instead of the table, and filters, ordering, joins
    (``select_related``), counts and pagination compose as on the table.
    """

    def __init__(self, table_name, alias, source_sql, params=()):
        super().__init__(table_name, alias)
        self.source_sql = source_sql
        self.params = tuple(params)

    def as_sql(self, compiler, connection):
        return f"({self.source_sql}) AS {compiler.quote_name_unless_alias(self.table_alias)}", list(self.params)

    def relabeled_clone(self, change_map):
        alias = change_map.get(self.table_alias, self.table_alias)
        return self.__class__(self.table_name, alias, self.source_sql, self.params)

    @property
    def identity(self):
        return self.__class__, self.table_name, self.table_alias, self.source_sql, self.params


class SystemAlertQuerySet(models.QuerySet):
    """Reads of system alerts, the platform-wide ones included.

    The table itself shows the app role only the current workspace's alerts
    (one policy, ``workspace_id = app.current_workspace_id``: alerts 0005), so
    ``SystemAlert.objects`` never returns a platform-wide alert. Those are read
    through the SECURITY DEFINER function ``platform_system_alerts()``:

    - :meth:`platform_wide`: the platform-wide alerts alone;
    - :meth:`in_scope`: the workspace's alerts and the platform-wide ones
      (``UNION ALL``; each branch keeps its own plan: the workspace branch walks
      the table's indexes);
    - :meth:`of_workspace`: back to the table, the workspace's alerts alone.
    """

    PLATFORM_SQL = "SELECT * FROM platform_system_alerts()"
    IN_SCOPE_SQL = 'SELECT * FROM "system_alerts" UNION ALL SELECT * FROM platform_system_alerts()'

    def _from(self, source_sql, params=()):
        """The same query reading ``source_sql`` instead of the table (the table itself when None)."""
        clone = self._chain()
        query = clone.query
        alias = query.get_initial_alias()
        base = query.alias_map[alias]
        if source_sql is None:
            query.alias_map[alias] = BaseTable(base.table_name, base.table_alias)
        else:
            query.alias_map[alias] = _RowSource(base.table_name, base.table_alias, source_sql, params)
        return clone

    def of_workspace(self, workspace_id):
        """The workspace's own alerts, read from the table (whatever source this queryset had).

        The explicit ``workspace_id =`` next to the policy's equality keeps the
        planner's estimate on the workspace's own statistics (the two merge
        into one equivalence class), so a large workspace walks the ordered
        ``(workspace_id, ..., last_seen_at DESC, id DESC)`` indexes.
        """
        return self._from(None).filter(workspace_id=workspace_id)

    def platform_wide(self):
        """Platform-wide alerts (workspace_id NULL): read-only, visible in any workspace, none without one."""
        return self._from(self.PLATFORM_SQL)

    def in_scope(self):
        """The current workspace's alerts and the platform-wide ones."""
        return self._from(self.IN_SCOPE_SQL)


class SystemAlert(TimestampedModel):
    """Something an operator should look at: raised by jobs, agents or the DBA.

    ``workspace`` is null for a platform-wide alert: every workspace reads it,
    through ``SystemAlert.objects.platform_wide()`` or ``in_scope()`` (the
    table's own policy shows a workspace only its alerts: alerts 0005), none
    may write it (only the schema owner does, see the RLS migration).
    Not a :class:`TenantModel` because of that nullable workspace.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    Severity = Severity

    # Indexed by the composite indexes below, which all lead with workspace_id.
    workspace = models.ForeignKey(
        "raptorflow.Workspace",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        db_index=False,
        related_name="+",
        verbose_name=_("workspace"),
        db_comment="Owning workspace; NULL = platform-wide alert, readable by every workspace and writable by none.",
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING)
    source = models.CharField(
        _("source"),
        max_length=100,
        help_text=_("The subsystem that raised the alert, e.g. 'agents.record_execution' or 'billing'."),
        db_comment="Subsystem that raised the alert (free text, filterable).",
    )
    title = models.CharField(_("title"), max_length=200)
    message = models.TextField(_("message"), blank=True, default="", db_default="")
    details = models.JSONField(
        _("details"), default=dict, db_default={}, blank=True, db_comment="Structured context as a JSON object."
    )
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=200,
        help_text=_("Alerts with the same fingerprint are one alert while unresolved: a repeat adds an occurrence."),
        db_comment="Dedupe key: at most one unresolved alert per (workspace, fingerprint). Defaults to md5(source || title).",
    )
    occurrence_count = models.PositiveIntegerField(
        _("occurrences"), default=1, db_default=1, db_comment="How many times the alert was raised while unresolved."
    )
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now, db_default=Now())
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now, db_default=Now())
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # partial index below
        verbose_name=_("acknowledged by"),
        db_comment="app.current_user_id when acknowledged (NULL if done by the DBA or the user was deleted).",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # partial index below
        verbose_name=_("resolved by"),
        db_comment="app.current_user_id when resolved.",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True, default="", db_default="")

    objects = SystemAlertQuerySet.as_manager()

    class Meta:
        db_table = "system_alerts"
        db_table_comment = (
            "Operational alerts of a workspace (or platform-wide when workspace_id IS NULL). "
            "Lifecycle open -> acknowledged -> resolved through acknowledge_system_alert / resolve_system_alert."
        )
        ordering = ["-last_seen_at"]
        verbose_name = _("system alert")
        verbose_name_plural = _("system alerts")
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=["info", "warning", "error", "critical"]), name="system_alerts_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "acknowledged", "resolved"]), name="system_alerts_status_valid"
            ),
            # The status and its timestamps agree.
            models.CheckConstraint(
                condition=(
                    Q(status="open", acknowledged_at__isnull=True, resolved_at__isnull=True)
                    | Q(status="acknowledged", acknowledged_at__isnull=False, resolved_at__isnull=True)
                    | Q(status="resolved", resolved_at__isnull=False)
                ),
                name="system_alerts_status_timestamps",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True)
                | Q(resolved_at__isnull=True)
                | Q(resolved_at__gte=models.F("acknowledged_at")),
                name="system_alerts_resolved_after_ack",
            ),
            models.CheckConstraint(
                condition=Q(last_seen_at__gte=models.F("first_seen_at")), name="system_alerts_seen_order"
            ),
            models.CheckConstraint(condition=Q(occurrence_count__gte=1), name="system_alerts_occurrences_positive"),
            models.CheckConstraint(condition=~Q(source=""), name="system_alerts_source_not_blank"),
            models.CheckConstraint(condition=~Q(title=""), name="system_alerts_title_not_blank"),
            models.CheckConstraint(condition=~Q(fingerprint=""), name="system_alerts_fingerprint_not_blank"),
            models.CheckConstraint(condition=JsonbTypeIs("details", "object"), name="system_alerts_details_object"),
            # raise_system_alert's dedupe: INSERT ... ON CONFLICT on this index, so
            # concurrent raises cannot create two unresolved alerts. NULLS NOT DISTINCT:
            # platform-wide alerts (workspace NULL) dedupe too.
            models.UniqueConstraint(
                fields=["workspace", "fingerprint"],
                condition=~Q(status="resolved"),
                nulls_distinct=False,
                name="system_alerts_unresolved_fingerprint_uniq",
            ),
        ]
        indexes = [
            # Admin list: default ordering (last seen first, then Django's -pk tie-breaker) and the age filter.
            models.Index("workspace", models.F("last_seen_at").desc(), models.F("id").desc(), name="system_alerts_ws_seen_idx"),
            # Admin list filtered by status.
            models.Index(
                "workspace", "status", models.F("last_seen_at").desc(), models.F("id").desc(), name="system_alerts_ws_status_idx"
            ),
            # Admin list filtered by severity.
            models.Index(
                "workspace", "severity", models.F("last_seen_at").desc(), models.F("id").desc(), name="system_alerts_ws_severity_idx"
            ),
            # Admin list filtered by source (and the source filter's DISTINCT list).
            models.Index(
                "workspace", "source", models.F("last_seen_at").desc(), models.F("id").desc(), name="system_alerts_ws_source_idx"
            ),
            # Admin index: open alerts counted by severity.
            models.Index(
                fields=["workspace", "severity"],
                condition=Q(status="open"),
                name="system_alerts_ws_open_idx",
            ),
            # Foreign keys to users (ON DELETE SET NULL needs them); few rows have them set.
            models.Index(
                fields=["acknowledged_by"],
                condition=Q(acknowledged_by__isnull=False),
                name="system_alerts_ack_by_idx",
            ),
            models.Index(
                fields=["resolved_by"], condition=Q(resolved_by__isnull=False), name="system_alerts_resolved_by_idx"
            ),
        ]

    def __str__(self):
        return f"[{self.severity}] {self.title}"

    @property
    def is_platform_wide(self):
        return self.workspace_id is None


class UserNotification(TenantModel):
    """A personal message to one member of a workspace: only that user reads it."""

    class Kind(models.TextChoices):
        INFO = "info", _("Info")
        SUCCESS = "success", _("Success")
        WARNING = "warning", _("Warning")
        ERROR = "error", _("Error")
        ALERT = "alert", _("Alert")

    # The composite indexes below lead with workspace_id.
    workspace = models.ForeignKey(
        "raptorflow.Workspace",
        on_delete=models.CASCADE,
        verbose_name=_("workspace"),
        editable=False,
        db_index=False,
        related_name="+",
        db_comment="Owning workspace; row-level security compares it with app.current_workspace_id.",
    )
    # Also a composite key (workspace_id, user_id) -> workspace_members: only
    # members get notifications, and leaving a workspace removes them.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # user_notifs_user_idx
        verbose_name=_("user"),
        db_comment="The recipient; only this user sees the row (RLS).",
    )
    alert = models.ForeignKey(
        SystemAlert,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        db_index=False,  # partial index below
        verbose_name=_("alert"),
        db_comment="The alert this notification is about: one of the workspace's or a platform-wide one (trigger-checked).",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.INFO)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True, default="", db_default="")
    link = models.CharField(_("link"), max_length=500, blank=True, null=True, db_comment="Relative URL or absolute http(s) URL.")
    read_at = models.DateTimeField(_("read at"), null=True, blank=True, db_comment="NULL while unread.")
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, db_comment="After this time the notification no longer counts as unread."
    )

    class Meta:
        db_table = "user_notifications"
        db_table_comment = (
            "Personal notifications: a user sees and updates only their own, in the current workspace. "
            "Written for other members through notify_user()."
        )
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["info", "success", "warning", "error", "alert"]),
                name="user_notifications_kind_valid",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="user_notifications_title_not_blank"),
            models.CheckConstraint(
                condition=Q(read_at__isnull=True) | Q(read_at__gte=models.F("created_at")),
                name="user_notifications_read_after_created",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("created_at")),
                name="user_notifications_expires_after_created",
            ),
            models.CheckConstraint(
                condition=Q(link__isnull=True) | Q(link__startswith="/") | Q(link__regex=r"^https?://"),
                name="user_notifications_link_safe",
            ),
        ]
        indexes = [
            # The user's notification list, newest first (also serves the
            # composite key to workspace_members).
            models.Index("workspace", "user", models.F("created_at").desc(), name="user_notifs_ws_user_idx"),
            # The header badge: unread_notification_count() and the "unread" filter.
            models.Index(
                "workspace",
                "user",
                models.F("created_at").desc(),
                condition=Q(read_at__isnull=True),
                name="user_notifs_unread_idx",
            ),
            # Deleting a user cascades here.
            models.Index(fields=["user"], name="user_notifs_user_idx"),
            # Notifications about an alert (and its ON DELETE SET NULL).
            models.Index(fields=["alert"], condition=Q(alert__isnull=False), name="user_notifs_alert_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None
