"""Tenancy core: users, workspaces, memberships and cohorts.

Every tenant table (a table with ``workspace_id``) derives from
:class:`TenantModel`; its migration applies :class:`raptorflow.migration_ops.TenantRLS`,
which enables and forces row-level security with the workspace policy.
"""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.postgres.functions import RandomUUID
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, router
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def JsonbTypeIs(field, json_type):
    """A CHECK condition: ``jsonb_typeof(field) = json_type``."""
    return models.lookups.Exact(
        models.Func(models.F(field), function="jsonb_typeof", output_field=models.CharField()), json_type
    )


class UUIDModel(models.Model):
    # Python generates the key so Django knows it before INSERT; the database
    # default serves rows written by SQL functions.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, db_default=RandomUUID(), editable=False)

    class Meta:
        abstract = True


class TimestampedModel(UUIDModel):
    """``created_at`` and ``updated_at``; the database keeps ``updated_at``.

    Every table with the column has a ``<table>_set_updated_at`` trigger
    (``raptorflow.migration_ops.updated_at_trigger``): an UPDATE that changes
    the row, from Django, psql or a SQL function, stamps it with
    ``statement_timestamp()``. Python sets it only on INSERT (the default),
    never on save: after saving, the instance keeps the value it had; read it
    again (``refresh_from_db(fields=["updated_at"])``) to show the new one.
    """

    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_default=Now(), editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, db_default=Now(), editable=False)

    class Meta:
        abstract = True


class TenantModel(TimestampedModel):
    """A row that belongs to one workspace; RLS keeps it there."""

    # No single-column index: every tenant table has a unique rule or index
    # leading with workspace_id (verify_schema checks each foreign key is indexed).
    workspace = models.ForeignKey(
        "raptorflow.Workspace",
        on_delete=models.CASCADE,
        verbose_name=_("workspace"),
        editable=False,
        db_index=False,
        db_comment="Owning workspace; row-level security compares it with app.current_workspace_id.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.workspace_id is None:
            from raptorflow.tenancy import current_workspace_id

            self.workspace_id = current_workspace_id()
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        # The workspace is the request's, set by the form: no one's input, so no lookup of it per form.
        super().clean_fields(exclude={*(exclude or ()), "workspace"})

    def validate_constraints(self, exclude=None):
        """Django's validation of the model's constraints, each unique rule's error next to its field.

        Django puts a unique rule's error next to a field only for a rule of
        one field; a tenant's rules lead with the workspace, so the error goes
        next to the rule's last field besides it (a campaign's name, a
        messaging's version), one error per field, with the rule's
        ``violation_error_message``. A unique rule with a condition is a state
        the services move rows through (making messaging primary demotes the
        previous one, inviting an address again resends its invitation): it is
        theirs, not a form error.
        """
        using = router.db_for_write(type(self), instance=self)
        errors = {}
        for model, constraints in self.get_constraints():
            for constraint in constraints:
                if not isinstance(constraint, models.UniqueConstraint):
                    try:
                        constraint.validate(model, self, exclude=exclude, using=using)
                    except ValidationError as error:
                        errors = error.update_error_dict(errors)
                    continue
                field = _field_of_rule(model, constraint)
                if constraint.condition is not None or field in errors:
                    continue
                try:
                    constraint.validate(model, self, exclude=exclude, using=using)
                except ValidationError as error:
                    errors.setdefault(field, []).append(error)
        if errors:
            raise ValidationError(errors)


def _field_of_rule(model, constraint) -> str:
    """The field a unique rule's error is shown next to: its last besides the workspace (else above the form)."""
    if constraint.fields:
        names = list(constraint.fields)
    else:
        names = [ref[0] for expression in constraint.expressions for ref in model._get_expr_references(expression)]
    names = [name for name in names if name != "workspace"]
    return names[-1] if names else NON_FIELD_ERRORS


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # Sign-in by email ignores case: addresses are stored lower case (users_email_lowercase).
        return self.get(**{self.model.USERNAME_FIELD: username.strip().lower() if isinstance(username, str) else username})

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)


