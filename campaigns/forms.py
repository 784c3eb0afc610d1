"""Marketer forms. Every form takes the request's ``workspace``: choices and unique checks stay inside it.

Model forms derive from :class:`raptorflow.forms.TenantModelForm`, as the
admin's do: their choices of tenant rows are the workspace's, the models'
unique rules (names unique per workspace, ignoring case) are validated by
Django with the model's message next to the field, and edit forms save only
over the version they were opened at.

Lists that the database keeps as arrays or JSON are edited as one item per
line, so marketers never type JSON.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CampaignCohort, CampaignQuest, Channel, MessageArchitecture, Positioning
from raptorflow.forms import TenantModelForm
from raptorflow.models import Cohort

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class LinesField(forms.CharField):
    """A textarea whose non-empty lines become a list of strings."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, *, max_line_length=200, **kwargs):
        self.max_line_length = max_line_length
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(value)
        return value

    def to_python(self, value):
        if "\x00" in (value or ""):
            raise forms.ValidationError(_("Remove the NUL character: it cannot be stored."), code="null_characters_not_allowed")
        lines = [line.strip() for line in (value or "").splitlines()]
        lines = [line for line in lines if line]
        too_long = [line for line in lines if len(line) > self.max_line_length]
        if too_long:
            raise forms.ValidationError(
                _("Keep each line under %(max)d characters (this one is %(length)d): %(line)s"),
                code="line_too_long",
                params={"max": self.max_line_length, "length": len(too_long[0]), "line": too_long[0][:40] + "\u2026"},
            )
        return lines


