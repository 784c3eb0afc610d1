from django import forms
from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _, ngettext

from campaigns import services
from campaigns.forms import QuestForm
from campaigns.models import Campaign, CampaignCohort, CampaignQuest, MessageArchitecture, Positioning
from raptorflow.admin import OneEmptyFormSet, WorkspaceRoleInline, WorkspaceScopedAdmin
from raptorflow.forms import TenantModelForm


class CampaignRowAdminForm(TenantModelForm):
    """A quest or cohort target: never added to, or moved into, an archived campaign (the database refuses it too)."""

    def clean(self):
        cleaned = super().clean()
        campaign = cleaned.get("campaign")
        if campaign is not None and campaign.is_archived:
            self.add_error("campaign", services.archived_message(campaign))
        return cleaned


class ReadOnlyWhenArchived:
    """An archived campaign's quests and cohort targets: shown, never added, changed or deleted.

    On the campaign's inlines ``obj`` is the campaign; on the quest and target
    admins, the row. The database refuses these writes too
    (``campaign_children_refuse_archived``); this keeps the admin from offering them.
    """

    @staticmethod
    def _archived(obj) -> bool:
        campaign = obj if isinstance(obj, Campaign) else getattr(obj, "campaign", None)
        return campaign is not None and campaign.is_archived

    def has_add_permission(self, request, *args):
        return not (args and self._archived(args[0])) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return not self._archived(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._archived(obj) and super().has_delete_permission(request, obj)


class JoinsInTheWorkspace:
    """Lists that join another tenant table (``list_select_related``): the joined table filtered explicitly too.

    RLS gives every joined table its own ``workspace_id = (SELECT current_setting(...))``: an InitPlan
    whose value the planner does not know, so it estimates the average workspace's rows (a large
    workspace's 6,000 campaigns as 300). Joined to the list's table, the estimate of the whole join fell to
    a few dozen rows: the planner then sorted every quest of the workspace (18,000 in the bench's large
    workspace, 200 ms) instead of walking the list's ordered index and stopping after the page.
    ``<join>__workspace_id = <the header's workspace>`` gives the planner the real share of the joined
    table (its statistics know the large workspaces) and changes no result: the same-workspace keys
    already hold both rows in one workspace (docs/performance-pages.md).
    """

    workspace_joins: tuple[str, ...] = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.workspace is None or not self.workspace_joins:
            return queryset
        return queryset.filter(**{f"{join}__workspace_id": request.workspace.id for join in self.workspace_joins})


class QuestAdminForm(CampaignRowAdminForm):
    def clean(self):
        cleaned = super().clean()
        parent, campaign = cleaned.get("parent"), cleaned.get("campaign") or getattr(self.instance, "campaign", None)
        if parent is not None and campaign is not None and parent.campaign_id != campaign.id:
            self.add_error("parent", _("The parent quest must belong to the same campaign."))
        elif parent is not None and self.instance.pk:
            edges = CampaignQuest.objects.filter(campaign_id=parent.campaign_id).values_list("id", "parent_id")
            if parent.pk in QuestForm._subtree_ids(self.instance.pk, list(edges)):
                self.add_error("parent", _("A quest cannot be nested under itself or one of its sub-quests."))
        return cleaned


class OnePrimaryFormSet(OneEmptyFormSet):
    """At most one primary message architecture per positioning, said next to the rows, not an IntegrityError."""

    def clean(self):
        super().clean()
        primaries = [
            f for f in self.forms
            if getattr(f, "cleaned_data", None) and f.cleaned_data.get("is_primary") and not f.cleaned_data.get("DELETE")
        ]
        if len(primaries) > 1:
            raise forms.ValidationError(_("Mark only one message architecture as primary."), code="one_primary")


class MessageArchitectureInline(WorkspaceRoleInline):
    model = MessageArchitecture
    formset = OnePrimaryFormSet
    fields = ("name", "version", "is_primary", "tone")
    show_change_link = True


@admin.register(Positioning)
class PositioningAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "status", "target_segment", "created_by", "updated_at")
    list_filter = ("status",)
    search_fields = ("name", "target_segment")
    list_select_related = ("created_by",)
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = [MessageArchitectureInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(MessageArchitecture)
class MessageArchitectureAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "version", "positioning", "is_primary", "tone", "updated_at")
    list_filter = ("is_primary",)
    search_fields = ("name", "core_message", "positioning__name")
    list_select_related = ("positioning",)
    autocomplete_fields = ("positioning",)

    def save_model(self, request, obj, form, change):
        # Through the service: making one primary demotes the positioning's previous primary.
        services.save_message_architecture(architecture=obj)


