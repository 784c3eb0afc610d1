"""Admin for staff: triage system alerts, read one's own notifications.

Alerts change only through the SQL procedures (services.py): the list's bulk
actions acknowledge and resolve through them after a confirmation page, the
detail page is read-only. Platform-wide alerts appear in every workspace's
list, read-only (the procedures refuse them for a workspace).
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alerts import services
from alerts.models import Severity, SystemAlert, UserNotification
from raptorflow.admin import EstimatedCounts, WorkspaceRoleAdmin


def alerts_in_scope(request):
    """The current workspace's alerts and the platform-wide ones.

    The table shows a workspace only its own alerts (one policy: alerts 0005);
    the platform-wide ones come from ``platform_system_alerts()``
    (``SystemAlert.objects.in_scope()``, alerts/models.py).
    """
    if request.workspace is None:
        return SystemAlert.objects.none()
    return SystemAlert.objects.in_scope()


def open_alerts_by_severity(request) -> dict:
    """Open alerts in scope per severity, most severe first, and their total; one query (the admin index)."""
    counts = dict(
        alerts_in_scope(request)
        .filter(status=SystemAlert.Status.OPEN)
        .order_by()
        .values_list("severity")
        .annotate(n=Count("id"))
    )
    by_severity = [(value, label, counts[value]) for value, label in reversed(Severity.choices) if counts.get(value)]
    return {"by_severity": by_severity, "total": sum(counts.values())}


class AgeFilter(admin.SimpleListFilter):
    """By when the alert was last seen (system_alerts_ws_seen_idx)."""

    title = _("last seen")
    parameter_name = "age"
    WINDOWS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}

    def lookups(self, request, model_admin):
        return [
            ("hour", _("In the last hour")),
            ("day", _("In the last day")),
            ("week", _("In the last week")),
            ("older", _("More than a week ago")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value in self.WINDOWS:
            return queryset.filter(last_seen_at__gte=timezone.now() - self.WINDOWS[value])
        if value == "older":
            return queryset.filter(last_seen_at__lt=timezone.now() - self.WINDOWS["week"])
        return queryset


class ScopeFilter(admin.SimpleListFilter):
    """This workspace's alerts by default; platform-wide ones on request.

    The default reads the table alone, with the explicit workspace filter
    (``of_workspace``): the list walks the (workspace_id, ..., last_seen_at DESC,
    id DESC) indexes and stops after the page. "Platform-wide" reads
    ``platform_system_alerts()``, "Both" the union of the two (alerts/models.py).
    Open platform-wide alerts are shown above the list in any case.
    """

    title = _("scope")
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return [("platform", _("Platform-wide")), ("all", _("Both"))]

    def choices(self, changelist):
        choices = list(super().choices(changelist))
        choices[0]["display"] = _("This workspace")
        return choices

    def queryset(self, request, queryset):
        if request.workspace is None:
            return queryset.none()
        if self.value() == "platform":
            return queryset.platform_wide()
        if self.value() == "all":
            return queryset.in_scope()
        return queryset.of_workspace(request.workspace.id)


class SourceFilter(admin.SimpleListFilter):
    """The sources present, read by a loose index scan on system_alerts_ws_source_idx.

    Django's field filter would run SELECT DISTINCT source over the whole history
    (a sequential scan); this skips from one source to the next in the index.
    """

    title = _("source")
    parameter_name = "source"
    SQL = """
        WITH RECURSIVE s(source) AS (
            (SELECT source FROM system_alerts WHERE workspace_id = %(ws)s ORDER BY source LIMIT 1)
            UNION ALL
            SELECT (SELECT a.source FROM system_alerts a WHERE a.workspace_id = %(ws)s AND a.source > s.source
                    ORDER BY a.source LIMIT 1)
            FROM s WHERE s.source IS NOT NULL
        )
        SELECT source FROM s WHERE source IS NOT NULL
        UNION
        SELECT DISTINCT source FROM platform_system_alerts()
        ORDER BY 1
    """

    def lookups(self, request, model_admin):
        if request.workspace is None:
            return []
        with connection.cursor() as cursor:
            cursor.execute(self.SQL, {"ws": request.workspace.id})
            return [(source, source) for (source,) in cursor.fetchall()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(source=self.value())
        return queryset


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("Resolution note"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=2000,
        help_text=_("What was done; stored on every selected alert."),
        error_messages={"required": _("Say how the alerts were resolved.")},
    )


def _when_by(user, when):
    if when is None:
        return "—"
    who = str(user) if user is not None else _("the platform team")
    return format_html("{}<br><small>{}</small>", who, date_format(timezone.localtime(when), "DATETIME_FORMAT"))


@admin.register(SystemAlert)
class SystemAlertAdmin(EstimatedCounts, WorkspaceRoleAdmin):
    list_display = (
        "severity_badge",
        "title",
        "source",
        "status_badge",
        "occurrence_count",
        "last_seen_at",
        "scope",
        "acknowledged",
        "resolved",
    )
    list_display_links = ("title",)
    list_filter = ("status", "severity", SourceFilter, AgeFilter, ScopeFilter)
    search_fields = ("title", "source", "fingerprint")
    list_select_related = ("acknowledged_by", "resolved_by")
    ordering = ("-last_seen_at",)
    # A workspace's whole alert history can be long: counted exactly up to 10,000, estimated beyond.
    exact_count_up_to = 10_000
    list_per_page = 50
    actions = ["acknowledge_selected", "resolve_selected"]
    fieldsets = (
        (None, {"fields": ("severity", "status", "title", "source", "message", "details", "fingerprint", "scope")}),
        (_("Occurrences"), {"fields": ("occurrence_count", "first_seen_at", "last_seen_at")}),
        (
            _("Handling"),
            {"fields": ("acknowledged_by", "acknowledged_at", "resolved_by", "resolved_at", "resolution_note")},
        ),
    )

    class Media:
        css = {"all": ["alerts/admin.css"]}

    def get_queryset(self, request):
        return alerts_in_scope(request).select_related("acknowledged_by", "resolved_by")

    def changelist_view(self, request, extra_context=None):
        # Open platform-wide alerts, above the list whatever the filters (few rows; platform_system_alerts()).
        platform = SystemAlert.objects.platform_wide().filter(status=SystemAlert.Status.OPEN)
        extra_context = {**(extra_context or {}), "platform_alerts": list(platform.order_by("-last_seen_at")[:10])}
        return super().changelist_view(request, extra_context)

    def get_readonly_fields(self, request, obj=None):
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    # Alerts are raised by the system and changed only through the procedures.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The list (obj None) needs it for the bulk actions; a detail page is read-only.
        return obj is None and request.workspace is not None and super().has_change_permission(request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # ------------------------------------------------------------ columns

    @admin.display(description=_("severity"), ordering="severity")
    def severity_badge(self, obj):
        return format_html('<span class="rf-sev rf-sev-{}">{}</span>', obj.severity, obj.get_severity_display())

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return format_html('<span class="rf-status rf-status-{}">{}</span>', obj.status, obj.get_status_display())

    @admin.display(description=_("scope"), ordering="workspace")
    def scope(self, obj):
        if obj.is_platform_wide:
            return format_html('<span class="rf-platform" title="{}">{}</span>', _("Read-only here"), _("Platform-wide"))
        return _("This workspace")

    @admin.display(description=_("acknowledged"), ordering="acknowledged_at")
    def acknowledged(self, obj):
        return _when_by(obj.acknowledged_by, obj.acknowledged_at)

    @admin.display(description=_("resolved"), ordering="resolved_at")
    def resolved(self, obj):
        return _when_by(obj.resolved_by, obj.resolved_at)

    # ------------------------------------------------------------ bulk actions

    @admin.action(description=_("Acknowledge selected alerts"), permissions=["change"])
    def acknowledge_selected(self, request, queryset):
        alerts = list(queryset)
        if request.POST.get("confirm") == "yes":
            result = services.acknowledge_many(alerts=alerts, by=request.user)
            self._report(request, result, _("Acknowledged"), self.ACK_SAME)
            return None
        return self._confirmation(request, alerts, "acknowledge_selected", _("Acknowledge alerts"), self._ack_outcome)

    @admin.action(description=_("Resolve selected alerts (with a note)"), permissions=["change"])
    def resolve_selected(self, request, queryset):
        alerts = list(queryset)
        form = ResolveForm(request.POST if request.POST.get("confirm") == "yes" else None)
        if form.is_bound and form.is_valid():
            result = services.resolve_many(alerts=alerts, by=request.user, note=form.cleaned_data["note"])
            self._report(request, result, _("Resolved"), self.RESOLVE_SAME)
            return None
        return self._confirmation(
            request, alerts, "resolve_selected", _("Resolve alerts"), self._resolve_outcome, form=form
        )

    # The confirmation page's words for an alert already in the wanted state; the report repeats them.
    ACK_SAME = _("already acknowledged: unchanged")
    RESOLVE_SAME = _("already resolved: unchanged")

    @classmethod
    def _ack_outcome(cls, alert):
        if alert.is_platform_wide:
            return "skip", _("platform-wide: read-only for a workspace")
        if alert.status == SystemAlert.Status.RESOLVED:
            return "skip", _("already resolved: cannot be acknowledged")
        if alert.status == SystemAlert.Status.ACKNOWLEDGED:
            return "same", cls.ACK_SAME
        return "change", _("will be acknowledged")

    @classmethod
    def _resolve_outcome(cls, alert):
        if alert.is_platform_wide:
            return "skip", _("platform-wide: read-only for a workspace")
        if alert.status == SystemAlert.Status.RESOLVED:
            return "same", cls.RESOLVE_SAME
        return "change", _("will be resolved")

    def _confirmation(self, request, alerts, action, title, outcome, form=None):
        rows = [(alert, *outcome(alert)) for alert in alerts]
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "rows": rows,
            "changes": sum(1 for row in rows if row[1] == "change"),
            "unchanged": sum(1 for row in rows if row[1] == "same"),
            "skipped": sum(1 for row in rows if row[1] == "skip"),
            "action": action,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/alerts/systemalert/confirm_action.html", context)

    def _report(self, request, result, verb, same):
        """The three counts of the confirmation page, as they turned out."""
        for alert in result.done:
            # The admin history records the acting staff user too.
            self.log_change(request, alert, f"{verb} (status {alert.status}).")
        done = len(result.done)
        self.message_user(
            request,
            ngettext("%(verb)s %(count)d alert.", "%(verb)s %(count)d alerts.", done) % {"verb": verb, "count": done},
            messages.SUCCESS if done else messages.INFO,
        )
        if result.unchanged:
            count = len(result.unchanged)
            self.message_user(
                request,
                ngettext("%(count)d alert %(same)s.", "%(count)d alerts %(same)s.", count) % {"count": count, "same": same},
                messages.INFO,
            )
        if result.refused:
            count = len(result.refused)
            reasons = "; ".join(f"{alert.title}: {reason}" for alert, reason in result.refused)
            self.message_user(
                request,
                ngettext("Skipped %(count)d alert: %(reasons)s", "Skipped %(count)d alerts: %(reasons)s", count)
                % {"count": count, "reasons": reasons},
                messages.WARNING,
            )


class ReadFilter(admin.SimpleListFilter):
    """Unread uses the partial index user_notifs_unread_idx."""

    title = _("read")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("no", _("Unread")), ("yes", _("Read"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=False)
        return queryset


def with_platform_alerts(notifications):
    """Fill in the platform-wide alerts the notifications refer to, in one query; returns them.

    ``select_related("alert")`` reads the table, which shows a workspace only its
    own alerts (alerts 0005): a notification about a platform-wide alert comes
    back with ``alert`` None. Those alerts are read through
    ``platform_system_alerts()``, one query for the whole page, none when no row
    needs it.
    """
    missing = {n.alert_id for n in notifications if n.alert_id is not None and n.alert is None}
    if missing:
        platform = SystemAlert.objects.platform_wide().in_bulk(missing)
        for notification in notifications:
            if notification.alert_id in platform:
                notification.alert = platform[notification.alert_id]
    return notifications


class NotificationChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        self.result_list = with_platform_alerts(list(self.result_list))


@admin.register(UserNotification)
class UserNotificationAdmin(EstimatedCounts, WorkspaceRoleAdmin):
    """The signed-in user's own notifications in the current workspace, and nobody else's."""

    list_display = ("title_with_state", "kind", "alert_link", "created_at", "read_at")
    list_display_links = ("title_with_state",)
    list_filter = (ReadFilter, "kind")
    search_fields = ("title", "body")
    ordering = ("-created_at",)
    exact_count_up_to = 10_000
    actions = ["mark_selected_read"]
    fields = ("title", "kind", "body", "link_out", "alert_link", "created_at", "read_at", "expires_at")
    readonly_fields = fields

    class Media:
        css = {"all": ["alerts/admin.css"]}

    def get_changelist(self, request, **kwargs):
        return NotificationChangeList

    def get_object(self, request, object_id, from_field=None):
        notification = super().get_object(request, object_id, from_field)
        return with_platform_alerts([notification])[0] if notification is not None else None

    def get_queryset(self, request):
        if request.workspace is None:
            return UserNotification.objects.none()
        # RLS shows only one's own rows already; the filter says so and uses (workspace_id, user_id, ...) indexes.
        return (
            super()
            .get_queryset(request)
            .filter(workspace_id=request.workspace.id, user_id=request.user.id)
            .select_related("alert")
        )

    # Everyone with admin access may read their own notifications, whatever their model permissions.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("mark-all-read/", self.admin_site.admin_view(self.mark_all_read_view), name="%s_%s_mark_all_read" % info),
            *super().get_urls(),
        ]

    @admin.display(description=_("title"), ordering="title")
    def title_with_state(self, obj):
        css = "rf-unread" if obj.read_at is None else "rf-read"
        return format_html('<span class="{} rf-kind-{}">{}</span>', css, obj.kind, obj.title)

    @admin.display(description=_("alert"))
    def alert_link(self, obj):
        if obj.alert_id is None:
            return "—"
        url = reverse("admin:alerts_systemalert_change", args=[obj.alert_id])
        # The list and the detail page fill in platform-wide alerts (with_platform_alerts).
        return format_html('<a href="{}">{}</a>', url, obj.alert if obj.alert is not None else _("Platform-wide alert"))

    @admin.display(description=_("link"))
    def link_out(self, obj):
        return format_html('<a href="{}">{}</a>', obj.link, obj.link) if obj.link else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Opening a notification reads it, as in any inbox.
        if request.method == "GET" and request.workspace is not None:
            # get_object, not a bare lookup: an id that is no uuid (a mistyped or relative
            # address) is "not found", as in Django's own change view, never a 500.
            notification = self.get_object(request, object_id)
            if notification is not None and notification.read_at is None:
                services.mark_read(notification=notification)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Mark selected notifications as read"), permissions=["view"])
    def mark_selected_read(self, request, queryset):
        selected = list(queryset)
        unread = [n for n in selected if n.read_at is None]
        for notification in unread:
            services.mark_read(notification=notification)
        count, already = len(unread), len(selected) - len(unread)
        self.message_user(
            request, ngettext("Marked %d notification as read.", "Marked %d notifications as read.", count) % count
        )
        if already:
            self.message_user(
                request,
                ngettext("%d was already read: unchanged.", "%d were already read: unchanged.", already) % already,
                messages.INFO,
            )

    def mark_all_read_view(self, request):
        if request.method != "POST":
            raise PermissionDenied
        count = services.mark_all_read() if request.workspace is not None else 0
        self.message_user(
            request, ngettext("Marked %d notification as read.", "Marked %d notifications as read.", count) % count
        )
        return HttpResponseRedirect(reverse("admin:alerts_usernotification_changelist"))
