"""Admin for reviewing agents: the registry with this workspace's totals, a
per-agent performance page with a server-drawn chart, assignments inline.

The registry is global and the web role may only read it, so it is read-only
here for everyone (a form would only end in a permission error); the change
page exists to manage this workspace's assignments inline.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.db.models import Q, Value
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from agents import charts, selectors
from agents.latency import MAX_RELATIVE_WIDTH
from agents.models import Agent, AgentAssignment, AgentCapability
from raptorflow.admin import WorkspaceRoleAdmin, WorkspaceRoleInline, WorkspaceScopedAdmin
from raptorflow.forms import TenantModelForm


def _ms(value):
    return "–" if value is None else f"{value:,} ms"


def _rate(value):
    return "–" if value is None else f"{value:.1%}"


def _number(value):
    return "–" if value is None else f"{value:,}"


def _compact(value):
    """1234 -> 1.2k, 2345678 -> 2.3M: the list's tokens column (the exact figure is the title)."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if value >= size:
            scaled = value / size
            return f"{scaled:.0f}{suffix}" if scaled >= 100 else f"{scaled:.1f}{suffix}"
    return str(value)


class PeriodFilter(admin.SimpleListFilter):
    """Date range of the totals; read by get_queryset, which annotates with it."""

    title = _("period")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        return [(str(days), _("Last %(days)s days") % {"days": days}) for days in selectors.PERIODS]

    def choices(self, changelist):
        current = str(selectors.parse_period(self.value()))
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        return queryset  # the period is applied in the annotation, not as a row filter


class UnderperformingFilter(admin.SimpleListFilter):
    title = _("performance")
    parameter_name = "underperforming"

    def lookups(self, request, model_admin):
        return [("yes", _("Underperforming")), ("no", _("Within thresholds"))]

    def queryset(self, request, queryset):
        flagged = Q(executions__gt=0) & (
            Q(success_rate__lt=settings.AGENT_MIN_SUCCESS_RATE) | Q(p95_ms__gt=settings.AGENT_MAX_P95_MS)
        )
        if self.value() == "yes":
            return queryset.filter(flagged)
        if self.value() == "no":
            return queryset.exclude(flagged)
        return queryset


def refuse_a_second_active_assignment(*, agent, workspace_id, saving, replacing=()):
    """The one-active rule (``agent_assignments_one_active_uniq``) as a form error, before the database refuses.

    One active assignment of ``agent`` per campaign of the workspace (no
    campaign: the whole workspace). ``saving`` is the (campaign, status) of
    each assignment about to be saved, ``replacing`` the stored assignments
    they change or delete; the workspace's other active assignments of the
    agent count as they are stored. The one implementation for the
    standalone form and the agent page's inline.
    """
    taken = set(
        AgentAssignment.objects.filter(workspace_id=workspace_id, agent=agent, status=AgentAssignment.Status.ACTIVE)
        .exclude(pk__in=[pk for pk in replacing if pk is not None])
        .values_list("campaign_id", flat=True)
    )
    for campaign, status in saving:
        if status != AgentAssignment.Status.ACTIVE:
            continue
        key = campaign.pk if campaign else None
        if key in taken:
            raise forms.ValidationError(
                _("%(agent)s already has an active assignment for %(what)s; pause or retire one of them.")
                % {"agent": agent.name, "what": campaign or _("the whole workspace")},
                code="duplicate_active",
            )
        taken.add(key)


class AssignmentFormSet(forms.BaseInlineFormSet):
    """The agent page's assignments: the one-active rule over the rows as submitted."""

    def clean(self):
        super().clean()
        kept = [f for f in self.forms if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")]
        refuse_a_second_active_assignment(
            agent=self.instance,
            workspace_id=getattr(self.form_kwargs.get("workspace"), "pk", None),
            saving=[(f.cleaned_data.get("campaign"), f.cleaned_data.get("status")) for f in kept],
            replacing=[f.instance.pk for f in self.forms],
        )


class AgentAssignmentInline(WorkspaceRoleInline):
    model = AgentAssignment
    formset = AssignmentFormSet
    fields = ("campaign", "role", "status", "config_overrides", "notes", "assigned_by", "assigned_at")
    readonly_fields = ("assigned_by", "assigned_at")
    verbose_name_plural = _("assignments in this workspace")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("campaign", "assigned_by")


class AgentCapabilityInline(admin.TabularInline):
    model = AgentCapability
    extra = 0
    fields = ("capability", "description")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Agent)
