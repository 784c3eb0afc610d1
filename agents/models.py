"""Agents (global), their workspace assignments and daily performance.

``agent_registry`` and ``agent_capabilities`` are global: every workspace reads
them, the web role may not write them (a data migration seeds them as the
owner). ``agent_assignments`` and ``agent_performance`` belong to a workspace
and live under forced row-level security.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.latency import BUCKET_COUNT, empty_histogram
from raptorflow.models import JsonbTypeIs, TenantModel, TimestampedModel


class Agent(TimestampedModel):
    """One agent definition of the platform, shared by every workspace."""

    class Tier(models.TextChoices):
        COUNCIL = "council", _("Council (orchestrator)")
        LORD = "lord", _("Lord (strategic supervisor)")
        SPECIALIST = "specialist", _("Specialist")
        WORKER = "worker", _("Worker")

    class Domain(models.TextChoices):
        COUNCIL = "council", _("Council")
        STRATEGY = "strategy", _("Strategy")
        BRAND = "brand", _("Brand")
        GROWTH = "growth", _("Growth")
        CONTENT = "content", _("Content")
        ANALYTICS = "analytics", _("Analytics")
        CUSTOMER = "customer", _("Customer")
        OPERATIONS = "operations", _("Operations")

    # Unique through agent_registry_slug_uniq (a named constraint, no extra LIKE index).
    slug = models.SlugField(_("slug"), max_length=80, db_index=False, db_comment="Stable identifier used by code and the seed migration.")
    name = models.CharField(_("name"), max_length=120)
    tier = models.CharField(
        _("tier"),
        max_length=16,
        choices=Tier.choices,
        db_comment="council (orchestrator) > lord (one of the 7 strategic supervisors) > specialist > worker.",
    )
    domain = models.CharField(_("domain"), max_length=16, choices=Domain.choices)
    # Hierarchy: specialists report to a lord, workers to a specialist.
    supervisor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("supervisor"),
        db_index=False,
        db_comment="The agent this one reports to (null for the council).",
    )
    description = models.TextField(_("description"), default="", db_default="", blank=True)
    default_model = models.CharField(
        _("default model"), max_length=80, db_comment="LLM the agent runs on unless an assignment overrides it."
    )
    version = models.CharField(_("version"), max_length=20, default="1.0.0", db_default="1.0.0", db_comment="Semantic version MAJOR.MINOR.PATCH.")
    is_active = models.BooleanField(
        _("active"),
        default=True,
        db_default=True,
        help_text=_("Inactive agents cannot record executions. Agents are retired, never deleted."),
    )
    config = models.JSONField(
        _("config"), default=dict, db_default={}, blank=True, db_comment="Default runtime settings (temperature, max_tokens, tools...) as a JSON object."
    )

    class Meta:
        db_table = "agent_registry"
        db_table_comment = (
            "Agent definitions shared by every workspace (global: no workspace_id, no RLS). "
            "The web role may only read it; the seed migration writes it as the owner."
        )
        ordering = ["tier", "domain", "name"]
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        constraints = [
            # The seed migration's upsert key and the lookup by slug.
            models.UniqueConstraint(fields=["slug"], name="agent_registry_slug_uniq"),
            models.CheckConstraint(condition=models.Q(tier__in=["council", "lord", "specialist", "worker"]), name="agent_registry_tier_valid"),
            models.CheckConstraint(
                condition=models.Q(domain__in=["council", "strategy", "brand", "growth", "content", "analytics", "customer", "operations"]),
                name="agent_registry_domain_valid",
            ),
            models.CheckConstraint(condition=models.Q(version__regex=r"^[0-9]+\.[0-9]+\.[0-9]+$"), name="agent_registry_version_semver"),
            models.CheckConstraint(condition=models.Q(slug__regex=r"^[a-z0-9]+(-[a-z0-9]+)*$"), name="agent_registry_slug_format"),
            models.CheckConstraint(condition=~models.Q(name=""), name="agent_registry_name_not_empty"),
            models.CheckConstraint(condition=~models.Q(default_model=""), name="agent_registry_model_not_empty"),
            models.CheckConstraint(condition=~models.Q(supervisor=models.F("id")), name="agent_registry_not_own_supervisor"),
            models.CheckConstraint(condition=JsonbTypeIs("config", "object"), name="agent_registry_config_object"),
        ]
        indexes = [
            # Admin registry list: filter by tier and/or domain, ordered by name.
            models.Index(fields=["tier", "domain", "name"], name="agent_registry_tier_dom_idx"),
            # Registry list filtered by domain alone (the domain filter), and "a domain's agents".
            models.Index(fields=["domain", "tier"], name="agent_registry_domain_idx"),
            # An agent's reports (the hierarchy under a lord); also the supervisor foreign key.
            models.Index(fields=["supervisor"], name="agent_registry_supervisor_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_tier_display()})"


class AgentCapability(TimestampedModel):
    """Something an agent can do, with the JSON shapes it takes and returns."""

    agent = models.ForeignKey(
        Agent, on_delete=models.CASCADE, related_name="capabilities", verbose_name=_("agent"), db_index=False
    )
    capability = models.SlugField(_("capability"), max_length=80, db_index=False, db_comment="Capability code, unique per agent (e.g. competitor-teardown).")
    description = models.TextField(_("description"), default="", db_default="", blank=True)
    input_schema = models.JSONField(_("input schema"), default=dict, db_default={}, blank=True, db_comment="JSON Schema of the input (an object).")
    output_schema = models.JSONField(_("output schema"), default=dict, db_default={}, blank=True, db_comment="JSON Schema of the output (an object).")

    class Meta:
        db_table = "agent_capabilities"
        db_table_comment = "What each registry agent can do (global, read-only for the web role)."
        ordering = ["agent", "capability"]
        verbose_name = _("agent capability")
        verbose_name_plural = _("agent capabilities")
        constraints = [
            # Also the index for "an agent's capabilities" and for the agent foreign key.
            models.UniqueConstraint(fields=["agent", "capability"], name="agent_capabilities_agent_cap_uniq"),
            models.CheckConstraint(condition=JsonbTypeIs("input_schema", "object"), name="agent_capabilities_input_object"),
            models.CheckConstraint(condition=JsonbTypeIs("output_schema", "object"), name="agent_capabilities_output_object"),
        ]
        indexes = [
            # "Which agents can do X?" (routing a task to a capable agent).
            models.Index(fields=["capability"], name="agent_capabilities_cap_idx"),
        ]

    def __str__(self):
        return self.capability


class AgentAssignment(TenantModel):
    """An agent put to work in a workspace (optionally on one campaign)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        SUPPORT = "support", _("Support")
        REVIEWER = "reviewer", _("Reviewer")
        OBSERVER = "observer", _("Observer")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        RETIRED = "retired", _("Retired")

    agent = models.ForeignKey(
        Agent, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("agent"), db_index=False
    )
    # The composite key (workspace_id, campaign_id) -> campaigns (migration 0001_tables) is the
    # only constraint: it keeps the campaign in the same workspace and nulls the column on delete.
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agent_assignments",
        verbose_name=_("campaign"),
        db_index=False,
        db_constraint=False,
        help_text=_("Leave empty for a workspace-wide assignment."),
        db_comment="Campaign the agent works on; null for a workspace-wide assignment.",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SUPPORT, db_default="support")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_default="active")
    config_overrides = models.JSONField(
        _("config overrides"),
        default=dict,
        db_default={},
        blank=True,
        help_text=_('Keys that replace the agent\'s default config in this workspace, e.g. {"temperature": 0.2}.'),
        db_comment="Per-workspace overrides of agent_registry.config (a JSON object).",
    )
    assigned_by = models.ForeignKey(
        "raptorflow.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
        # Named partial index in Meta; the SQL key is ON DELETE SET NULL (migration 0001_tables):
        # deleting a user through Django only sees the current workspace's rows.
        db_index=False,
        db_constraint=False,
        db_comment="Who made the assignment; null once that user is deleted.",
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now, db_default=Now())
    notes = models.TextField(_("notes"), default="", db_default="", blank=True)

    class Meta:
        db_table = "agent_assignments"
        db_table_comment = "Agents assigned to a workspace (optionally to a campaign), with role, status and config overrides."
        ordering = ["-assigned_at"]
        verbose_name = _("agent assignment")
        verbose_name_plural = _("agent assignments")
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=["lead", "support", "reviewer", "observer"]), name="agent_assignments_role_valid"),
            models.CheckConstraint(condition=models.Q(status__in=["active", "paused", "retired"]), name="agent_assignments_status_valid"),
            models.CheckConstraint(condition=JsonbTypeIs("config_overrides", "object"), name="agent_assignments_overrides_object"),
            # One active assignment per (workspace, agent, campaign), a NULL campaign (workspace-wide)
            # counting as one value; also the index of "is agent X active here?".
            models.UniqueConstraint(
                fields=["workspace", "agent", "campaign"],
                condition=models.Q(status="active"),
                nulls_distinct=False,
                name="agent_assignments_one_active_uniq",
            ),
        ]
        indexes = [
            # The agent page's inline: a workspace's assignments of one agent, newest first (both
            # columns are equalities, so agent_id may lead: it also serves the agent foreign key).
            models.Index(fields=["agent", "workspace", "-assigned_at"], name="agent_assign_agent_ws_idx"),
            # Workspace assignment list filtered by status (active first).
            models.Index(fields=["workspace", "status", "-assigned_at"], name="agent_assign_ws_status_idx"),
            # A campaign's agents; also serves the campaign key's ON DELETE SET NULL.
            models.Index(
                fields=["workspace", "campaign"], name="agent_assign_ws_campaign_idx", condition=models.Q(campaign__isnull=False)
            ),
            # The assigned_by key's ON DELETE SET NULL (a user deleted), and "assignments by this user".
            models.Index(fields=["assigned_by"], name="agent_assign_by_idx", condition=models.Q(assigned_by__isnull=False)),
        ]

    def __str__(self):
        where = self.campaign if self.campaign_id else _("whole workspace")
        return f"{self.agent} on {where} ({self.get_status_display()})"


