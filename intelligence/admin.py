"""Staff triage of signals and publishing of insights.

Signals come from feeds (``ingest_signals``, ``ingest_intelligence_signal``):
the admin never adds or edits them, it triages them (review, dismiss) and
synthesizes insights from a selection. Insights are edited here and published
through an action; their contributing signals are listed read-only.
"""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from intelligence import services
from intelligence.forms import MarketInsightForm, SynthesizeForm
from intelligence.models import IntelligenceSignal, MarketInsight
from raptorflow.admin import WorkspaceScopedAdmin
from raptorflow.sql import SQLFunctionError


class RecentFilter(admin.SimpleListFilter):
    title = _("last detected")
    parameter_name = "detected"
    DAYS = {"1": 1, "7": 7, "30": 30}

    def lookups(self, request, model_admin):
        return [("1", _("Last 24 hours")), ("7", _("Last 7 days")), ("30", _("Last 30 days"))]

    def queryset(self, request, queryset):
        from datetime import timedelta

        days = self.DAYS.get(self.value())
        if days is None:
            return queryset
        return queryset.filter(last_detected_at__gte=timezone.now() - timedelta(days=days))


class SignalTypeFilter(admin.SimpleListFilter):
    """The workspace's signal types, read by a skip scan of intel_signals_ws_type_idx.

    Django's default (SELECT DISTINCT over the workspace) reads every row: 160 ms at 1M signals.
    """

    title = _("type")
    parameter_name = "signal_type"
    SKIP_SCAN = """
        WITH RECURSIVE types(t) AS (
            SELECT min(signal_type) FROM intelligence_signals WHERE workspace_id = %s
            UNION ALL
            SELECT (SELECT min(signal_type) FROM intelligence_signals WHERE workspace_id = %s AND signal_type > t)
            FROM types WHERE t IS NOT NULL
        )
        SELECT t FROM types WHERE t IS NOT NULL
    """

    def lookups(self, request, model_admin):
        if request.workspace is None:
            return []
        with connection.cursor() as cursor:
            cursor.execute(self.SKIP_SCAN, [request.workspace.id, request.workspace.id])
            return [(t, t) for (t,) in cursor.fetchall()]

    def queryset(self, request, queryset):
        return queryset.filter(signal_type=self.value()) if self.value() else queryset


@admin.register(IntelligenceSignal)
class IntelligenceSignalAdmin(WorkspaceScopedAdmin):
    list_display = ("title", "source", "signal_type", "strength", "occurrences", "status", "last_detected_at")
    # Sources are searched rather than filtered: a DISTINCT over them would read the whole workspace.
    list_filter = ("status", RecentFilter, SignalTypeFilter)
    search_fields = ("title", "summary", "source", "=fingerprint")
    ordering = ("-last_detected_at",)
    # No COUNT(*) of the whole workspace on every page view: exact up to 10,000 signals, estimated beyond.
    exact_count_up_to = 10_000
    list_per_page = 50
    actions = ("mark_reviewed", "mark_dismissed", "synthesize_insight")
    fieldsets = (
        (None, {"fields": ("title", "summary", "url_link", "source", "signal_type", "status")}),
        (_("Evidence"), {"fields": ("strength", "sentiment", "occurrences", "first_detected_at", "last_detected_at", "expires_at")}),
        (_("Triage"), {"fields": ("reviewed_by", "reviewed_at", "cited_by")}),
        (_("Feed record"), {"classes": ("collapse",), "fields": ("fingerprint", "payload")}),
    )

    def has_add_permission(self, request):
        # Signals come from feeds through ingest_intelligence_signal, which dedupes them.
        return False

    def get_readonly_fields(self, request, obj=None):
        # Triage happens through the actions, which record who and when.
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    @admin.display(description=_("URL"))
    def url_link(self, obj):
        return format_html('<a href="{0}" rel="noopener noreferrer" target="_blank">{0}</a>', obj.url) if obj.url else "-"

    @admin.display(description=_("cited by insights"))
    def cited_by(self, obj):
        insights = MarketInsight.objects.filter(workspace_id=obj.workspace_id, signal_ids__contains=[obj.id])
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:intelligence_marketinsight_change", args=[i.pk]), i.title) for i in insights),
        )
        return links or "-"

    @admin.action(description=_("Mark selected signals as reviewed"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        changed = services.review_signals(signal_ids=queryset.values_list("id", flat=True), by=request.user)
        self._report(request, queryset, changed, _("reviewed"))

    @admin.action(description=_("Dismiss selected signals"), permissions=["change"])
    def mark_dismissed(self, request, queryset):
        changed = services.dismiss_signals(signal_ids=queryset.values_list("id", flat=True), by=request.user)
        self._report(request, queryset, changed, _("dismissed"))

    def _report(self, request, queryset, changed, verb):
        self.message_user(
            request,
            ngettext("%(count)d signal %(verb)s.", "%(count)d signals %(verb)s.", changed) % {"count": changed, "verb": verb},
            messages.SUCCESS,
        )
        skipped = queryset.count() - changed
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d signal left as it was (already in that status, or actioned in an insight).",
                    "%(count)d signals left as they were (already in that status, or actioned in an insight).",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Synthesize an insight from selected signals"), permissions=["change"])
    def synthesize_insight(self, request, queryset):
        signals = list(queryset.order_by("-strength"))
        form = SynthesizeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                insight = services.synthesize_insight(signal_ids=[s.id for s in signals], **form.cleaned_data)
            except SQLFunctionError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request,
                    _("Draft insight created from %(count)d signals, confidence %(confidence)s. Edit it, then publish it.")
                    % {"count": len(signals), "confidence": insight.confidence},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:intelligence_marketinsight_change", args=[insight.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Synthesize an insight"),
            "opts": self.model._meta,
            "form": form,
            "signals": signals,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "action": "synthesize_insight",
        }
        return TemplateResponse(request, "admin/intelligence/intelligencesignal/synthesize.html", context)