class User(UUIDModel, AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        db_default=False,
        help_text=_("Internal RaptorFlow staff: may sign in to the admin."),
    )
    is_active = models.BooleanField(_("active"), default=True, db_default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now, db_default=Now())

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        db_table = "users"
        db_table_comment = "People who sign in (email login). Global: not under row-level security, since sign-in happens before any workspace is chosen."
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=models.Q(email=models.functions.Lower("email")), name="users_email_lowercase"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def has_module_perms(self, app_label):
        """Django's answer, remembered per app on this instance (issue 19).

        Every admin page asks it once per registered model (the sidebar's app list:
        36 questions for 8 apps), and ModelBackend answers each by scanning every
        permission the user has. The answers are kept only as long as Django's own
        per-instance cache of those permissions (``_perm_cache``): code that
        deletes it to see changed permissions gets fresh answers here too.
        """
        cache = self.__dict__.get("_perm_cache")
        memo = self.__dict__.get("_raptorflow_module_perms")
        key = (app_label, self.is_active, self.is_superuser)
        if cache is not None and memo is not None and memo[0] is cache and key in memo[1]:
            return memo[1][key]
        answer = super().has_module_perms(app_label)
        cache = self.__dict__.get("_perm_cache")
        if cache is not None:
            if memo is None or memo[0] is not cache:
                memo = self._raptorflow_module_perms = (cache, {})
            memo[1][key] = answer
        return answer

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Workspace(TimestampedModel):
    """A customer workspace: the unit of isolation."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    is_active = models.BooleanField(_("active"), default=True, db_default=True)

    class Meta:
        db_table = "workspaces"
        db_table_comment = "Customer workspaces. Visible to their members, to the workspace in context, and to superusers."
        ordering = ["name"]
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")

    def __str__(self):
        return self.name


class WorkspaceMember(TenantModel):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Admin")
        MARKETER = "marketer", _("Marketer")
        VIEWER = "viewer", _("Viewer")

    # Indexed by workspace_members_user_idx (user, workspace).
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"), db_index=False
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MARKETER)

    class Meta:
        db_table = "workspace_members"
        db_table_comment = "Who belongs to which workspace, with which role. A user also sees their own memberships in other workspaces (for the switcher)."
        verbose_name = _("workspace member")
        verbose_name_plural = _("workspace members")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="workspace_members_workspace_user_uniq"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "admin", "marketer", "viewer"]),
                name="workspace_members_role_valid",
            ),
        ]
        indexes = [models.Index(fields=["user", "workspace"], name="workspace_members_user_idx")]

    def __str__(self):
        return f"{self.user} in {self.workspace} ({self.role})"


class Cohort(TenantModel):
    """A named audience segment of a workspace, targeted by campaigns."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, default="", db_default="")
    criteria = models.JSONField(
        _("criteria"),
        default=dict,
        db_default={},
        blank=True,
        help_text=_('Segment rules, e.g. {"country": ["DE", "FR"], "plan": "pro"}.'),
        db_comment="Segment rules as a JSON object.",
    )
    size_estimate = models.PositiveIntegerField(
        _("size estimate"), default=0, db_default=0, db_comment="Estimated number of people in the cohort."
    )

    class Meta:
        db_table = "cohorts"
        db_table_comment = "Audience segments of a workspace."
        ordering = ["name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            # Names ignore case ("Trail runners" and "trail runners" clash); workspace first, like every tenant index.
            models.UniqueConstraint(
                "workspace", models.functions.Lower("name"), name="cohorts_workspace_lower_name_uniq",
                violation_error_message=_("A cohort with this name already exists in this workspace."),
            ),
            # Target of same-workspace composite foreign keys from other tables.
            models.UniqueConstraint(fields=["workspace", "id"], name="cohorts_workspace_id_uniq"),
            models.CheckConstraint(condition=JsonbTypeIs("criteria", "object"), name="cohorts_criteria_object"),
        ]

    def __str__(self):
        return self.name

    @property
    def size_display(self) -> str:
        """The size estimate as every page and the admin show it: "48,200"."""
        return f"{self.size_estimate:,}"


class WorkspaceInvitation(TenantModel):
    """An owner or admin asked a person, by email, to join the workspace.

    The emailed link carries a random token; only its SHA-256 is stored, so
    nobody who reads the table can accept in the invitee's place. Accepting
    (the SQL function ``accept_workspace_invitation``) creates the membership.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    email = models.EmailField(_("email address"), db_comment="Invited address, lower case.")
    role = models.CharField(
        _("role"), max_length=16, choices=WorkspaceMember.Role.choices, default=WorkspaceMember.Role.MARKETER
    )
    token_hash = models.CharField(
        _("token hash"),
        max_length=64,
        editable=False,
        db_comment="Hex SHA-256 of the link's token; the token itself is only ever in the email.",
    )
    # The three user keys are indexed by workspace_invitations_inv_idx, _acc_idx and _rev_idx.
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("invited by"), db_index=False
    )
    sent_at = models.DateTimeField(_("last sent"), default=timezone.now, db_default=Now())
    send_count = models.PositiveSmallIntegerField(_("times sent"), default=1, db_default=1)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("accepted by"), db_index=False, editable=False
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("revoked by"), db_index=False, editable=False
    )

    class Meta:
        db_table = "workspace_invitations"
        db_table_comment = "Invitations to join a workspace by email: token stored as a hash, expiry, role, inviter; accepted or revoked once."
        ordering = ["-sent_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["token_hash"], name="workspace_invitations_token_hash_uniq"),
            # One open invitation per address: inviting again resends it.
            models.UniqueConstraint(
                fields=["workspace", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="workspace_invitations_one_open_per_email",
                violation_error_message=_("This address already has an open invitation; resend it instead."),
            ),
            models.CheckConstraint(condition=models.Q(email=models.functions.Lower("email")), name="workspace_invitations_email_lowercase"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "admin", "marketer", "viewer"]), name="workspace_invitations_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="workspace_invitations_accepted_or_revoked",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(accepted_by__isnull=False),
                name="workspace_invitations_accepted_by_someone",
            ),
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("sent_at")), name="workspace_invitations_expiry_after_send"),
        ]
        indexes = [
            models.Index(fields=["workspace", "-sent_at"], name="workspace_invitations_ws_idx"),
            models.Index(fields=["invited_by"], name="workspace_invitations_inv_idx"),
            models.Index(fields=["accepted_by"], name="workspace_invitations_acc_idx"),
            models.Index(fields=["revoked_by"], name="workspace_invitations_rev_idx"),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()})"

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING
