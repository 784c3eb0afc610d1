from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from gamification import services
from gamification.models import Achievement
from raptorflow.forms import TenantModelForm


class AchievementForm(TenantModelForm):
    """Achievement editing; the code's uniqueness (ignoring case) is the model's rule, criteria the database's."""

    class Meta:
        model = Achievement
        fields = (
            "code", "name", "description", "category", "rarity", "icon",
            "xp_reward", "target_value", "criteria", "is_active", "is_secret",
        )
        widgets = {"criteria": forms.Textarea(attrs={"rows": 3, "cols": 60})}

    def clean_code(self):
        # Codes are lowercase (achievements_code_format): "Quest-Master" is "quest-master", and clashes with it.
        return self.cleaned_data["code"].lower()

    def clean(self):
        cleaned = super().clean()
        if "criteria" in cleaned and "target_value" in cleaned:
            # The same sentence the database trigger would raise, shown next to the field.
            problem = services.criteria_problem(cleaned["criteria"], target_value=cleaned["target_value"])
            if problem:
                self.add_error("criteria", forms.ValidationError(problem, code="invalid_criteria"))
        return cleaned


class AwardForm(forms.Form):
    """Choose members of the current workspace to receive the selected achievements."""

    users = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members of this workspace who get the achievements (already completed ones stay as they are)."),
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = (
            get_user_model().objects.filter(memberships__workspace=workspace).order_by("full_name", "email")
        )
