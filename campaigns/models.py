"""Positioning, message architecture, campaigns, their quests and cohort targeting.

References between these tables are declared with ``db_constraint=False``: the
database constraint is the composite same-workspace key added by
``migrations/0001_tables.py`` (``(workspace_id, x_id) ->
x(workspace_id, id)``), which also carries the ON DELETE rule. A plain key
would let a row point at another workspace's row by its uuid (docs/tenancy.md, pitfall 8).
Django's ``on_delete`` mirrors the SQL rule so both paths agree, except for
an archived campaign's rows: the database refuses every change to the quests
and cohort targets of an archived campaign (trigger
``campaign_children_refuse_archived``, migration 0007) but lets the cascade
of the campaign's (or the cohort's) own deletion through, since the parent is
gone by then. Django's collector would delete those rows first, while their
campaign still exists, so their keys to the campaign, the cohort and the
workspace are ``DO_NOTHING`` in Django: the SQL ``ON DELETE CASCADE`` of the
same-workspace keys deletes them with the campaign or the cohort.
"""

import copy

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower, Now
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _

from raptorflow.models import JsonbTypeIs, TenantModel

def _full(moment) -> str:
    """A moment as messages name it: "1 Mar 2027, 09:00" in the current time zone."""
    return dateformat.format(timezone.localtime(moment), "j M Y, H:i")


def deleted_by_the_database(model, name):
    """``model``'s key ``name``, except that deleting its target leaves these rows to the database's cascade."""
    field = copy.deepcopy(model._meta.get_field(name))  # as Django copies an abstract parent's fields
    field.remote_field.on_delete = models.DO_NOTHING
    return field


def created_by_fk(related_name):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name=related_name,
        verbose_name=_("created by"),
        # Index declared in Meta.indexes (named); the SQL rule is ON DELETE SET NULL (0001_tables).
        db_index=False,
        db_constraint=False,
        db_comment="Who created the row; null once that user is deleted.",
    )


def same_workspace_fk(to, *, on_delete, related_name, verbose_name, null=False, **extra):
    return models.ForeignKey(
        to,
        on_delete=on_delete,
        null=null,
        blank=null,
        related_name=related_name,
        verbose_name=verbose_name,
        db_index=False,
        db_constraint=False,
        **extra,
    )


