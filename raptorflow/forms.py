from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import UniqueConstraint
from django.utils.translation import gettext_lazy as _

from raptorflow.models import User


class InvitedAccountForm(forms.Form):
    """A new person, arriving from an invitation, chooses their own name and password."""

    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password2(self):
        password1, password2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError(_("The two passwords differ."), code="password_mismatch")
        return password2

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password2")
        if password:
            candidate = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def _fields_of(model, constraint) -> set[str]:
    """The model fields a unique rule compares, whether declared by ``fields`` or by expressions (``Lower("name")``)."""
    if constraint.fields:
        return set(constraint.fields)
    return {ref[0] for expression in constraint.expressions for ref in model._get_expr_references(expression)}


class TenantModelForm(forms.ModelForm):
    """The base of every ModelForm of a tenant model, on the marketer pages and in the admin.

    The workspace is not a form field, so Django's ModelForm skips every
    constraint that names it (``_get_validation_exclusions``): a duplicate
    would reach the database as an IntegrityError. This base puts the
    workspace on the instance (the ``workspace`` argument, else the current
    context's) and validates the model's unique rules that involve it, with
    the model's own ``violation_error_message``, next to the one field the
    rule is about (a rule over several shown fields: above the form). One
    error per field: a field that already has one is not checked again.
    Rules with a condition are left to the services that keep them (one
    primary message architecture: making one primary demotes the other).
    """

    # Fields the form (or its view) sets on the instance without showing them; their rules are validated too.
    instance_fields: tuple[str, ...] = ("workspace",)

    def __init__(self, *args, workspace=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        if workspace is not None:
            self.instance.workspace = workspace

    def validate_unique(self):
        super().validate_unique()
        if self.instance.workspace_id is None:
            from raptorflow.tenancy import current_workspace_id

            self.instance.workspace_id = current_workspace_id()
        model = type(self.instance)
        hidden = set(self.instance_fields)
        exclude = self._get_validation_exclusions() - hidden
        for constraint in model._meta.constraints:
            if not isinstance(constraint, UniqueConstraint) or constraint.condition is not None:
                continue
            compared = _fields_of(model, constraint)
            # Rules without a hidden field were validated by Django; rules on a missing or invalid field cannot be.
            if not compared & hidden or compared & exclude:
                continue
            shown = sorted(compared - hidden)
            field = shown[0] if len(shown) == 1 else None
            if (field or NON_FIELD_ERRORS) in self._errors:
                continue
            try:
                constraint.validate(model, self.instance, exclude=exclude)
            except ValidationError as error:
                self.add_error(field, error)

    def save_unique(self):
        """Save; a unique rule that another request won since validation becomes the form's error (None returned).

        The database names the constraint; the form checks it again and shows
        the model's message next to the field, as validation would have.
        """
        try:
            with transaction.atomic():
                return self.save()
        except IntegrityError as exc:
            name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
            unique = {c.name for c in self._meta.model._meta.constraints if isinstance(c, UniqueConstraint)}
            if name not in unique:
                raise
            self.validate_unique()
            if not self.errors:
                self.add_error(None, ValidationError(_("This was just changed by someone else; try again."), code="unique"))
            return None


def jsonb_problem(value) -> str | None:
    """Why PostgreSQL's jsonb would refuse ``value`` (a NUL character, NaN or an infinity), or None."""
    import math

    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "NaN and infinite numbers cannot be stored as JSON."
    if isinstance(value, str) and "\x00" in value:
        return "Remove the NUL character (\\u0000): it cannot be stored."
    if isinstance(value, dict):
        return next((p for p in map(jsonb_problem, [*value.keys(), *value.values()]) if p), None)
    if isinstance(value, (list, tuple)):
        return next((p for p in map(jsonb_problem, value) if p), None)
    return None


class StorableJSONField(forms.JSONField):
    """Django's JSON form field, refusing what PostgreSQL's jsonb cannot store (a field error, not a 500)."""

    def validate(self, value):
        super().validate(value)
        problem = jsonb_problem(value)
        if problem:
            raise forms.ValidationError(problem, code="not_storable")
