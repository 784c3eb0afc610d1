"""Forms of the intelligence admin: synthesizing an insight, and the insight form with its recommended-actions editor.

``market_insights.recommended_actions`` is a JSON array whose entries are
strings ("Brief the sales team") or objects ({"action": ..., "owner": ...,
"due": "2026-12-01"}). Staff edit it as rows of action, owner and due date;
a row with an action only is stored as a plain string, as before, and keys
other than those three survive an edit untouched.
"""

from __future__ import annotations

import json
import math
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from intelligence.models import MarketInsight
from raptorflow.forms import TenantModelForm

ROW_FIELDS = ("action", "owner", "due")


class ActionRows(list):
    """Rows as posted by :class:`RecommendedActionsWidget`: dicts of strings, in the order shown."""


def entry_to_row(entry) -> dict:
    """One stored entry as a row of the editor (unknown keys kept in ``extra``)."""
    if isinstance(entry, dict):
        extra = {k: v for k, v in entry.items() if k not in ROW_FIELDS}
        row = {k: "" if entry.get(k) is None else str(entry.get(k)) for k in ROW_FIELDS}
        return {**row, "extra": json.dumps(extra) if extra else ""}
    return {"action": "" if entry is None else str(entry), "owner": "", "due": "", "extra": ""}


class RecommendedActionsWidget(forms.Widget):
    """A table of rows (action, owner, due date), plus empty rows to add more; no JavaScript needed."""

    template_name = "admin/intelligence/recommended_actions.html"
    empty_rows = 3

    def format_value(self, value):
        if isinstance(value, str):
            # The raw JSON a script posted, shown back as rows when it parses.
            try:
                value = json.loads(value)
            except ValueError:
                value = []
        if isinstance(value, ActionRows):
            rows = [dict(row) for row in value]
        elif isinstance(value, list):
            rows = [entry_to_row(entry) for entry in value]
        else:
            rows = []
        return rows + [{"action": "", "owner": "", "due": "", "extra": ""} for _ in range(self.empty_rows)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["widget"]["rows"] = [
            {**row, "number": n + 1, "prefix": f"{name}-{n}", "id": f"{base_id}_{n}"}
            for n, row in enumerate(context["widget"]["value"])
        ]
        return context

    def id_for_label(self, id_):
        return f"{id_}_0_action" if id_ else id_

    def value_from_datadict(self, data, files, name):
        if f"{name}-rows" not in data:
            # No editor on the page that posted: a script posting the JSON itself.
            return data.get(name)
        rows = ActionRows()
        n = 0
        while f"{name}-{n}-action" in data:
            rows.append({key: (data.get(f"{name}-{n}-{key}") or "").strip() for key in (*ROW_FIELDS, "extra")})
            n += 1
        return rows

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}-rows" not in data


def _extra_keys(posted) -> dict:
    """The keys of a stored entry the editor does not show, carried through the form as JSON."""
    try:
        extra = json.loads(posted) if posted else {}
    except ValueError:
        return {}
    return extra if isinstance(extra, dict) else {}


def _storable(value) -> bool:
    """Whether PostgreSQL's jsonb takes ``value``: it refuses \\u0000 in strings and keys, NaN and infinities."""
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_storable(k) and _storable(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(_storable(v) for v in value)
    return True


class RecommendedActionsField(forms.Field):
    widget = RecommendedActionsWidget
    default_error_messages = {
        "not_a_list": _('Recommended actions must be a JSON list, e.g. ["Brief the sales team"].'),
        "no_action": _("Row %(row)s: say what the action is, or clear its owner and due date."),
        "bad_due": _("Row %(row)s: the due date must be a date like 2026-12-31."),
        "unstorable": _(
            "Recommended actions cannot contain a NUL character, NaN or an infinite number: the database cannot store them."
        ),
    }

    def to_python(self, value):
        if value in (None, ""):
            return []
        if isinstance(value, ActionRows):
            return self._from_rows(value)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise ValidationError(self.error_messages["not_a_list"], code="not_a_list") from None
        if not isinstance(value, list):
            raise ValidationError(self.error_messages["not_a_list"], code="not_a_list")
        return value

    def validate(self, value):
        super().validate(value)
        if not _storable(value):
            raise ValidationError(self.error_messages["unstorable"], code="unstorable")

    def _from_rows(self, rows):
        entries, errors = [], []
        for number, row in enumerate(rows, start=1):
            if not any(row.get(key) for key in ROW_FIELDS):
                continue  # an empty row, or one cleared to remove it
            if not row["action"]:
                errors.append(ValidationError(self.error_messages["no_action"], code="no_action", params={"row": number}))
                continue
            if row["due"]:
                try:
                    date.fromisoformat(row["due"])
                except ValueError:
                    errors.append(ValidationError(self.error_messages["bad_due"], code="bad_due", params={"row": number}))
                    continue
            extra = _extra_keys(row.get("extra"))
            if not row["owner"] and not row["due"] and not extra:
                entries.append(row["action"])
            else:
                entries.append({**extra, **{key: row[key] for key in ROW_FIELDS if row[key]}})
        if errors:
            raise ValidationError(errors)
        return entries

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (initial or [])
        except ValidationError:
            return True


class SynthesizeForm(forms.Form):
    """The "Synthesize an insight" action's page: what the new draft is called and about."""

    title = forms.CharField(label=_("Insight title"), max_length=300)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    category = forms.ChoiceField(label=_("Category"), choices=MarketInsight.Category.choices)


class MarketInsightForm(TenantModelForm):
    recommended_actions = RecommendedActionsField(
        label=_("Recommended actions"),
        required=False,
        help_text=_(
            "One action per row, with its owner and due date if known. Clear a row to remove it; "
            "save and continue editing for more empty rows."
        ),
    )

    class Meta:
        model = MarketInsight
        fields = ("title", "summary", "category", "impact", "recommended_actions", "valid_until")