class AgentPerformance(TenantModel):
    """One agent's executions in one workspace on one UTC day (written by record_agent_execution)."""

    agent = models.ForeignKey(
        Agent, on_delete=models.CASCADE, related_name="performance", verbose_name=_("agent"), db_index=False
    )
    day = models.DateField(_("day"), db_comment="UTC day of the executions.")
    executions = models.PositiveIntegerField(_("executions"), default=0, db_default=0)
    successes = models.PositiveIntegerField(_("successes"), default=0, db_default=0)
    failures = models.PositiveIntegerField(_("failures"), default=0, db_default=0)
    total_duration_ms = models.BigIntegerField(_("total duration (ms)"), default=0, db_default=0)
    max_duration_ms = models.PositiveIntegerField(_("max duration (ms)"), default=0, db_default=0)
    # Counts per latency bucket; bounds in agents.latency (and SQL agent_latency_bucket_bounds()).
    latency_histogram = ArrayField(
        models.IntegerField(),
        size=BUCKET_COUNT,
        verbose_name=_("latency histogram"),
        default=empty_histogram,
        db_comment=(
            "Execution counts per fixed log-spaced latency bucket; bucket i counts durations in "
            "[agent_latency_bucket_bounds()[i], agent_latency_bucket_bounds()[i+1]) ms."
        ),
    )
    total_tokens = models.BigIntegerField(_("total tokens"), default=0, db_default=0)
    total_cost_usd = models.DecimalField(_("total cost (USD)"), max_digits=14, decimal_places=6, default=0, db_default=0)
    last_error = models.TextField(_("last error"), null=True, blank=True, db_comment="Message of the latest failed execution of the day (first 2000 characters).")
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    last_executed_at = models.DateTimeField(_("last executed at"), null=True, blank=True)

    class Meta:
        db_table = "agent_performance"
        db_table_comment = "Daily execution metrics per (workspace, agent, UTC day), maintained by record_agent_execution()."
        ordering = ["-day"]
        verbose_name = _("agent performance (day)")
        verbose_name_plural = _("agent performance")
        constraints = [
            # The upsert's conflict target; also serves the per-agent chart (a day range of one
            # agent in one workspace: two equalities, so agent_id leads and serves the agent key too).
            models.UniqueConstraint(fields=["agent", "workspace", "day"], name="agent_performance_agent_ws_day_uniq"),
            models.CheckConstraint(condition=models.Q(successes__gte=0, failures__gte=0), name="agent_performance_counts_nonneg"),
            models.CheckConstraint(
                condition=models.Q(executions=models.F("successes") + models.F("failures")),
                name="agent_performance_executions_sum",
            ),
            models.CheckConstraint(
                condition=models.Q(total_duration_ms__gte=0, max_duration_ms__gte=0, total_tokens__gte=0, total_cost_usd__gte=0),
                name="agent_performance_totals_nonneg",
            ),
            models.CheckConstraint(
                condition=models.Q(max_duration_ms__lte=models.F("total_duration_ms")) | models.Q(executions=0),
                name="agent_performance_max_le_total",
            ),
            models.CheckConstraint(
                condition=models.lookups.Exact(
                    models.Func(models.F("latency_histogram"), function="cardinality", output_field=models.IntegerField()),
                    BUCKET_COUNT,
                ),
                name="agent_performance_histogram_size",
            ),
        ]
        indexes = [
            # Workspace-wide daily totals over a date range (registry list across agents, dashboards).
            models.Index(fields=["workspace", "day"], name="agent_perf_ws_day_idx"),
        ]

    def __str__(self):
        return f"{self.agent_id} on {self.day}"

    @property
    def success_rate(self):
        return self.successes / self.executions if self.executions else None


