from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import UniqueConstraint
from django.utils.translation import gettext_lazy as _

from raptorflow.concurrency import OptimisticLockMixin
from raptorflow.models import TenantModel, User


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


class TenantModelForm(OptimisticLockMixin, forms.ModelForm):
    """The base of every ModelForm of a tenant model, on the marketer pages and in the admin.

    Bound to a workspace by its constructor argument ``workspace`` (the
    request's; the admin passes it too, :class:`raptorflow.admin.WorkspaceForms`):
    a new row takes it, and every choice of a tenant row (a campaign, a
    positioning) lists that workspace's rows only.

    The model's rules are validated by Django (``full_clean``, which runs
    ``Model.validate_constraints``), with the model's ``violation_error_message``
    next to the field (:meth:`raptorflow.models.TenantModel.validate_constraints`).
    Django leaves out every rule that names a field the form does not show,
    so the workspace's unique rules would only reach the database as an
    IntegrityError: the fields in ``instance_fields``, which the form sets on
    the instance itself, are validated with their rules. A rule about one of
    them alone is said above the form. Change forms save only over the version
    they were opened at (:class:`raptorflow.concurrency.OptimisticLockMixin`).
    """

    # Fields set on the instance, not shown: validated with every rule that names them.
    instance_fields: tuple[str, ...] = ("workspace",)

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        if workspace is not None:
            self.instance.workspace = workspace
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and issubclass(queryset.model, TenantModel):
                field.queryset = queryset.filter(workspace=workspace)

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() - set(self.instance_fields)

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            shown = {}
            for name, messages in errors.error_dict.items():
                shown.setdefault(name if name in self.fields else NON_FIELD_ERRORS, []).extend(messages)
            errors = ValidationError(shown)
        super()._update_errors(errors)

    def save_unique(self, save=None):
        """Save (through ``save(instance)`` when a service saves it); None when a unique rule refused it.

        The one fallback for a race: another request took the name since
        validation. The database names the rule; the form validates the rules
        again and shows the model's message next to the field, as validation
        would have.
        """
        try:
            with transaction.atomic():
                return self.save() if save is None else save(self.save(commit=False))
        except IntegrityError as exc:
            name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
            unique = {c.name for c in self._meta.model._meta.constraints if isinstance(c, UniqueConstraint)}
            if name not in unique:
                raise
            try:
                self.instance.validate_constraints(exclude=self._get_validation_exclusions())
            except ValidationError as error:
                self._update_errors(error)
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