class AgentAdmin(WorkspaceRoleAdmin):
    # Writes here are the inline assignments: the agents domain of the role matrix.
    list_display = (
        "name_link",
        "tier_domain",
        "executions_col",
        "success_rate_col",
        "p50_col",
        "p95_col",
        "tokens_col",
        "cost_col",
        "performance_link",
    )
    list_display_links = None
    list_filter = (PeriodFilter, "tier", "domain", UnderperformingFilter, "is_active")
    search_fields = ("name", "slug", "description")
    list_select_related = ("supervisor",)
    list_per_page = 100
    ordering = ("tier", "domain", "name")
    inlines = [AgentAssignmentInline, AgentCapabilityInline]
    fieldsets = (
        (None, {"fields": ("name", "slug", "tier", "domain", "supervisor", "description")}),
        (_("Runtime"), {"fields": ("default_model", "version", "is_active", "config")}),
    )

    class Media:
        css = {"all": ["agents/admin.css"]}

    # ------------------------------------------------------------ read-only registry
    def get_readonly_fields(self, request, obj=None):
        return ("name", "slug", "tier", "domain", "supervisor", "description", "default_model", "version", "is_active", "config")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # agents are retired (is_active), never deleted; the web role may not anyway

    def save_model(self, request, obj, form, change):
        # Every registry field is read-only and the web role has only SELECT on
        # agent_registry: the change form saves its assignment inline, nothing else.
        pass

    def save_formset(self, request, form, formset, change):
        # New assignments record who made them.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for instance in instances:
            if isinstance(instance, AgentAssignment) and instance._state.adding:
                instance.assigned_by = request.user
            instance.save()
        formset.save_m2m()

    # ------------------------------------------------------------ totals (one query)
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        days = selectors.parse_period(request.GET.get("period"))
        workspace_id = request.workspace.id if request.workspace else None
        return selectors.registry_with_totals(
            workspace_id=workspace_id, since=selectors.period_start(days), queryset=queryset
        ).annotate(period_days=Value(days))

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "agents_period": selectors.parse_period(request.GET.get("period")),
            "agents_min_success_rate": f"{settings.AGENT_MIN_SUCCESS_RATE:.0%}",
            "agents_max_p95_ms": f"{settings.AGENT_MAX_P95_MS:,}",
        }
        return super().changelist_view(request, extra_context)

    def _verdict(self, obj):
        return selectors.judge(
            executions=obj.executions,
            success_rate=obj.success_rate,
            p95_ms=obj.p95_ms,
            min_success_rate=settings.AGENT_MIN_SUCCESS_RATE,
            max_p95_ms=settings.AGENT_MAX_P95_MS,
        )

    # The list fits 1280 px with the navigation and the filters open: units and
    # long words go to the headers (<abbr> spells them out), tier and domain share
    # a column, and a flagged agent's cell says why under its name.

    @admin.display(description=_("agent"), ordering="name")
    def name_link(self, obj):
        url = reverse("admin:agents_agent_change", args=[obj.pk])
        link = format_html('<a href="{}">{}</a>', url, obj.name)
        verdict = self._verdict(obj)
        if not verdict.underperforming:
            return link
        return format_html(
            '{}<br><span class="rf-underperforming" title="{}">⚠ underperforming</span><br><small class="rf-reasons">{}</small>',
            link,
            "; ".join(verdict.reasons),
            ", ".join(self._short_reasons(obj)),
        )

    @admin.display(description=_("tier · domain"), ordering="tier")
    def tier_domain(self, obj):
        return format_html(
            '<abbr title="{}">{}</abbr> · {}', obj.get_tier_display(), obj.tier.capitalize(), obj.get_domain_display()
        )

    @staticmethod
    def _short_reasons(obj):
        reasons = []
        if obj.success_rate is not None and obj.success_rate < settings.AGENT_MIN_SUCCESS_RATE:
            reasons.append(_("success %(rate)s") % {"rate": _rate(obj.success_rate)})
        if obj.p95_ms is not None and obj.p95_ms > settings.AGENT_MAX_P95_MS:
            reasons.append(_("p95 %(ms)s") % {"ms": _ms(obj.p95_ms)})
        return reasons

    @admin.display(description=format_html('<abbr title="{}">{}</abbr>', _("executions in the period"), _("runs")), ordering="executions")
    def executions_col(self, obj):
        return f"{obj.executions:,}"

    @admin.display(description=format_html('<abbr title="{}">{}</abbr>', _("success rate"), _("success")), ordering="success_rate")
    def success_rate_col(self, obj):
        return _rate(obj.success_rate)

    @admin.display(description=format_html('<abbr title="{}">p50</abbr>', _("median latency, in milliseconds")), ordering="p50_ms")
    def p50_col(self, obj):
        return _number(obj.p50_ms)

    @admin.display(description=format_html('<abbr title="{}">p95</abbr>', _("95th percentile latency, in milliseconds")), ordering="p95_ms")
    def p95_col(self, obj):
        return _number(obj.p95_ms)

    @admin.display(description=_("tokens"), ordering="tokens")
    def tokens_col(self, obj):
        if obj.tokens < 1000:
            return str(obj.tokens)
        return format_html('<abbr title="{}">{}</abbr>', _("%(tokens)s tokens") % {"tokens": f"{obj.tokens:,}"}, _compact(obj.tokens))

    @admin.display(description=format_html('<abbr title="{}">{}</abbr>', _("cost in US dollars"), _("cost")), ordering="cost")
    def cost_col(self, obj):
        return f"${obj.cost:,.2f}"

    @admin.display(description=_("chart"))
    def performance_link(self, obj):
        url = reverse("admin:agents_agent_performance", args=[obj.pk])
        return format_html('<a href="{}?period={}">chart</a>', url, obj.period_days)

    # ------------------------------------------------------------ per-agent page
    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/performance/",
                self.admin_site.admin_view(self.performance_view),
                name="agents_agent_performance",
            )
        ]
        return urls + super().get_urls()

    def performance_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:  # an id that is no uuid is "not found", not a 500
            agent = get_object_or_404(Agent.objects.select_related("supervisor"), pk=Agent._meta.pk.to_python(object_id))
        except ValidationError:
            raise Http404(_("No such agent.")) from None
        days = selectors.parse_period(request.GET.get("period"))
        since = selectors.period_start(days)
        workspace_id = request.workspace.id if request.workspace else None
        totals = selectors.registry_with_totals(workspace_id=workspace_id, since=since).get(pk=agent.pk)
        rows = list(selectors.daily_performance(workspace_id=workspace_id, agent=agent, since=since))
        by_day = {row.day: row for row in rows}
        points = []
        for offset in range(days):
            day = since + timedelta(days=offset)
            row = by_day.get(day)
            points.append(charts.DayPoint(day, row.executions if row else 0, row.success_rate if row else None))
        verdict = self._verdict(totals)
        for row in rows:
            row.success_display = _rate(row.success_rate)
        context = {
            "success_rate_display": _rate(totals.success_rate),
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Performance of %(agent)s") % {"agent": agent.name},
            "subtitle": None,
            "agent": agent,
            "totals": totals,
            "rows": list(reversed(rows)),
            "chart": charts.daily_chart_svg(
                points,
                min_success_rate=settings.AGENT_MIN_SUCCESS_RATE,
                title=f"{agent.name}: daily executions and success rate, last {days} days",
            ),
            "days": days,
            "periods": selectors.PERIODS,
            "since": since,
            "verdict": verdict,
            "min_success_rate": settings.AGENT_MIN_SUCCESS_RATE,
            "max_p95_ms": settings.AGENT_MAX_P95_MS,
            "tolerance_pct": round(MAX_RELATIVE_WIDTH * 100, 1),
            "active_assignments": AgentAssignment.objects.filter(
                workspace_id=workspace_id, agent=agent, status=AgentAssignment.Status.ACTIVE
            ).select_related("campaign"),
        }
        return TemplateResponse(request, "admin/agents/agent/performance.html", context)


