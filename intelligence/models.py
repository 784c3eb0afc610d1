"""Market intelligence: signals from feeds, insights synthesized from them.

Signals arrive through ``ingest_intelligence_signal`` (one row per fingerprint and
workspace: a repeat adds an occurrence), staff triage them in the admin, and
``synthesize_market_insight`` turns a handful into a draft insight that staff
edit and publish. The SQL functions live in ``migrations/sql/``, one file each, read by
``migrations/0003_functions.py``.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from raptorflow.models import JsonbTypeIs, TenantModel

# Lower-case identifiers such as "competitor_pricing": what feeds send as a type or category.
IDENTIFIER_REGEX = r"^[a-z][a-z0-9_]*$"


class IntelligenceSignal(TenantModel):
    """One market observation, deduplicated per workspace by its fingerprint."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        REVIEWED = "reviewed", _("Reviewed")
        DISMISSED = "dismissed", _("Dismissed")
        ACTIONED = "actioned", _("Actioned (used in an insight)")

    source = models.CharField(
        _("source"), max_length=100, help_text=_('Where the signal came from, e.g. "g2_reviews" or "news_api".')
    )
    signal_type = models.CharField(
        _("type"),
        max_length=50,
        help_text=_('Lower-case identifier, e.g. "competitor_pricing", "trend", "review".'),
        db_comment="Kind of signal, a lower-case identifier (letters, digits, underscores).",
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True, default="", db_default="")
    url = models.URLField(_("URL"), max_length=2000, blank=True, default="", db_default="")
    payload = models.JSONField(
        _("payload"),
        default=dict,
        db_default={},
        blank=True,
        help_text=_("The raw feed record (a JSON object)."),
        db_comment="Feed-specific details as a JSON object; searched by containment (GIN).",
    )
    strength = models.DecimalField(
        _("strength"),
        max_digits=4,
        decimal_places=3,
        default=0.5,
        db_default=0.5,
        help_text=_("How strongly the signal indicates something, 0 to 1. Repeats keep the strongest."),
        db_comment="0..1; on a repeat occurrence the strongest value is kept.",
    )
    sentiment = models.DecimalField(
        _("sentiment"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("-1 (negative) to 1 (positive); empty when unknown."),
        db_comment="-1..1, NULL when the feed gave none.",
    )
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=200,
        help_text=_("Identifies repeats of the same signal within the workspace."),
        db_comment="Dedupe key, unique per workspace. Given by the feed, or sha256 of lower(source)|lower(type)|normalized lower(title).",
    )
    occurrences = models.PositiveIntegerField(
        _("occurrences"), default=1, db_default=1, db_comment="How many times the signal was ingested (>= 1)."
    )
    first_detected_at = models.DateTimeField(_("first detected"), default=timezone.now, db_default=Now())
    last_detected_at = models.DateTimeField(_("last detected"), default=timezone.now, db_default=Now())
    expires_at = models.DateTimeField(
        _("expires at"),
        null=True,
        blank=True,
        help_text=_("After this time expire_intelligence_signals removes the signal unless it is actioned."),
        db_comment="NULL: never expires. Past it, expire_intelligence_signals deletes the signal unless actioned.",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, db_default=Status.NEW
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("triaged by"),
        db_comment="Who last reviewed, dismissed or actioned the signal.",
    )
    reviewed_at = models.DateTimeField(_("triaged at"), null=True, blank=True, editable=False)

    class Meta:
        db_table = "intelligence_signals"
        db_table_comment = (
            "Market signals of a workspace (reviews, competitor moves, trends), deduplicated by fingerprint: "
            "written by ingest_intelligence_signal, triaged in the admin, turned into market_insights."
        )
        ordering = ["-last_detected_at"]
        verbose_name = _("intelligence signal")
        verbose_name_plural = _("intelligence signals")
        constraints = [
            # The dedupe key of ingest_intelligence_signal (INSERT ... ON CONFLICT targets it).
            models.UniqueConstraint(fields=["workspace", "fingerprint"], name="intelligence_signals_ws_fingerprint_uniq"),
            models.CheckConstraint(
                condition=models.Q(status__in=["new", "reviewed", "dismissed", "actioned"]),
                name="intelligence_signals_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(strength__gte=0, strength__lte=1), name="intelligence_signals_strength_range"
            ),
            models.CheckConstraint(
                condition=models.Q(sentiment__isnull=True) | models.Q(sentiment__gte=-1, sentiment__lte=1),
                name="intelligence_signals_sentiment_range",
            ),
            models.CheckConstraint(condition=models.Q(occurrences__gte=1), name="intelligence_signals_occurrences_positive"),
            models.CheckConstraint(
                condition=models.Q(last_detected_at__gte=models.F("first_detected_at")),
                name="intelligence_signals_detected_order",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=models.F("first_detected_at")),
                name="intelligence_signals_expires_after_detection",
            ),
            models.CheckConstraint(
                condition=~models.Q(source__regex=r"^\s*$"), name="intelligence_signals_source_not_blank"
            ),
            models.CheckConstraint(
                condition=models.Q(signal_type__regex=IDENTIFIER_REGEX), name="intelligence_signals_type_identifier"
            ),
            models.CheckConstraint(condition=~models.Q(title__regex=r"^\s*$"), name="intelligence_signals_title_not_blank"),
            models.CheckConstraint(
                condition=~models.Q(fingerprint__regex=r"^\s*$"), name="intelligence_signals_fingerprint_not_blank"
            ),
            models.CheckConstraint(condition=JsonbTypeIs("payload", "object"), name="intelligence_signals_payload_object"),
            # Triage leaves a trace: a signal that is no longer new records when that happened.
            models.CheckConstraint(
                condition=models.Q(status="new") | models.Q(reviewed_at__isnull=False),
                name="intelligence_signals_triage_recorded",
            ),
        ]
        indexes = [
            # The admin orders by (last_detected_at DESC, id DESC) (id: Django's tie-breaker), so the
            # indexes end with both and a page is read straight off the index, at any table size.
            # Triage list: one status (default "new"), most recently detected first.
            models.Index(
                "workspace",
                "status",
                models.F("last_detected_at").desc(),
                models.F("id").desc(),
                name="intel_signals_ws_status_idx",
            ),
            # Unfiltered list and the "last 7 days" filter: newest first.
            models.Index(
                "workspace", models.F("last_detected_at").desc(), models.F("id").desc(), name="intel_signals_ws_recent_idx"
            ),
            # Filter by type, newest first; also the skip scan that lists the types for the filter.
            models.Index(
                "workspace",
                "signal_type",
                models.F("last_detected_at").desc(),
                models.F("id").desc(),
                name="intel_signals_ws_type_idx",
            ),
            # expire_intelligence_signals: expired, not actioned.
            models.Index(
                "workspace",
                "expires_at",
                name="intel_signals_ws_expiry_idx",
                condition=models.Q(expires_at__isnull=False) & ~models.Q(status="actioned"),
            ),
            # Payload containment searches: payload @> '{"competitor": "Northwind"}'.
            GinIndex(OpClass("payload", name="jsonb_path_ops"), name="intel_signals_payload_gin"),
        ]

    def __str__(self):
        return self.title