class Positioning(TenantModel):
    """How the workspace positions an offer for one market segment."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    name = models.CharField(_("name"), max_length=120)
    target_segment = models.CharField(
        _("target segment"), max_length=200, blank=True, default="", db_default="",
        help_text=_("Who this positioning speaks to, e.g. \u201cweekend hikers in the Alps\u201d."),
    )
    problem_statement = models.TextField(_("problem statement"), blank=True, default="", db_default="")
    value_proposition = models.TextField(_("value proposition"), blank=True, default="", db_default="")
    differentiators = ArrayField(
        models.CharField(max_length=200),
        verbose_name=_("differentiators"),
        blank=True,
        default=list,
        db_default=[],
        db_comment="What sets the offer apart, one short phrase each.",
    )
    proof_points = models.JSONField(
        _("proof points"),
        blank=True,
        default=list,
        db_default=[],
        db_comment='JSON array of evidence, e.g. [{"claim": "...", "source": "..."}].',
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_default=Status.DRAFT)
    created_by = created_by_fk("positionings_created")

    class Meta:
        db_table = "positioning"
        db_table_comment = "Market positioning of a workspace: segment, problem, value proposition, differentiators, proof."
        ordering = ["name"]
        verbose_name = _("positioning")
        verbose_name_plural = _("positioning")
        constraints = [
            # Names ignore case ("Trail" and "trail" clash); workspace first, like every tenant index.
            models.UniqueConstraint(
                "workspace", Lower("name"), name="positioning_workspace_lower_name_uniq",
                violation_error_message=_("A positioning with this name already exists in this workspace."),
            ),
            # Target of same-workspace keys from message_architecture and campaigns.
            models.UniqueConstraint(fields=["workspace", "id"], name="positioning_workspace_id_uniq"),
            models.CheckConstraint(condition=models.Q(status__in=["draft", "active", "archived"]), name="positioning_status_valid"),
            models.CheckConstraint(condition=models.Q(name__regex=r"\S"), name="positioning_name_not_blank"),
            models.CheckConstraint(condition=JsonbTypeIs("proof_points", "array"), name="positioning_proof_points_array"),
        ]
        indexes = [
            # The ON DELETE SET NULL of a deleted user (global, so not workspace-leading).
            models.Index(fields=["created_by"], name="positioning_created_by_idx", condition=models.Q(created_by__isnull=False)),
        ]

    def __str__(self):
        return self.name


class MessageArchitecture(TenantModel):
    """A versioned messaging framework (core message and pillars) for one positioning."""

    positioning = same_workspace_fk(
        Positioning,
        on_delete=models.CASCADE,
        related_name="message_architectures",
        verbose_name=_("positioning"),
        db_comment="Positioning this messaging serves; deleted with it (same-workspace key, ON DELETE CASCADE).",
    )
    name = models.CharField(_("name"), max_length=120)
    core_message = models.TextField(_("core message"), blank=True, default="", db_default="")
    pillars = models.JSONField(
        _("pillars"),
        blank=True,
        default=list,
        db_default=[],
        db_comment='JSON array of message pillars: [{"title": "...", "message": "...", "proof": "..."}].',
    )
    tone = models.CharField(_("tone of voice"), max_length=120, blank=True, default="", db_default="")
    # IntegerField plus a named CHECK: PositiveIntegerField would add a second, anonymous one.
    version = models.IntegerField(_("version"), default=1, db_default=1, validators=[MinValueValidator(1)])
    is_primary = models.BooleanField(
        _("primary"),
        default=False,
        db_default=False,
        help_text=_("The messaging campaigns use by default; at most one per positioning."),
        db_comment="At most one primary architecture per positioning (partial unique index).",
    )

    class Meta:
        db_table = "message_architecture"
        db_table_comment = "Messaging frameworks (core message, pillars, tone), versioned per positioning."
        ordering = ["positioning__name", "name", "-version"]
        verbose_name = _("message architecture")
        verbose_name_plural = _("message architectures")
        constraints = [
            # Serves "the architectures of a positioning" and the same-workspace key to positioning.
            models.UniqueConstraint(
                fields=["workspace", "positioning", "name", "version"], name="message_architecture_name_version_uniq",
                violation_error_message=_(
                    "A message architecture with this name and version already exists for this positioning; "
                    "use a new version number."
                ),
            ),
            models.UniqueConstraint(
                fields=["workspace", "positioning"],
                condition=models.Q(is_primary=True),
                name="message_architecture_one_primary_uniq",
            ),
            models.UniqueConstraint(fields=["workspace", "id"], name="message_architecture_workspace_id_uniq"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="message_architecture_version_positive"),
            models.CheckConstraint(condition=models.Q(name__regex=r"\S"), name="message_architecture_name_not_blank"),
            models.CheckConstraint(condition=JsonbTypeIs("pillars", "array"), name="message_architecture_pillars_array"),
            # Every pillar is an object with a string title.
            models.CheckConstraint(
                condition=models.lookups.Exact(
                    models.Func(
                        models.F("pillars"),
                        models.Value('$[*] ? (@.type() != "object" || !exists(@.title) || @.title.type() != "string")'),
                        function="jsonb_path_exists",
                        template="%(function)s(%(expressions)s::jsonpath)",
                        output_field=models.BooleanField(),
                    ),
                    False,
                ),
                name="message_architecture_pillars_have_titles",
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SOCIAL = "social", _("Organic social")
    PAID_SOCIAL = "paid_social", _("Paid social")
    PAID_SEARCH = "paid_search", _("Paid search")
    DISPLAY = "display", _("Display")
    CONTENT = "content", _("Content / SEO")
    EVENTS = "events", _("Events")
    WEBINAR = "webinar", _("Webinar")
    PARTNER = "partner", _("Partners")
    RETAIL = "retail", _("In store")
    SMS = "sms", _("SMS")
    DIRECT_MAIL = "direct_mail", _("Direct mail")


class Campaign(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")
        ARCHIVED = "archived", _("Archived")

    Channel = Channel

    positioning = same_workspace_fk(
        Positioning,
        on_delete=models.SET_NULL,
        null=True,
        related_name="campaigns",
        verbose_name=_("positioning"),
        db_comment="Positioning the campaign expresses; nulled when it is deleted.",
    )
    message_architecture = same_workspace_fk(
        MessageArchitecture,
        on_delete=models.SET_NULL,
        null=True,
        related_name="campaigns",
        verbose_name=_("message architecture"),
        db_comment="Messaging the campaign uses; nulled when it is deleted.",
    )
    name = models.CharField(_("name"), max_length=160)
    objective = models.TextField(_("objective"), blank=True, default="", db_default="")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_default=Status.DRAFT)
    channels = ArrayField(
        models.CharField(max_length=32, choices=Channel.choices),
        verbose_name=_("channels"),
        blank=True,
        default=list,
        db_default=[],
        db_comment="Channels the campaign runs on (values of the Channel enumeration).",
    )
    budget = models.DecimalField(
        _("budget"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("Total budget in the workspace's currency; leave empty if not set yet."),
        db_comment="Total budget, numeric(12,2), never negative; null while not set.",
    )
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    kpi_targets = models.JSONField(
        _("KPI targets"),
        blank=True,
        default=dict,
        db_default={},
        db_comment='JSON object of metric -> target, e.g. {"signups": 5000, "ctr": 0.02}.',
    )
    # jsonb keeps an object's keys sorted (shorter first), not as entered; the entered order lives here.
    kpi_order = ArrayField(
        models.TextField(),
        verbose_name=_("KPI order"),
        null=True,
        blank=True,
        editable=False,
        db_comment="kpi_targets' metric names in the order entered (set on every save from Django); "
        "null when unknown (rows written before it existed, or by SQL that does not set it): stored order.",
    )
    created_by = created_by_fk("campaigns_created")

    class Meta:
        db_table = "campaigns"
        db_table_comment = "Marketing campaigns of a workspace, linked to positioning and messaging, with quests and targeted cohorts."
        ordering = ["name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            # Names ignore case ("Spring launch" and "spring launch" clash); first, so its message is the one shown.
            models.UniqueConstraint(
                "workspace", Lower("name"), name="campaigns_workspace_lower_name_uniq",
                violation_error_message=_("A campaign with this name already exists in this workspace."),
            ),
            # Implied by the rule above, kept for its index: the campaign lists (ordered by name) walk it.
            models.UniqueConstraint(fields=["workspace", "name"], name="campaigns_workspace_name_uniq"),
            # Target of same-workspace keys (campaign_quests, campaign_cohorts, agent_assignments).
            models.UniqueConstraint(fields=["workspace", "id"], name="campaigns_workspace_id_uniq"),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "scheduled", "active", "paused", "completed", "archived"]),
                name="campaigns_status_valid",
            ),
            models.CheckConstraint(condition=models.Q(name__regex=r"\S"), name="campaigns_name_not_blank"),
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="campaigns_budget_not_negative"),
            models.CheckConstraint(
                condition=models.Q(starts_at__isnull=True) | models.Q(ends_at__isnull=True) | models.Q(ends_at__gte=models.F("starts_at")),
                name="campaigns_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="scheduled") | models.Q(starts_at__isnull=False),
                name="campaigns_scheduled_has_start",
            ),
            models.CheckConstraint(
                condition=models.Q(channels__contained_by=Channel.values), name="campaigns_channels_valid"
            ),
            models.CheckConstraint(condition=JsonbTypeIs("kpi_targets", "object"), name="campaigns_kpi_targets_object"),
        ]
        indexes = [
            # The campaign list filtered by status, ordered by name.
            models.Index(fields=["workspace", "status", "name"], name="campaigns_ws_status_name_idx"),
            # "Campaigns of this positioning" and the positioning key's ON DELETE SET NULL.
            models.Index(fields=["workspace", "positioning"], name="campaigns_ws_positioning_idx", condition=models.Q(positioning__isnull=False)),
            # "Campaigns using this messaging" and the message_architecture key's ON DELETE SET NULL.
            models.Index(
                fields=["workspace", "message_architecture"],
                name="campaigns_ws_message_arch_idx",
                condition=models.Q(message_architecture__isnull=False),
            ),
            # The ON DELETE SET NULL of a deleted user (global, so not workspace-leading).
            models.Index(fields=["created_by"], name="campaigns_created_by_idx", condition=models.Q(created_by__isnull=False)),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        # kpi_targets read back in the order entered, for every reader (pages, forms, admin, exports).
        campaign = super().from_db(db, field_names, values)
        targets, order = campaign.__dict__.get("kpi_targets"), campaign.__dict__.get("kpi_order")
        if order and isinstance(targets, dict):
            campaign.kpi_targets = {**{metric: targets[metric] for metric in order if metric in targets}, **targets}
        return campaign

    def save(self, *args, **kwargs):
        # Whoever set kpi_targets (a form, the admin's JSON, the demo), its key order is the one to keep.
        if "kpi_targets" in self.__dict__:  # loaded, not deferred
            self.kpi_order = list(self.kpi_targets) if isinstance(self.kpi_targets, dict) else None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "kpi_targets" in update_fields:
            kwargs["update_fields"] = {*update_fields, "kpi_order"}
        super().save(*args, **kwargs)

    @property
    def channel_labels(self):
        labels = dict(Channel.choices)
        return [labels.get(c, c) for c in self.channels]

    @property
    def is_archived(self):
        return self.status == self.Status.ARCHIVED


class CampaignQuest(TenantModel):
    """A task of a campaign; quests nest (parent) into a tree, ordered by position among siblings."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To do")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        SKIPPED = "skipped", _("Skipped")

    workspace = deleted_by_the_database(TenantModel, "workspace")
    campaign = same_workspace_fk(
        Campaign,
        on_delete=models.DO_NOTHING,  # the SQL key's ON DELETE CASCADE (see the module docstring)
        related_name="quests",
        verbose_name=_("campaign"),
        db_comment="Campaign the quest belongs to; deleted with it.",
    )
    parent = same_workspace_fk(
        "self",
        on_delete=models.CASCADE,
        null=True,
        related_name="children",
        verbose_name=_("parent quest"),
        db_comment="Parent quest in the same campaign (null for a top-level quest); a trigger refuses cycles. Deleting a quest deletes its subtree.",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="", db_default="")
    position = models.IntegerField(
        _("position"), default=0, db_default=0, validators=[MinValueValidator(0)],
        db_comment="Order among the quests with the same parent, ascending.",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_default=Status.PENDING)
    xp_reward = models.IntegerField(
        _("XP reward"), default=10, db_default=10, validators=[MinValueValidator(0)],
        db_comment="Experience points granted when the quest is completed.",
    )
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    completed_at = models.DateTimeField(
        _("completed at"), null=True, blank=True, editable=False, db_comment="Set exactly when status is completed."
    )

    class Meta:
        db_table = "campaign_quests"
        db_table_comment = "Quests (tasks) of a campaign, as a tree: parent in the same campaign, no cycles."
        ordering = ["position", "created_at"]
        verbose_name = _("campaign quest")
        verbose_name_plural = _("campaign quests")
        constraints = [
            # Target of the same-workspace key parent_id -> campaign_quests.
            models.UniqueConstraint(fields=["workspace", "id"], name="campaign_quests_workspace_id_uniq"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "in_progress", "completed", "skipped"]), name="campaign_quests_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(title__regex=r"\S"), name="campaign_quests_title_not_blank"),
            models.CheckConstraint(condition=models.Q(xp_reward__gte=0), name="campaign_quests_xp_reward_not_negative"),
            models.CheckConstraint(condition=models.Q(position__gte=0), name="campaign_quests_position_not_negative"),
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="campaign_quests_not_own_parent"),
            models.CheckConstraint(
                condition=models.Q(status="completed", completed_at__isnull=False) | (~models.Q(status="completed") & models.Q(completed_at__isnull=True)),
                name="campaign_quests_completed_at_matches_status",
            ),
        ]
        indexes = [
            # The quest tree of a campaign (detail page) and the campaign key's ON DELETE CASCADE.
            models.Index(fields=["workspace", "campaign", "position"], name="quests_ws_campaign_pos_idx"),
            # Children of a quest: sibling order, the cycle check's walk, the parent key's ON DELETE CASCADE.
            models.Index(fields=["workspace", "parent", "position"], name="quests_ws_parent_pos_idx", condition=models.Q(parent__isnull=False)),
            # The admin's quest list: its ordering (position, created_at) plus Django's -pk tie-breaker.
            models.Index("workspace", "position", "created_at", models.F("id").desc(), name="quests_ws_admin_order_idx"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        # The one rule of a quest's due date, for every form (pages and admin run it through full_clean).
        super().clean()
        if self.due_at is None or self.campaign_id is None:
            return
        starts, ends = self.campaign.starts_at, self.campaign.ends_at
        if (starts and self.due_at < starts) or (ends and self.due_at > ends):
            if starts and ends:
                message = _("Set a due date within the campaign, %(starts)s to %(ends)s.")
            elif starts:
                message = _("Set a due date on or after the campaign's start, %(starts)s.")
            else:
                message = _("Set a due date on or before the campaign's end, %(ends)s.")
            raise ValidationError(
                {"due_at": ValidationError(message, code="outside_campaign",
                                           params={"starts": starts and _full(starts), "ends": ends and _full(ends)})}
            )

    def save(self, *args, **kwargs):
        # completed_at follows the status (a CHECK insists), whichever form or action changed it.
        completed = self.status == self.Status.COMPLETED
        if completed != (self.completed_at is not None):
            self.completed_at = timezone.now() if completed else None
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "completed_at"}
        super().save(*args, **kwargs)


class CampaignCohort(TenantModel):
    """A cohort a campaign targets, with its role in the campaign."""

    class Role(models.TextChoices):
        PRIMARY = "primary", _("Primary")
        SECONDARY = "secondary", _("Secondary")
        CONTROL = "control", _("Control (held out)")

    # added_at is this row's creation time; a second timestamp would only repeat it.
    created_at = None
    workspace = deleted_by_the_database(TenantModel, "workspace")
    campaign = same_workspace_fk(
        Campaign, on_delete=models.DO_NOTHING, related_name="cohort_targets", verbose_name=_("campaign"),
        db_comment="Targeting campaign; the row goes with it.",
    )
    cohort = same_workspace_fk(
        "raptorflow.Cohort", on_delete=models.DO_NOTHING, related_name="campaign_targets", verbose_name=_("cohort"),
        db_comment="Targeted cohort; the row goes with it.",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.PRIMARY, db_default=Role.PRIMARY)
    added_at = models.DateTimeField(_("added at"), default=timezone.now, db_default=Now(), editable=False)

    class Meta:
        db_table = "campaign_cohorts"
        db_table_comment = "Which cohorts a campaign targets, and as what (primary, secondary, control)."
        ordering = ["role", "added_at"]
        verbose_name = _("campaign cohort")
        verbose_name_plural = _("campaign cohorts")
        constraints = [
            # One row per pair; serves "cohorts of a campaign" and the campaign key's ON DELETE CASCADE.
            models.UniqueConstraint(fields=["workspace", "campaign", "cohort"], name="campaign_cohorts_pair_uniq"),
            models.CheckConstraint(condition=models.Q(role__in=["primary", "secondary", "control"]), name="campaign_cohorts_role_valid"),
        ]
        indexes = [
            # "Campaigns targeting this cohort" and the cohort key's ON DELETE CASCADE.
            models.Index(fields=["workspace", "cohort"], name="campaign_cohorts_ws_cohort_idx"),
        ]

    def __str__(self):
        return f"{self.cohort} ({self.get_role_display()})"
