"""Gamification: achievements, progress and per-user stats.

Progress and awards are written by SQL functions (``gamification/services.py``
wraps them); the database credits xp, level and the unlock count when a
``user_achievements`` row becomes completed (trigger
``user_achievements_credit_stats``), so every writer gets the same rules.
"""

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTextTransform
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from raptorflow.models import JsonbTypeIs, TenantModel

# The criteria shape, enforced by gamification_criteria_problem() in the
# database (migration 0003_functions_and_triggers) and used by the admin form through it:
#   {"event": <one of CRITERIA_EVENTS>, "count": <integer = target_value>,
#    "within_days": <optional integer 1..365>}
CRITERIA_EVENTS = (
    "quest_completed",
    "campaign_launched",
    "campaign_completed",
    "cohort_created",
    "positioning_published",
    "signal_reviewed",
    "insight_published",
    "alert_resolved",
    "daily_login",
    "manual",
)
CRITERIA_KEYS = ("event", "count", "within_days")


def xp_for_level(level: int) -> int:
    """Total xp at which ``level`` starts: the inverse of gamification_level_for_xp (floor(sqrt(xp / 100)) + 1)."""
    return 100 * (level - 1) ** 2


class Achievement(TenantModel):
    """A badge a workspace's members can unlock."""

    class Rarity(models.TextChoices):
        COMMON = "common", _("Common")
        RARE = "rare", _("Rare")
        EPIC = "epic", _("Epic")
        LEGENDARY = "legendary", _("Legendary")

    class Category(models.TextChoices):
        GENERAL = "general", _("General")
        CAMPAIGNS = "campaigns", _("Campaigns")
        QUESTS = "quests", _("Quests")
        AUDIENCE = "audience", _("Audience")
        INTELLIGENCE = "intelligence", _("Intelligence")
        OPERATIONS = "operations", _("Operations")
        ENGAGEMENT = "engagement", _("Engagement")

    code = models.SlugField(
        _("code"),
        max_length=64,
        db_index=False,  # achievements_workspace_code_uniq serves lookups by code
        help_text=_("Stable identifier used by events and imports, e.g. first-campaign. Unique in the workspace."),
        db_comment="Stable identifier, unique per workspace.",
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, default="", db_default="")
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.GENERAL, db_default=Category.GENERAL
    )
    rarity = models.CharField(
        _("rarity"), max_length=12, choices=Rarity.choices, default=Rarity.COMMON, db_default=Rarity.COMMON
    )
    xp_reward = models.PositiveIntegerField(
        _("xp reward"), default=50, db_default=50, db_comment="Experience points credited once, on completion."
    )
    criteria = models.JSONField(
        _("criteria"),
        default=dict,
        help_text=format_lazy(
            _(
                'What unlocks it: {{"event": "quest_completed", "count": 10}} with an optional "within_days" '
                "(1 to 365). Events: {events}. The count equals the target value."
            ),
            events=", ".join(CRITERIA_EVENTS),
        ),
        db_comment='{"event": text, "count": int = target_value, "within_days"?: 1..365}; checked by trigger achievements_check_criteria.',
    )
    target_value = models.PositiveIntegerField(
        _("target value"), default=1, db_default=1, db_comment="Progress needed to complete (> 0)."
    )
    icon = models.CharField(
        _("icon"), max_length=64, blank=True, default="", db_default="", help_text=_("An emoji or an icon name.")
    )
    is_active = models.BooleanField(
        _("active"), default=True, db_default=True, help_text=_("Inactive achievements make no progress.")
    )
    is_secret = models.BooleanField(
        _("secret"), default=False, db_default=False, help_text=_("Hidden from members until unlocked.")
    )

    class Meta:
        db_table = "achievements"
        db_table_comment = "Achievement catalogue of a workspace. Unlock rules in criteria; xp credited once per user."
        ordering = ["name"]
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        constraints = [
            # Lookup by code (event handlers, demo seeding, imports). Codes are lowercase (achievements_code_format),
            # so this rule is unique ignoring case too; the form lowercases what staff type.
            models.UniqueConstraint(
                fields=["workspace", "code"], name="achievements_workspace_code_uniq",
                violation_error_message=_("An achievement with this code already exists in this workspace."),
            ),
            # Target of the same-workspace composite key from user_achievements.
            models.UniqueConstraint(fields=["workspace", "id"], name="achievements_workspace_id_uniq"),
            models.CheckConstraint(
                condition=models.Q(rarity__in=["common", "rare", "epic", "legendary"]), name="achievements_rarity_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    category__in=["general", "campaigns", "quests", "audience", "intelligence", "operations", "engagement"]
                ),
                name="achievements_category_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(xp_reward__lte=100000), name="achievements_xp_reward_max"
            ),
            models.CheckConstraint(condition=models.Q(target_value__gt=0), name="achievements_target_positive"),
            models.CheckConstraint(condition=JsonbTypeIs("criteria", "object"), name="achievements_criteria_object"),
            models.CheckConstraint(condition=models.Q(code__regex=r"^[a-z0-9][a-z0-9_-]*$"), name="achievements_code_format"),
            models.CheckConstraint(condition=~models.Q(name=""), name="achievements_name_not_blank"),
        ]
        indexes = [
            # "Which active achievements track event X?" (progress from domain events).
            models.Index(
                models.F("workspace"),
                KeyTextTransform("event", "criteria"),
                name="achievements_ws_event_idx",
                condition=models.Q(is_active=True),
            ),
        ]

    def __str__(self):
        return self.name


