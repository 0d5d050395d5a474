from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from accounts.iro_picker import NOT_KNOWN, IROPick
from accounts.models import Team
from accounts.selectors import iro_users
from iro_service import inputs

from .models import NARRATIVE_SECTIONS, ReportNarrative, ReportPDFKind

User = get_user_model()


class PeriodForm(inputs.PeriodForm):
    """A report period: the shared date range, and at most ten years."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and (end - start).days > 3660:
            raise forms.ValidationError("Choose a period of ten years or less.")
        return cleaned


class DashboardFilterForm(PeriodForm):
    """Period, and for managers a team or an IRO. The IRO is chosen by id (`iro`, as links carry
    it) and shown as a box for part of a name (accounts.iro_picker), never as a list of every IRO:
    the view resolves a typed name to the id before binding and sets `pick` for the page."""

    team = forms.ModelChoiceField(queryset=Team.objects.order_by("name"), required=False, empty_label="All teams")
    iro = forms.ModelChoiceField(
        label="IRO",
        queryset=iro_users(including_left=True),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": NOT_KNOWN},
    )
    pick: IROPick = IROPick()  # the IRO box's state, for managers (set by the view)
    keep: str = ""  # the rest of the filter's query, for the links that choose among several IROs

    def __init__(self, *args: Any, for_manager: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not for_manager:
            del self.fields["team"]
            del self.fields["iro"]


class NarrativeForm(forms.ModelForm[ReportNarrative]):
    class Meta:
        model = ReportNarrative
        fields = NARRATIVE_SECTIONS
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in NARRATIVE_SECTIONS}


class ReportPDFRequestForm(PeriodForm):
    """Ask for a report as a PDF, for the period and filter the report's page shows (hidden fields:
    the page's button sends them). A manager's annual report may be for a team or one IRO."""

    kind = forms.ChoiceField(choices=ReportPDFKind.choices, widget=forms.HiddenInput)
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, widget=forms.HiddenInput)
    iro = forms.ModelChoiceField(
        queryset=iro_users(including_left=True),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": NOT_KNOWN},
    )
