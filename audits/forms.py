from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone

from iro_service import inputs
from iro_service.formerrors import HiddenErrorsShown

from .codes import RATING_LABELS, EscalationOutcome, EscalationStage, EscalationTheme
from .models import DisruptionMeeting, MidwayReview, ParticipantFeedback


class MidwayReviewForm(inputs.BoundedDatesMixin, forms.ModelForm[MidwayReview]):
    class Meta:
        model = MidwayReview
        fields = ["held_on", "note"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {"note": "Midway review of the care plan"}

    def clean_held_on(self) -> date:
        held_on: date = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError("This date is in the future.")
        return held_on


class MonitoringFormForm(inputs.BoundedDatesMixin, forms.Form):
    """Grades for the plans on the scheme in force on the review date."""

    PLANS = (
        ("care_plan_rating", "Care plan"),
        ("placement_plan_rating", "Placement plan"),
        ("health_plan_rating", "Health plan"),
        ("pep_rating", "Personal education plan (PEP)"),
        ("pathway_plan_rating", "Pathway plan (16+)"),
    )

    comments_for_social_worker = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    comments_for_manager = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    shared_on = forms.DateField(
        label="Shared with the social worker and manager on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
    )

    def __init__(self, *args: Any, scheme: str, with_pathway_plan: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Not graded")] + [(str(value), label) for value, label in RATING_LABELS[scheme].items()]
        for name, label in reversed(self.PLANS):
            if name == "pathway_plan_rating" and not with_pathway_plan:
                continue
            self.fields = {
                name: forms.TypedChoiceField(
                    label=label, choices=choices, coerce=int, empty_value=None, required=False
                ),
                **self.fields,
            }
        self.scheme = scheme

    def clean_shared_on(self) -> date | None:
        shared_on: date | None = self.cleaned_data["shared_on"]
        if shared_on and shared_on > timezone.localdate():
            raise forms.ValidationError("This date is in the future.")
        return shared_on

    def ratings(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name, _label in self.PLANS if name in self.fields}

    def comments(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("comments_for_social_worker", "comments_for_manager")}


class EscalationForm(forms.Form):
    theme = forms.ChoiceField(choices=EscalationTheme.choices)
    concern = forms.CharField(label="The concern", widget=forms.Textarea(attrs={"rows": 4}))


class EscalationMoveForm(HiddenErrorsShown, forms.Form):
    to_stage = forms.ChoiceField(label="Move to", choices=EscalationStage.choices)
    reason = forms.CharField(
        label="Reason (needed to bypass a stage)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    changes_seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=10_000)

    def __init__(self, *args: Any, current_stage: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if current_stage in EscalationStage.values:
            # Only the stages after the current one: an escalation moves on, never back or nowhere.
            stages = list(EscalationStage)
            later = stages[stages.index(EscalationStage(current_stage)) + 1 :]
            # The field declared above, as this form's own copy.
            cast(forms.ChoiceField, self.fields["to_stage"]).choices = [(stage.value, stage.label) for stage in later]


class EscalationCloseForm(HiddenErrorsShown, forms.Form):
    outcome = forms.ChoiceField(
        choices=[(EscalationOutcome.RESOLVED, "Resolved"), (EscalationOutcome.WITHDRAWN, "Withdrawn")]
    )
    how = forms.CharField(label="How it was resolved, or why withdrawn", widget=forms.Textarea(attrs={"rows": 2}))
    changes_seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=10_000)


class ParticipantFeedbackForm(inputs.BoundedDatesMixin, forms.ModelForm[ParticipantFeedback]):
    class Meta:
        model = ParticipantFeedback
        fields = ["role", "received_on", "preparation", "venue_suitable", "child_voice_central", "rating", "comments"]
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "rating": forms.Select(choices=[("", "Choose"), *[(n, str(n)) for n in range(1, 6)]]),
            "comments": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_received_on(self) -> date:
        received_on: date = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError("This date is in the future.")
        return received_on


class DisruptionMeetingForm(inputs.BoundedDatesMixin, forms.ModelForm[DisruptionMeeting]):
    class Meta:
        model = DisruptionMeeting
        fields = ["held_on", "placement", "learning_points"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "learning_points": forms.Textarea(attrs={"rows": 5}),
        }

    def clean_held_on(self) -> date:
        held_on: date = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError("This date is in the future.")
        return held_on


class QAReportForm(inputs.PeriodForm):
    """The QA report's period: the shared date range."""
