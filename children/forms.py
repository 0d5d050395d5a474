"""Forms for the child's record. Model rules (clean() and constraints) surface here as
field messages, so bad input is explained, never a server error."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model

from accounts.selectors import iro_users

from .codes import CategoryOfNeed, LegalStatus, PlacementProvider, PlacementType
from .models import Allocation, Child, Episode, PeriodOfCare

User = get_user_model()
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CrispyModelForm(forms.ModelForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ChildForm(CrispyModelForm):
    class Meta:
        model = Child
        fields = [
            "local_id",
            "first_name",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "sex",
            "ethnicity",
            "upn",
            "mother",
            "mother_child_date_of_birth",
        ]
        widgets = {"date_of_birth": DATE_INPUT, "mother_child_date_of_birth": DATE_INPUT}


class PeriodOfCareForm(CrispyModelForm):
    class Meta:
        model = PeriodOfCare
        fields = ["child", "start", "end", "reason_ended"]
        widgets = {"start": DATE_INPUT, "end": DATE_INPUT}


class EpisodeForm(CrispyModelForm):
    class Meta:
        model = Episode
        fields = [
            "period_of_care",
            "start",
            "reason_new_episode",
            "legal_status",
            "category_of_need",
            "placement_type",
            "placement_provider",
            "end",
            "reason_ended",
            "reason_place_change",
            "home_postcode",
            "placement_postcode",
            "urn",
        ]
        widgets = {"start": DATE_INPUT, "end": DATE_INPUT}


class AllocationForm(CrispyModelForm):
    class Meta:
        model = Allocation
        fields = ["child", "iro", "kind", "start", "end"]
        widgets = {"start": DATE_INPUT, "end": DATE_INPUT}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["iro"].queryset = iro_users()


class NewChildForm(ChildForm):
    """A child coming into care: the child, the start of care and the first placement."""

    looked_after_from = forms.DateField(label="Looked after from", widget=DATE_INPUT)
    legal_status = forms.ChoiceField(label="Legal status", choices=LegalStatus.choices)
    category_of_need = forms.ChoiceField(label="Category of need", choices=CategoryOfNeed.choices)
    placement_type = forms.ChoiceField(label="Placement", choices=PlacementType.choices)
    placement_provider = forms.ChoiceField(
        label="Placement provider", choices=[("", "Not known")] + PlacementProvider.choices, required=False
    )
    home_postcode = forms.CharField(max_length=8, required=False)
    placement_postcode = forms.CharField(max_length=8, required=False)
    iro = forms.ModelChoiceField(
        label="Case-holding IRO",
        queryset=iro_users(),
        required=False,
        empty_label="Allocate later",
    )

    class Meta(ChildForm.Meta):
        fields = ChildForm.Meta.fields + ["school", "social_worker"]

    def clean(self) -> dict:
        cleaned = super().clean()
        start, dob = cleaned.get("looked_after_from"), cleaned.get("date_of_birth")
        if start and dob and start < dob:
            self.add_error("looked_after_from", "A child cannot come into care before their date of birth.")
        return cleaned

    def episode_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in (
                "legal_status",
                "category_of_need",
                "placement_type",
                "placement_provider",
                "home_postcode",
                "placement_postcode",
            )
        }


class CaseHoldingIROForm(forms.Form):
    iro = forms.ModelChoiceField(
        label="Case-holding IRO",
        queryset=iro_users(),
    )
    start = forms.DateField(label="From", widget=DATE_INPUT)