class AgentAssignmentForm(TenantModelForm):
    """The one-active rule checked by the form (a rule with a condition: the form's, not the model validation's)."""

    class Meta:
        model = AgentAssignment
        fields = ("agent", "campaign", "role", "status", "config_overrides", "notes")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("agent"):
            refuse_a_second_active_assignment(
                agent=cleaned["agent"],
                workspace_id=getattr(self.workspace, "pk", None),
                saving=[(cleaned.get("campaign"), cleaned.get("status"))],
                replacing=[self.instance.pk],
            )
        return cleaned


@admin.register(AgentAssignment)
class AgentAssignmentAdmin(WorkspaceScopedAdmin):
    form = AgentAssignmentForm
    list_display = ("agent", "campaign", "role", "status", "assigned_by", "assigned_at")
    list_filter = ("status", "role", "agent__tier", "agent__domain")
    search_fields = ("agent__name", "agent__slug", "campaign__name", "notes")
    list_select_related = ("agent", "campaign", "assigned_by")
    autocomplete_fields = ("agent",)
    readonly_fields = ("assigned_by", "assigned_at")
    fields = ("agent", "campaign", "role", "status", "config_overrides", "notes", "assigned_by", "assigned_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.assigned_by = request.user
        super().save_model(request, obj, form, change)