@admin.register(MarketInsight)
class MarketInsightAdmin(WorkspaceScopedAdmin):
    form = MarketInsightForm
    list_display = ("title", "category", "confidence", "impact", "status", "signal_count", "created_at", "published_at")
    list_filter = ("status", "category", "impact")
    search_fields = ("title", "summary")
    ordering = ("-created_at",)
    exact_count_up_to = 10_000
    actions = ("publish", "archive")
    readonly_fields = (
        "status", "confidence", "signals_table", "created_by", "created_at", "published_at", "published_by",
        "generated_by_agent",
    )
    fieldsets = (
        (None, {"fields": ("title", "summary", "category", "impact", "recommended_actions", "valid_until")}),
        (_("Evidence"), {"fields": ("confidence", "signals_table")}),
        (_("Publication"), {"fields": ("status", "created_by", "created_at", "published_by", "published_at", "generated_by_agent")}),
    )

    def has_add_permission(self, request):
        # Insights are drafted from signals: "Synthesize an insight" on the signal list.
        return False

    @admin.display(description=_("signals"))
    def signal_count(self, obj):
        return len(obj.signal_ids)

    @admin.display(description=_("contributing signals"))
    def signals_table(self, obj):
        signals = list(obj.contributing_signals())
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:intelligence_intelligencesignal_change", args=[s.pk]),
                    s.title,
                    s.source,
                    s.signal_type,
                    s.strength,
                    s.occurrences,
                    date_format(timezone.localtime(s.last_detected_at), "DATETIME_FORMAT"),
                )
                for s in signals
            ),
        )
        missing = len(obj.signal_ids) - len(signals)
        note = format_html("<p>{} signal(s) no longer exist.</p>", missing) if missing else ""
        return format_html(
            '<table class="rf-contributing-signals"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>{}",
            _("Title"), _("Source"), _("Type"), _("Strength"), _("Occurrences"), _("Last detected"), rows, note,
        )

    @admin.action(description=_("Publish selected insights"), permissions=["change"])
    def publish(self, request, queryset):
        ids = list(queryset.values_list("id", flat=True))
        count = services.publish_insights(insight_ids=ids, by=request.user)
        self._report(
            request,
            count,
            len(ids) - count,
            done=ngettext("%d insight published.", "%d insights published.", count),
            skipped=ngettext("%d was already published: unchanged.", "%d were already published: unchanged.", len(ids) - count),
        )

    @admin.action(description=_("Archive selected insights"), permissions=["change"])
    def archive(self, request, queryset):
        ids = list(queryset.values_list("id", flat=True))
        count = services.archive_insights(insight_ids=ids)
        self._report(
            request,
            count,
            len(ids) - count,
            done=ngettext("%d insight archived.", "%d insights archived.", count),
            skipped=ngettext("%d was already archived: unchanged.", "%d were already archived: unchanged.", len(ids) - count),
        )

    def _report(self, request, changed, unchanged, *, done, skipped):
        """Changed and unchanged counts of a bulk action, both said."""
        self.message_user(request, done % changed, messages.SUCCESS if changed else messages.INFO)
        if unchanged:
            self.message_user(request, skipped % unchanged, messages.INFO)

    def response_change(self, request, obj):
        # The change form's "Save and publish" button.
        if "_publish" in request.POST:
            services.publish_insights(insight_ids=[obj.pk], by=request.user)
            self.message_user(request, _("“%s” is published.") % obj.title, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:intelligence_marketinsight_changelist"))
        return super().response_change(request, obj)
