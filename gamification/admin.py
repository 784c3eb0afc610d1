"""Achievement curation for staff: catalogue, awards, per-member progress and stats, leaderboard."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gamification import services
from gamification.forms import AchievementForm, AwardForm
from gamification.models import Achievement, GamificationEvent, UserAchievement, UserStats
from raptorflow.admin import WorkspaceScopedAdmin
from raptorflow.models import User
from raptorflow.sql import SQLFunctionError

# Text colours on the admin's white background, each at least 4.5:1 (WCAG AA; axe color-contrast):
# 4.8, 5.2, 5.7 and 5.0 to 1. The Legendary amber was #d97706 (3.2:1).
RARITY_COLOURS = {"common": "#6b7280", "rare": "#2563eb", "epic": "#7c3aed", "legendary": "#b45309"}


def rarity_badge(rarity, label):
    return format_html(
        '<span style="color:{};font-weight:600">{}</span>', RARITY_COLOURS.get(rarity, "inherit"), label
    )


class MemberFilter(admin.SimpleListFilter):
    """Members of the current workspace only (a plain user filter would list every user of the platform)."""

    title = _("member")
    parameter_name = "user"

    def lookups(self, request, model_admin):
        if request.workspace is None:
            return []
        members = User.objects.filter(memberships__workspace=request.workspace).order_by("full_name", "email")
        return [(str(u.pk), str(u)) for u in members]

    def queryset(self, request, queryset):
        return queryset.filter(user_id=self.value()) if self.value() else queryset


@admin.register(Achievement)
class AchievementAdmin(WorkspaceScopedAdmin):
    form = AchievementForm
    list_display = (
        "name", "code", "category", "rarity_display", "xp_reward", "target_value", "is_active", "is_secret", "unlock_count",
    )
    list_display_links = ("name",)
    list_filter = ("is_active", "rarity", "category", "is_secret")
    search_fields = ("name", "code", "description")
    ordering = ("name",)
    actions = ["activate", "deactivate", "award_to_users"]
    change_list_template = "admin/gamification/achievement/change_list.html"
    fieldsets = (
        (None, {"fields": ("name", "code", "description", "icon")}),
        (_("Classification"), {"fields": ("category", "rarity", "is_active", "is_secret")}),
        (_("Unlocking"), {"fields": ("criteria", "target_value", "xp_reward")}),
    )

    def get_queryset(self, request):
        # Unlock count in the same query: a correlated count on user_ach_ws_achievement_idx,
        # evaluated only for the rows of the page (no GROUP BY over all progress rows).
        unlocks = (
            UserAchievement.objects.filter(
                workspace_id=OuterRef("workspace_id"), achievement_id=OuterRef("pk"), completed_at__isnull=False
            )
            .order_by()
            .values("achievement_id")
            .annotate(n=Count("*"))
            .values("n")
        )
        return super().get_queryset(request).annotate(
            unlock_count=Coalesce(Subquery(unlocks, output_field=IntegerField()), 0)
        )

    @admin.display(description=_("rarity"), ordering="rarity")
    def rarity_display(self, obj):
        return rarity_badge(obj.rarity, obj.get_rarity_display())

    @admin.display(description=_("unlocks"), ordering="unlock_count")
    def unlock_count(self, obj):
        url = reverse("admin:gamification_userachievement_changelist")
        return format_html('<a href="{}?achievement__id__exact={}&completed=yes">{}</a>', url, obj.pk, obj.unlock_count)

    @admin.action(description=_("Activate selected achievements"), permissions=["change"])
    def activate(self, request, queryset):
        selected = queryset.count()
        changed = services.set_achievements_active(achievements=queryset, active=True)
        self.message_user(request, ngettext("%d achievement activated.", "%d achievements activated.", changed) % changed)
        if selected - changed:
            unchanged = selected - changed
            self.message_user(
                request,
                ngettext("%d was already active: unchanged.", "%d were already active: unchanged.", unchanged) % unchanged,
                messages.INFO,
            )

    @admin.action(description=_("Deactivate selected achievements"), permissions=["change"])
    def deactivate(self, request, queryset):
        selected = queryset.count()
        changed = services.set_achievements_active(achievements=queryset, active=False)
        self.message_user(request, ngettext("%d achievement deactivated.", "%d achievements deactivated.", changed) % changed)
        if selected - changed:
            unchanged = selected - changed
            self.message_user(
                request,
                ngettext("%d was already inactive: unchanged.", "%d were already inactive: unchanged.", unchanged) % unchanged,
                messages.INFO,
            )

    @admin.action(description=_("Award selected achievements to members…"), permissions=["change"])
    def award_to_users(self, request, queryset):
        """Intermediate page: choose members; each award goes through award_achievement()."""
        achievements = list(queryset.order_by("name"))
        if "apply" in request.POST:
            form = AwardForm(request.POST, workspace=request.workspace)
            if form.is_valid():
                self._award(request, achievements, form.cleaned_data["users"])
                return None
        else:
            form = AwardForm(workspace=request.workspace)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Award achievements"),
            "opts": self.model._meta,
            "achievements": achievements,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/gamification/achievement/award.html", context)

    def _award(self, request, achievements, users):
        already = set(
            UserAchievement.objects.filter(
                achievement__in=achievements, user__in=users, completed_at__isnull=False
            ).values_list("achievement_id", "user_id")
        )
        awarded = 0
        for achievement in achievements:
            for user in users:
                try:
                    services.award_achievement(user=user, achievement=achievement, awarded_by=request.user)
                except SQLFunctionError as error:
                    self.message_user(request, f"{achievement} → {user}: {error}", messages.ERROR)
                    continue
                awarded += (achievement.pk, user.pk) not in already
        skipped = len(already)
        message = ngettext("%d achievement awarded.", "%d achievements awarded.", awarded) % awarded
        if skipped:
            message += " " + ngettext(
                "%d was already completed and stays as it was.", "%d were already completed and stay as they were.", skipped
            ) % skipped
        self.message_user(request, message, messages.SUCCESS)

    def get_urls(self):
        custom = [
            path(
                "leaderboard/",
                self.admin_site.admin_view(self.leaderboard_view),
                name="gamification_achievement_leaderboard",
            )
        ]
        return custom + super().get_urls()

    def leaderboard_view(self, request):
        """The workspace's top members by xp (user_stats_ws_leaderboard_idx) and its latest unlocks."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        stats, recent, events = [], [], []
        if request.workspace is not None:
            stats = list(
                UserStats.objects.filter(workspace_id=request.workspace.id)
                .select_related("user")
                .order_by("-total_xp", "user_id")[:50]
            )
            recent = list(
                UserAchievement.objects.filter(workspace_id=request.workspace.id, completed_at__isnull=False)
                .select_related("user", "achievement")
                .order_by("-completed_at")[:10]
            )
            events = list(
                GamificationEvent.objects.filter(workspace_id=request.workspace.id)
                .select_related("user")
                .order_by("-occurred_at")[:15]
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Leaderboard"),
            "subtitle": request.workspace.name if request.workspace else None,
            "opts": self.model._meta,
            "rows": [(rank, s) for rank, s in enumerate(stats, start=1)],
            "recent": recent,
            "events": events,
            "events_url": reverse("admin:gamification_gamificationevent_changelist"),
            "progress_url": reverse("admin:gamification_userachievement_changelist"),
        }
        return TemplateResponse(request, "admin/gamification/achievement/leaderboard.html", context)


class CompletedFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "completed"

    def lookups(self, request, model_admin):
        return [("yes", _("Completed")), ("no", _("In progress"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(completed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(completed_at__isnull=True)
        return queryset


@admin.register(UserAchievement)
class UserAchievementAdmin(WorkspaceScopedAdmin):
    """Members' progress. Read-only: progress moves through the functions; deleting takes the xp back."""

    list_display = ("user", "achievement", "progress_display", "completed_at", "awarded_by", "xp_awarded")
    list_filter = (CompletedFilter, MemberFilter, "achievement__rarity", "achievement")
    list_select_related = ("user", "achievement", "awarded_by")
    search_fields = ("user__email", "user__full_name", "achievement__name", "achievement__code")
    date_hierarchy = None
    readonly_fields = ("user", "achievement", "progress", "completed_at", "awarded_by", "xp_awarded", "created_at", "updated_at")
    fields = readonly_fields

    @admin.display(description=_("progress"), ordering="progress")
    def progress_display(self, obj):
        return f"{obj.progress} / {obj.achievement.target_value}"

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UserStats)
class UserStatsAdmin(WorkspaceScopedAdmin):
    """Members' totals, maintained by the database; "recompute" calls refresh_user_stats()."""

    list_display = (
        "user", "level", "total_xp", "achievements_unlocked", "quests_completed",
        "current_streak_days", "longest_streak_days", "last_activity_at", "progress_link", "events_link",
    )
    list_select_related = ("user",)
    search_fields = ("user__email", "user__full_name")
    ordering = ("-total_xp",)
    actions = ["recompute"]
    readonly_fields = (
        "user", "level", "total_xp", "achievements_unlocked", "quests_completed", "current_streak_days",
        "longest_streak_days", "last_activity_at", "achievements_table",
    )
    fields = readonly_fields

    @admin.display(description=_("progress"))
    def progress_link(self, obj):
        url = reverse("admin:gamification_userachievement_changelist")
        return format_html('<a href="{}?user={}">{}</a>', url, obj.user_id, _("progress"))

    @admin.display(description=_("events"))
    def events_link(self, obj):
        url = reverse("admin:gamification_gamificationevent_changelist")
        return format_html('<a href="{}?user={}">{}</a>', url, obj.user_id, _("events"))

    @admin.display(description=_("achievements"))
    def achievements_table(self, obj):
        rows = (
            UserAchievement.objects.filter(workspace_id=obj.workspace_id, user_id=obj.user_id)
            .select_related("achievement")
            .order_by("completed_at", "achievement__name")
        )
        lines = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{} / {}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    r.achievement.name,
                    rarity_badge(r.achievement.rarity, r.achievement.get_rarity_display()),
                    r.progress,
                    r.achievement.target_value,
                    r.completed_at.strftime("%Y-%m-%d %H:%M") if r.completed_at else _("in progress"),
                    r.xp_awarded,
                )
                for r in rows
            ),
        )
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("Achievement"), _("Rarity"), _("Progress"), _("Completed"), _("XP"),
        )
        return format_html("<table>{}{}</table>", header, lines) if lines else _("No progress yet.")

    @admin.action(description=_("Recompute stats from completed achievements"), permissions=["change"])
    def recompute(self, request, queryset):
        done = 0
        for stats in queryset:
            try:
                services.refresh_user_stats(user=stats.user_id)
                done += 1
            except SQLFunctionError as error:
                self.message_user(request, f"{stats.user}: {error}", messages.ERROR)
        self.message_user(request, ngettext("%d member's stats recomputed.", "%d members' stats recomputed.", done) % done)

    def has_add_permission(self, request, *args):
        return False


@admin.register(GamificationEvent)
class GamificationEventAdmin(WorkspaceScopedAdmin):
    """What members did that counted, newest first. Read-only: the database records events."""

    list_display = ("occurred_at", "user", "event", "xp_awarded", "subject_id")
    list_filter = (MemberFilter, "event")
    list_select_related = ("user",)
    search_fields = ("user__email", "user__full_name")
    ordering = ("-occurred_at",)
    date_hierarchy = "occurred_at"
    fields = ("occurred_at", "user", "event", "subject_id", "xp_awarded", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
