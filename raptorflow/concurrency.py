"""Optimistic concurrency for edit forms: nothing is overwritten unnoticed.

An edit form carries, in one signed hidden field, the row's ``updated_at``
when the form was opened and the values it showed. On save the row is locked
(``SELECT ... FOR UPDATE`` in the request's transaction) and its
``updated_at`` compared: if someone saved in between, the form is not saved;
when the two saves changed different fields, both changes are kept (the other
person's values for the fields this one left alone); when they changed the
same field, nothing is saved and the form comes back with a conflict table
(the value when opened, theirs now, yours) and a fresh version, so a second
submit is a conscious decision.

Every table a person edits has ``updated_at``, which the database moves on
every change of the row (its ``<table>_set_updated_at`` trigger, whoever
writes), so no version column is needed. Bulk actions and
SQL functions change rows by rule, not from a stale copy: they are not
checked. Why not django-concurrency: it needs a version column on every table
(migrations on all of them) and its trigger-maintained field creates its
triggers outside migrations; ``updated_at`` already does the job.
"""

from __future__ import annotations

from django import forms
from django.core import signing
from django.forms.models import model_to_dict
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

VERSION_FIELD = "opened_version"
_SALT = "raptorflow.concurrency"


def _as_text(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _shown(form, name, instance=None) -> str:
    """A field's value as the form shows it: the submitted one, or ``instance``'s (for comparing and the conflict table).

    A submitted value that cleaned is shown the way the stored one would be
    (so "1000" and "1000.00", or a re-typed list, compare equal).
    """
    if instance is None:
        cleaned = getattr(form, "cleaned_data", {})
        if name in cleaned:
            value = cleaned[name]
            value = getattr(value, "pk", value)
            return _as_text(form.fields[name].prepare_value(value))
        return _as_text(form[name].value())
    field = form.fields[name]
    return _as_text(field.prepare_value(model_to_dict(instance, fields=[name]).get(name)))


class OptimisticLockMixin:
    """For a ModelForm: a change form of a row with ``updated_at`` saves only over the version it was opened at.

    Add forms, and models without ``updated_at``, are left as they are. Every
    form of workspace data derives from it (through
    :class:`raptorflow.forms.TenantModelForm`), on the pages and in the admin.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self._versioned():
            self.fields[VERSION_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False)
            self.initial[VERSION_FIELD] = self._version_of(self.instance)

    def _versioned(self) -> bool:
        return not self.instance._state.adding and getattr(self.instance, "updated_at", None) is not None

    def _compared_fields(self):
        meta_fields = self._meta_fields()  # once, not once per field (issue 19)
        return [name for name in self.fields if name != VERSION_FIELD and name in meta_fields]

    def _meta_fields(self):
        return {f.name for f in self._meta.model._meta.get_fields()}

    def _version_of(self, instance) -> str:
        # What _shown(self, name, instance) says of each field, with the row read into a dict once
        # instead of once per field (issue 19: every row of an admin inline signs a version).
        names = self._compared_fields()
        stored = model_to_dict(instance, fields=names)
        values = {name: _as_text(self.fields[name].prepare_value(stored.get(name))) for name in names}
        return signing.dumps({"at": instance.updated_at.isoformat(), "values": values}, salt=_SALT, compress=True)

    def clean(self):
        cleaned = super().clean()
        if VERSION_FIELD not in self.fields or not self._compared_fields():
            return cleaned  # a new row, or a page whose fields are all read-only (the agent registry)
        if self.add_prefix(VERSION_FIELD) not in self.data:
            return cleaned  # a client that never showed our form (every page we render sends it)
        current = type(self.instance)._base_manager.select_for_update().filter(pk=self.instance.pk).first()
        if current is None:
            return cleaned  # deleted meanwhile: the save itself will say so
        try:
            opened = signing.loads(self.data.get(self.add_prefix(VERSION_FIELD), ""), salt=_SALT)
        except signing.BadSignature:
            opened = None
        if opened is not None and opened["at"] == current.updated_at.isoformat():
            return cleaned
        if opened is not None and self._merge(current, opened["values"], cleaned):
            return cleaned
        self._report_conflict(current, opened)
        return cleaned

    def _merge(self, current, opened_values, cleaned) -> bool:
        """Keep both changes when they touch different fields; False when they collide."""
        saved = {name: _shown(self, name, current) for name in self._compared_fields()}
        theirs = {name for name, value in saved.items() if value != opened_values.get(name)}
        mine = {name for name in self._compared_fields() if _shown(self, name) != opened_values.get(name)}
        # Both changed a field to the same value: no collision.
        if any(saved[name] != _shown(self, name) for name in theirs & mine):
            return False
        for name in theirs:
            if name in cleaned:
                cleaned[name] = getattr(current, name)
        self.merged_fields = sorted(theirs)
        return True

    @property
    def changed_data(self):
        return [name for name in super().changed_data if name != VERSION_FIELD]

    def _report_conflict(self, current, opened):
        opened_values = (opened or {}).get("values", {})
        rows = []
        for name in self._compared_fields():
            before = opened_values.get(name)
            theirs = _shown(self, name, current)
            mine = _shown(self, name)
            if before is None or theirs != before or mine != before:
                if theirs != mine:
                    rows.append((self.fields[name].label or name, before if before is not None else "?", theirs, mine))
        table = format_html(
            '<table class="rf-conflict"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            _("Field"),
            _("When you opened it"),
            _("Saved meanwhile"),
            _("Yours (not saved)"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )
        when = current.updated_at.strftime("%Y-%m-%d %H:%M:%S")
        message = format_html(
            "{} {}",
            _(
                "Someone else saved this %(what)s at %(when)s UTC, after you opened it. Nothing was saved. "
                "Compare, adjust, and save again to keep your version."
            )
            % {"what": self._meta.model._meta.verbose_name, "when": when},
            table if rows else "",
        )
        # The next submit is made knowing the other person's version.
        self.data = self.data.copy()
        self.data[self.add_prefix(VERSION_FIELD)] = self._version_of(current)
        raise forms.ValidationError(message, code="conflict")


class OptimisticModelForm(OptimisticLockMixin, forms.ModelForm):
    """The admin's form of a row that is not a tenant's (a workspace, an alert, the agent registry)."""