class AgentExecution(models.Model):
    """One execution as ``record_agent_execution`` appended it, until the roll-up moves it into agent_performance.

    An append-only log written at insert speed: no index (0007 drops even the
    primary key's), no unique key and no foreign key, each of which every
    call would write or check (docs/performance-agents.md).
    ``agent_executions_roll_up()`` (``manage.py roll_up_agent_executions``)
    aggregates the log into the daily buckets and deletes what it moved in
    the same statement; readers add the log to the buckets
    (:class:`AgentPerformanceLive`), so their totals are exact. ``id`` is an
    identity, unique by construction.
    """

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(
        "raptorflow.Workspace",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        editable=False,
        db_comment="Owning workspace; row-level security compares it with app.current_workspace_id. No foreign key: the roll-up drops the log of a deleted workspace.",
    )
    agent = models.ForeignKey(
        Agent,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        db_comment="The agent; record_agent_execution checks it exists and is active. No foreign key (agents are never deleted).",
    )
    executed_at = models.DateTimeField(_("executed at"), db_comment="When the execution finished; its UTC day is its bucket's day.")
    success = models.BooleanField(_("success"))
    duration_ms = models.IntegerField(_("duration (ms)"))
    tokens_used = models.IntegerField(_("tokens used"))
    cost_usd = models.DecimalField(_("cost (USD)"), max_digits=14, decimal_places=6)
    error = models.TextField(_("error"), null=True, blank=True, db_comment="Message of a failed execution (first 2000 characters); NULL for a success.")

    class Meta:
        db_table = "agent_executions"
        db_table_comment = (
            "Executions recorded by record_agent_execution() and not rolled up yet (append-only; no index, key or "
            "foreign key, so a call costs about a plain INSERT). agent_executions_roll_up() moves them into "
            "agent_performance; read both through agent_performance_live."
        )
        verbose_name = _("agent execution (not rolled up yet)")
        verbose_name_plural = _("agent executions (not rolled up yet)")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_ms__gte=0, tokens_used__gte=0, cost_usd__gte=0), name="agent_executions_nonneg"
            ),
        ]

    def __str__(self):
        return f"{self.agent_id} at {self.executed_at}"