class PipeRecordsField(LinesField):
    """One record per line, its parts separated by ``|``: ``a | b | c`` -> ``{"k1": "a", "k2": "b", "k3": "c"}``."""

    def __init__(self, *, keys, **kwargs):
        self.keys = keys
        super().__init__(max_line_length=1000, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(
                " | ".join(str(item.get(k, "")) for k in self.keys).rstrip(" |") if isinstance(item, dict) else str(item)
                for item in value
            )
        return value

    def to_python(self, value):
        records = []
        for line in super().to_python(value):
            parts = [part.strip() for part in line.split("|")]
            if len(parts) > len(self.keys):
                raise forms.ValidationError(
                    _("Use at most %(count)d parts separated by \u201c|\u201d per line: %(line)s"),
                    code="too_many_parts",
                    params={"count": len(self.keys), "line": line[:60]},
                )
            if not parts[0]:
                raise forms.ValidationError(
                    _("Each line needs a %(key)s before the first \u201c|\u201d."), code="missing_first", params={"key": self.keys[0]}
                )
            records.append({key: part for key, part in zip(self.keys, parts) if part})
        return records


class KpiTargetsField(forms.CharField):
    """``metric: target`` per line -> ``{"metric": number}``."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{k}: {v}" for k, v in value.items())
        return value

    def to_python(self, value):
        targets = {}
        for number, line in enumerate((value or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            metric, sep, target = line.partition(":")
            metric, target = metric.strip(), target.strip()
            if not sep or not metric or not target:
                raise forms.ValidationError(
                    _("Line %(n)d: write \u201cmetric: target\u201d, e.g. \u201csignups: 5000\u201d."), code="kpi_format", params={"n": number}
                )
            try:
                amount = Decimal(target.replace(",", ""))
            except ArithmeticError:
                raise forms.ValidationError(
                    _("Line %(n)d: the target of \u201c%(metric)s\u201d must be a number."),
                    code="kpi_number",
                    params={"n": number, "metric": metric},
                ) from None
            if not amount.is_finite() or amount < 0:
                raise forms.ValidationError(
                    _("Line %(n)d: the target of \u201c%(metric)s\u201d must be zero or more."),
                    code="kpi_negative",
                    params={"n": number, "metric": metric},
                )
            targets[metric] = int(amount) if amount == amount.to_integral_value() else float(amount)
        return targets


class CampaignForm(TenantModelForm):
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    kpi_targets = KpiTargetsField(
        label=_("KPI targets"), help_text=_("One per line as \u201cmetric: target\u201d, e.g. \u201csignups: 5000\u201d.")
    )

    class Meta:
        model = Campaign
        fields = [
            "name", "objective", "status", "positioning", "message_architecture",
            "channels", "budget", "starts_at", "ends_at", "kpi_targets",
        ]
        widgets = {
            "objective": forms.Textarea(attrs={"rows": 3}),
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "budget": forms.NumberInput(attrs={"min": "0", "step": "0.01"}),
        }
        error_messages = {
            "budget": {
                "max_digits": _("Budgets go up to 9,999,999,999.99."),
                "max_decimal_places": _("Use at most 2 decimal places (cents)."),
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        messaging = self.fields["message_architecture"]
        # Any of the workspace's messaging validates (clean() checks the pair, with a message that says so);
        # the dropdown offers only the chosen positioning's.
        messaging.queryset = messaging.queryset.select_related("positioning").order_by("positioning__name", "name", "-version")
        self.messaging_groups = self._messaging_groups(messaging.queryset)
        messaging.widget.choices = self._messaging_choices(self.chosen_positioning_id())
        messaging.help_text = _("Only the chosen positioning\u2019s messaging is offered; with no positioning, all of it.")
        self.fields["starts_at"].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"]
        self.fields["ends_at"].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"]
        if self.instance._state.adding:
            # A new campaign starts as a draft or scheduled; archiving is its own action.
            self.fields["status"].choices = [
                c for c in self.fields["status"].choices if c[0] != Campaign.Status.ARCHIVED
            ]

    def chosen_positioning_id(self) -> str:
        """The positioning the form stands on: the submitted one, else the initial or saved one ("" for none)."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("positioning"))
        else:
            value = self.initial.get("positioning", self.instance.positioning_id)
        value = getattr(value, "pk", value)
        return str(value) if value else ""

    @staticmethod
    def _messaging_groups(architectures) -> list[dict]:
        """``[{"id", "name", "options": [[id, label], ...]}]`` per positioning: the choices, and the script's data."""
        groups = {}
        for architecture in architectures:
            group = groups.setdefault(
                architecture.positioning_id,
                {"id": str(architecture.positioning_id), "name": architecture.positioning.name, "options": []},
            )
            group["options"].append([str(architecture.pk), str(architecture)])
        return list(groups.values())

    def _messaging_choices(self, positioning_id: str) -> list:
        empty = [("", self.fields["message_architecture"].empty_label)]
        if positioning_id:
            return empty + [tuple(o) for g in self.messaging_groups if g["id"] == positioning_id for o in g["options"]]
        return empty + [(g["name"], [tuple(o) for o in g["options"]]) for g in self.messaging_groups]

    def unvalidated_copy(self):
        """The submitted values in a form that shows no errors ("Update messaging choices" without JavaScript)."""
        initial = {
            name: field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            for name, field in self.fields.items()
        }
        return type(self)(instance=self.instance, workspace=self.workspace, initial=initial, prefix=self.prefix)

    def clean_budget(self):
        budget = self.cleaned_data.get("budget")
        if budget is not None and budget < 0:
            raise forms.ValidationError(_("The budget cannot be negative."), code="negative")
        return budget

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", forms.ValidationError(_("The end must be on or after the start."), code="ends_before_start"))
        if cleaned.get("status") == Campaign.Status.SCHEDULED and not starts and "starts_at" not in self.errors:
            self.add_error("starts_at", forms.ValidationError(_("A scheduled campaign needs a start date."), code="required"))
        positioning, architecture = cleaned.get("positioning"), cleaned.get("message_architecture")
        if architecture and positioning and architecture.positioning_id != positioning.id:
            self.add_error(
                "message_architecture",
                forms.ValidationError(_("Choose messaging of the selected positioning (%(name)s)."), code="mismatch", params={"name": positioning}),
            )
        elif architecture and not positioning:
            cleaned["positioning"] = architecture.positioning
            self.instance.positioning = architecture.positioning
        return cleaned


class PositioningForm(TenantModelForm):
    differentiators = LinesField(label=_("Differentiators"), help_text=_("One per line."))
    proof_points = PipeRecordsField(
        keys=("claim", "source"),
        label=_("Proof points"),
        help_text=_("One per line as \u201cclaim | source\u201d; the source is optional."),
    )

    class Meta:
        model = Positioning
        fields = ["name", "status", "target_segment", "problem_statement", "value_proposition", "differentiators", "proof_points"]
        widgets = {
            "problem_statement": forms.Textarea(attrs={"rows": 3}),
            "value_proposition": forms.Textarea(attrs={"rows": 3}),
        }


class MessageArchitectureForm(TenantModelForm):
    """A positioning's messaging; its name and version are unique for the positioning (the model's rule, next to the version)."""

    # The positioning is the page's, set on the instance: the unique rule that names it is validated too.
    instance_fields = ("workspace", "positioning")

    pillars = PipeRecordsField(
        keys=("title", "message", "proof"),
        label=_("Pillars"),
        help_text=_("One per line as \u201ctitle | message | proof\u201d; message and proof are optional."),
    )

    class Meta:
        model = MessageArchitecture
        fields = ["name", "version", "is_primary", "core_message", "tone", "pillars"]
        widgets = {"core_message": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, positioning, **kwargs):
        self.positioning = positioning
        super().__init__(*args, **kwargs)
        self.instance.positioning = positioning
        self.fields["version"].min_value = 1
        self.fields["version"].widget.attrs["min"] = "1"

    def clean_version(self):
        version = self.cleaned_data["version"]
        if version < 1:
            raise forms.ValidationError(_("Versions start at 1."), code="min_value")
        return version


class QuestForm(TenantModelForm):
    class Meta:
        model = CampaignQuest
        fields = ["title", "parent", "status", "xp_reward", "due_at", "description"]
        labels = {"parent": _("Nest under")}
        widgets = {"due_at": DateTimeInput(), "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, campaign, **kwargs):
        self.campaign = campaign
        super().__init__(*args, **kwargs)
        self.instance.campaign = campaign
        parents = CampaignQuest.objects.filter(campaign=campaign).order_by("title")
        if not self.instance._state.adding:
            # A quest cannot go under itself or its own subtree (the database refuses it too).
            parents = parents.exclude(pk__in=self._subtree_ids(self.instance.pk, list(parents.values_list("id", "parent_id"))))
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("(top level)")
        self.fields["due_at"].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"]
        if self.instance._state.adding:
            del self.fields["status"]

    @staticmethod
    def _subtree_ids(root_id, edges):
        children = {}
        for quest_id, parent_id in edges:
            children.setdefault(parent_id, []).append(quest_id)
        found, stack = set(), [root_id]
        while stack:
            current = stack.pop()
            found.add(current)
            stack.extend(children.get(current, []))
        return found


class CohortTargetForm(forms.Form):
    cohort = forms.ModelChoiceField(label=_("Cohort"), queryset=Cohort.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=CampaignCohort.Role.choices, initial=CampaignCohort.Role.PRIMARY)

    def __init__(self, *args, workspace, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = (
            Cohort.objects.filter(workspace=workspace).exclude(campaign_targets__campaign=campaign).order_by("name")
        )
        self.fields["cohort"].label_from_instance = lambda c: f"{c.name} ({c.size_display})"