class MarketInsight(TenantModel):
    """A conclusion drawn from several signals: drafted by synthesis, edited and published by staff."""

    class Category(models.TextChoices):
        GENERAL = "general", _("General")
        COMPETITOR = "competitor", _("Competitor")
        PRICING = "pricing", _("Pricing")
        PRODUCT = "product", _("Product")
        AUDIENCE = "audience", _("Audience")
        CHANNEL = "channel", _("Channel")
        TREND = "trend", _("Market trend")
        REGULATORY = "regulatory", _("Regulatory")

    class Impact(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    workspace = models.ForeignKey(
        "raptorflow.Workspace",
        on_delete=models.CASCADE,
        verbose_name=_("workspace"),
        editable=False,
        db_index=False,
        db_comment="Owning workspace; row-level security compares it with app.current_workspace_id.",
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True, default="", db_default="")
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.GENERAL, db_default=Category.GENERAL
    )
    confidence = models.DecimalField(
        _("confidence"),
        max_digits=4,
        decimal_places=3,
        default=0,
        db_default=0,
        help_text=_("0 to 1; computed from the contributing signals by synthesis."),
        db_comment="0..1. synthesize_market_insight: least(0.99, 1 - prod(1 - strength * (1 - 0.5^occurrences))).",
    )
    impact = models.CharField(
        _("impact"), max_length=10, choices=Impact.choices, default=Impact.MEDIUM, db_default=Impact.MEDIUM
    )
    # An array as the SPEC names it; the GIN index answers "which insights cite this signal".
    signal_ids = ArrayField(
        models.UUIDField(),
        verbose_name=_("contributing signals"),
        default=list,
        db_default=models.Value([], output_field=ArrayField(models.UUIDField())),
        blank=True,
        db_comment="Ids of the intelligence_signals (same workspace) the insight was synthesized from. Not a foreign key: a signal deleted later leaves its id here.",
    )
    recommended_actions = models.JSONField(
        _("recommended actions"),
        default=list,
        db_default=[],
        blank=True,
        help_text=_('A JSON list, e.g. ["Match the price cut on tents", "Brief the sales team"].'),
        db_comment="JSON array of recommended actions (strings or objects).",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_default=Status.DRAFT
    )
    # agent_registry is global (no workspace_id): a plain foreign key cannot cross workspaces.
    generated_by_agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_column="generated_by_agent",
        verbose_name=_("generated by agent"),
        db_comment="agent_registry id of the agent that drafted the insight; NULL when a person did.",
    )
    valid_until = models.DateTimeField(
        _("valid until"), null=True, blank=True, help_text=_("After this the insight is considered stale.")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("published by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        db_table = "market_insights"
        db_table_comment = (
            "Insights of a workspace synthesized from intelligence_signals (synthesize_market_insight), "
            "edited and published by staff."
        )
        ordering = ["-created_at"]
        verbose_name = _("market insight")
        verbose_name_plural = _("market insights")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published", "archived"]), name="market_insights_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(impact__in=["low", "medium", "high", "critical"]), name="market_insights_impact_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    category__in=["general", "competitor", "pricing", "product", "audience", "channel", "trend", "regulatory"]
                ),
                name="market_insights_category_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__gte=0, confidence__lte=1), name="market_insights_confidence_range"
            ),
            models.CheckConstraint(condition=~models.Q(title__regex=r"^\s*$"), name="market_insights_title_not_blank"),
            models.CheckConstraint(
                condition=JsonbTypeIs("recommended_actions", "array"), name="market_insights_actions_array"
            ),
            # A published insight says when it was published.
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="market_insights_published_at_set",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gt=models.F("created_at")),
                name="market_insights_valid_after_creation",
            ),
        ]
        indexes = [
            # Insight list by status (drafts to edit, published to read), newest first.
            models.Index(
                "workspace",
                "status",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="market_insights_ws_status_idx",
            ),
            # Currently valid published insights, soonest to lapse first.
            models.Index(
                "workspace",
                "valid_until",
                name="market_insights_ws_valid_idx",
                condition=models.Q(status="published"),
            ),
            # "Which insights cite this signal": signal_ids @> ARRAY[id].
            GinIndex("signal_ids", name="market_insights_signal_ids_gin"),
        ]

    def __str__(self):
        return self.title

    def contributing_signals(self):
        """The signals behind the insight that still exist, strongest first."""
        return IntelligenceSignal.objects.filter(workspace_id=self.workspace_id, id__in=self.signal_ids).order_by(
            "-strength", "-last_detected_at"
        )