class CampaignQuestInline(ReadOnlyWhenArchived, WorkspaceRoleInline):
    model = CampaignQuest
    form = QuestAdminForm
    fields = ("title", "parent", "position", "status", "xp_reward", "due_at")
    raw_id_fields = ("parent",)
    ordering = ("parent", "position")


class CampaignCohortInline(ReadOnlyWhenArchived, WorkspaceRoleInline):
    model = CampaignCohort
    fields = ("cohort", "role", "added_at")
    readonly_fields = ("added_at",)
    autocomplete_fields = ("cohort",)


@admin.register(Campaign)
class CampaignAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "status", "positioning", "starts_at", "ends_at", "budget", "quest_count")
    list_filter = ("status", "positioning")
    search_fields = ("name", "objective")
    list_select_related = ("positioning",)
    autocomplete_fields = ("positioning", "message_architecture")
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = [CampaignCohortInline, CampaignQuestInline]
    actions = ["archive_selected"]

    def get_queryset(self, request):
        # A correlated count per listed row: a GROUP BY would join every quest of the workspace.
        quests = CampaignQuest.objects.filter(campaign=OuterRef("pk")).order_by().values("campaign").annotate(n=Count("*")).values("n")
        return super().get_queryset(request).annotate(_quest_count=Coalesce(Subquery(quests), 0))

    @admin.display(description=_("quests"), ordering="_quest_count")
    def quest_count(self, obj):
        return obj._quest_count

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and obj.is_archived:
            # Archived: read-only, except the status that restores it (archiving is not final).
            editable = [f.name for f in self.model._meta.fields if f.editable and f.name != "status"]
            return (*readonly, *[name for name in editable if name not in readonly])
        return readonly

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Archive selected campaigns"), permissions=["change"])
    def archive_selected(self, request, queryset):
        count = already = 0
        for campaign in queryset:
            if campaign.status == Campaign.Status.ARCHIVED:
                already += 1
                continue
            services.archive_campaign(campaign=campaign)
            count += 1
        self.message_user(request, ngettext("%d campaign archived.", "%d campaigns archived.", count) % count, messages.SUCCESS)
        if already:
            self.message_user(
                request,
                ngettext("%d was already archived: unchanged.", "%d were already archived: unchanged.", already) % already,
                messages.INFO,
            )


@admin.register(CampaignQuest)
class CampaignQuestAdmin(ReadOnlyWhenArchived, JoinsInTheWorkspace, WorkspaceScopedAdmin):
    form = QuestAdminForm
    workspace_joins = ("campaign",)  # not the parent: a LEFT JOIN (top-level quests have none)
    list_display = ("title", "campaign", "parent", "position", "status", "xp_reward", "due_at", "completed_at")
    list_filter = ("status",)
    search_fields = ("title", "campaign__name")
    list_select_related = ("campaign", "parent")
    autocomplete_fields = ("campaign",)
    raw_id_fields = ("parent",)
    readonly_fields = ("completed_at",)


@admin.register(CampaignCohort)
class CampaignCohortAdmin(ReadOnlyWhenArchived, JoinsInTheWorkspace, WorkspaceScopedAdmin):
    form = CampaignRowAdminForm
    workspace_joins = ("campaign", "cohort")
    list_display = ("campaign", "cohort", "role", "added_at")
    list_filter = ("role",)
    search_fields = ("campaign__name", "cohort__name")
    list_select_related = ("campaign", "cohort")
    autocomplete_fields = ("campaign", "cohort")
