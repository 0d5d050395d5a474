from crispy_forms.helper import FormHelper
from django import forms

from .codes import ReviewStatus
from .models import Decision, Review

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReviewHeldForm(forms.ModelForm):
    """What the chair records when a review has been held."""

    class Meta:
        model = Review
        fields = ["held_on", "participation_code", "parents_participated", "child_visited_on"]
        widgets = {"held_on": DATE_INPUT, "child_visited_on": DATE_INPUT}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].required = True
        self.fields["participation_code"].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict:
        cleaned = super().clean()
        # The model's rules for a held review (date, code for the child's age) apply from here.
        self.instance.status = ReviewStatus.HELD
        return cleaned


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["text", "owner", "deadline"]
        widgets = {"deadline": DATE_INPUT}