class UserAchievement(TenantModel):
    """One member's progress towards one achievement."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="achievements_progress",
        verbose_name=_("user"),
        db_index=False,
        db_comment="The member making progress; (workspace_id, user_id) must be a workspace member (user_achievements_member_fk).",
    )
    achievement = models.ForeignKey(
        Achievement,
        on_delete=models.CASCADE,
        related_name="user_achievements",
        verbose_name=_("achievement"),
        db_index=False,
        # The composite key user_achievements_achievement_id_same_ws_fk (migration 0001_tables)
        # is the real constraint; a plain one would only duplicate it, unindexed.
        db_constraint=False,
        db_comment="Same-workspace key user_achievements_achievement_id_same_ws_fk.",
    )
    progress = models.PositiveIntegerField(
        _("progress"), default=0, db_default=0, db_comment="0..achievements.target_value (trigger-checked)."
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("awarded by"),
        db_index=False,
        db_comment="Who awarded it by hand; NULL when earned through progress.",
    )
    xp_awarded = models.PositiveIntegerField(
        _("xp awarded"),
        default=0,
        db_default=0,
        editable=False,
        db_comment="The achievement's xp_reward at completion (0 before): what user_stats was credited.",
    )

    class Meta:
        db_table = "user_achievements"
        db_table_comment = "Progress of members towards achievements. Completion credits user_stats once (trigger)."
        ordering = ["-completed_at", "-updated_at"]
        verbose_name = _("user achievement")
        verbose_name_plural = _("user achievements")
        constraints = [
            # A user's progress in the workspace; the ON CONFLICT target of the functions.
            models.UniqueConstraint(
                fields=["workspace", "user", "achievement"], name="user_achievements_workspace_user_achievement_uniq"
            ),
            models.CheckConstraint(
                condition=models.Q(awarded_by__isnull=True) | models.Q(completed_at__isnull=False),
                name="user_achievements_awarded_is_completed",
            ),
            models.CheckConstraint(
                condition=models.Q(completed_at__isnull=False) | models.Q(xp_awarded=0),
                name="user_achievements_xp_only_when_completed",
            ),
        ]
        indexes = [
            # Unlock count per achievement (admin changelist annotation) and the
            # composite key's ON DELETE CASCADE from achievements.
            models.Index(
                fields=["workspace", "achievement", "completed_at"], name="user_ach_ws_achievement_idx"
            ),
            # "Recent unlocks in the workspace" (user achievements admin, newest first).
            models.Index(
                models.F("workspace"),
                models.F("completed_at").desc(),
                name="user_ach_ws_recent_idx",
                condition=models.Q(completed_at__isnull=False),
            ),
            # ON DELETE CASCADE / SET NULL when a user is deleted.
            models.Index(fields=["user"], name="user_ach_user_idx"),
            models.Index(
                fields=["awarded_by"], name="user_ach_awarded_by_idx", condition=models.Q(awarded_by__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.achievement}"

    @property
    def is_completed(self):
        return self.completed_at is not None


class UserStats(TenantModel):
    """A member's gamification totals in one workspace (maintained by the database)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="gamification_stats",
        verbose_name=_("user"),
        db_index=False,
        db_comment="The member; (workspace_id, user_id) must be a workspace member (user_stats_member_fk).",
    )
    total_xp = models.PositiveIntegerField(_("total xp"), default=0, db_default=0)
    level = models.PositiveIntegerField(
        _("level"), default=1, db_default=1, db_comment="gamification_level_for_xp(total_xp)."
    )
    achievements_unlocked = models.PositiveIntegerField(_("achievements unlocked"), default=0, db_default=0)
    quests_completed = models.PositiveIntegerField(_("quests completed"), default=0, db_default=0)
    current_streak_days = models.PositiveIntegerField(_("current streak (days)"), default=0, db_default=0)
    longest_streak_days = models.PositiveIntegerField(_("longest streak (days)"), default=0, db_default=0)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)

    class Meta:
        db_table = "user_stats"
        db_table_comment = "Per-member gamification totals of a workspace. xp/level/unlocks credited by trigger; refresh_user_stats() recomputes them."
        ordering = ["-total_xp"]
        verbose_name = _("user stats")
        verbose_name_plural = _("user stats")
        constraints = [
            # A user's stats in the workspace; ON CONFLICT target of the trigger.
            models.UniqueConstraint(fields=["workspace", "user"], name="user_stats_workspace_user_uniq"),
            models.CheckConstraint(condition=models.Q(level__gte=1), name="user_stats_level_positive"),
            models.CheckConstraint(
                condition=models.Q(longest_streak_days__gte=models.F("current_streak_days")),
                name="user_stats_longest_streak_covers_current",
            ),
        ]
        indexes = [
            # The workspace leaderboard: ORDER BY total_xp DESC LIMIT n.
            models.Index(
                models.F("workspace"), models.F("total_xp").desc(), models.F("user"), name="user_stats_ws_leaderboard_idx"
            ),
            # ON DELETE CASCADE when a user is deleted.
            models.Index(fields=["user"], name="user_stats_user_idx"),
        ]

    def __str__(self):
        return f"{self.user}: level {self.level}, {self.total_xp} xp"