class AgentPerformanceLive(models.Model):
    """The view ``agent_performance_live``: the rolled-up daily rows plus the log not rolled up yet.

    One row per agent_performance row and one per (workspace, agent, day) of
    agent_executions (the log aggregated), so a (workspace, agent, day) may
    have two rows: readers sum them (``agents.selectors``). Under the tables'
    row-level security (``security_invoker``). Read-only; ``id`` is the
    agent_performance row's, NULL for the log's rows.
    """

    id = models.UUIDField(primary_key=True)
    workspace = models.ForeignKey(
        "raptorflow.Workspace", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", editable=False
    )
    agent = models.ForeignKey(Agent, on_delete=models.DO_NOTHING, db_constraint=False, related_name="live_performance")
    day = models.DateField()
    executions = models.BigIntegerField()
    successes = models.BigIntegerField()
    failures = models.BigIntegerField()
    total_duration_ms = models.BigIntegerField()
    max_duration_ms = models.IntegerField()
    latency_histogram = ArrayField(models.IntegerField())
    total_tokens = models.BigIntegerField()
    total_cost_usd = models.DecimalField(max_digits=20, decimal_places=6)
    last_error = models.TextField(null=True)
    last_error_at = models.DateTimeField(null=True)
    last_executed_at = models.DateTimeField(null=True)

    class Meta:
        managed = False
        db_table = "agent_performance_live"