# Events that domain rows fire (every criteria event but "manual", which is awarded by hand).
EVENTS = tuple(event for event in CRITERIA_EVENTS if event != "manual")


class GamificationEvent(TenantModel):
    """Something a member did that achievements count, recorded once.

    Written only by ``record_gamification_event`` (called by the triggers of
    the domain tables with app.current_user_id as the actor, and by the
    replay command). One row per (workspace, user, event, subject): a quest
    completed, reopened and completed again counts once; a daily_login's
    subject is its UTC day.
    """

    # Events never change: created_at is when it was recorded, occurred_at when it happened.
    updated_at = None
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("member"),
        db_index=False,
        db_comment="The actor; (workspace_id, user_id) must be a workspace member (gamification_events_member_fk).",
    )
    event = models.CharField(_("event"), max_length=40, choices=[(e, e.replace("_", " ")) for e in EVENTS])
    subject_id = models.UUIDField(
        _("subject"),
        null=True,
        blank=True,
        db_comment="The row the event is about (quest, campaign, cohort, positioning, signal, insight, alert); for daily_login a uuid of the UTC day.",
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    xp_awarded = models.PositiveIntegerField(
        _("xp awarded"), default=0, db_default=0, db_comment="xp credited by the event itself: a completed quest's xp_reward."
    )

    class Meta:
        db_table = "gamification_events"
        db_table_comment = "What members did that achievements count, once per (workspace, user, event, subject); written by record_gamification_event."
        ordering = ["-occurred_at"]
        verbose_name = _("gamification event")
        verbose_name_plural = _("gamification events")
        constraints = [
            # ON CONFLICT target of record_gamification_event: an event counts once.
            models.UniqueConstraint(
                fields=["workspace", "user", "event", "subject_id"], nulls_distinct=False, name="gamification_events_once"
            ),
            models.CheckConstraint(condition=models.Q(event__in=list(EVENTS)), name="gamification_events_event_valid"),
        ]
        indexes = [
            # within_days windows and a member's streak: (member, event, time).
            models.Index(fields=["workspace", "user", "event", "occurred_at"], name="gam_events_window_idx"),
            # Recent events of the workspace (staff) and of a member; the user key's cascade.
            models.Index(models.F("workspace"), models.F("occurred_at").desc(), name="gam_events_ws_recent_idx"),
            models.Index(fields=["user"], name="gam_events_user_idx"),
        ]

    def __str__(self):
        return f"{self.user} {self.get_event_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"
