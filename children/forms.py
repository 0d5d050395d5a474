"""Forms for the child's record. Model rules (clean() and constraints) surface here as
field messages, so bad input is explained, never a server error."""

from collections.abc import Collection
from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.selectors import iro_users
from iro_service.formerrors import HiddenErrorsShown
from iro_service.inputs import BoundedDatesMixin

from .code_fields import YearCodesFormMixin
from .code_years import ALL_PLACEMENT_TYPE_CHOICES
from .codes import CategoryOfNeed, LegalStatus, PlacementProvider
from .models import EPISODE_DETAILS, Child
from .validators import validate_child_id

User = get_user_model()
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A child may be recorded a little before they come into care (a planned admission), never years ahead.
CARE_START_AHEAD = timedelta(days=366)


def _not_in_future(day: date | None, what: str) -> date | None:
    if day and day > timezone.localdate():
        raise forms.ValidationError(f"{what} must be today or in the past.")
    return day


class ChildForm(BoundedDatesMixin, forms.ModelForm[Child]):
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model refuses such an id too; here the form says so before anything else is checked.
        self.fields["local_id"].validators.append(validate_child_id)

    def clean_date_of_birth(self) -> date | None:
        return _not_in_future(self.cleaned_data.get("date_of_birth"), "Date of birth")

    def clean_mother_child_date_of_birth(self) -> date | None:
        return _not_in_future(self.cleaned_data.get("mother_child_date_of_birth"), "The child's date of birth")


class NewChildForm(YearCodesFormMixin, ChildForm):
    """A child coming into care: the child, the start of care and the first placement."""

    looked_after_from = forms.DateField(label="Looked after from", widget=DATE_INPUT)
    # No choice is made for the user: a blank first option, and a clear message if left blank.
    legal_status = forms.ChoiceField(
        label="Legal status",
        choices=[("", "Choose the legal status"), *LegalStatus.choices],
        error_messages={"required": "Choose the legal status."},
    )
    category_of_need = forms.ChoiceField(
        label="Category of need",
        choices=[("", "Choose the category of need"), *CategoryOfNeed.choices],
        error_messages={"required": "Choose the category of need."},
    )
    placement_type = forms.ChoiceField(
        label="Placement",
        choices=[("", "Choose the placement"), *ALL_PLACEMENT_TYPE_CHOICES],  # the year's: YearCodesFormMixin
        error_messages={"required": "Choose the placement."},
    )
    placement_provider = forms.ChoiceField(
        label="Placement provider", choices=[("", "Not known"), *PlacementProvider.choices], required=False
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
        fields = [*ChildForm.Meta.fields, "school", "social_worker", "email"]
        labels = {
            **getattr(ChildForm.Meta, "labels", {}),
            "mother": "Is she a mother herself?",
            "mother_child_date_of_birth": "Her child's date of birth",
        }
        help_texts = {
            **getattr(ChildForm.Meta, "help_texts", {}),
            "mother": "For girls only (recorded in the SSDA903 return).",
            "mother_child_date_of_birth": "Only if she is a mother.",
        }

    def clean_looked_after_from(self) -> date:
        start: date = self.cleaned_data["looked_after_from"]
        latest = timezone.localdate() + CARE_START_AHEAD
        if start > latest:
            raise forms.ValidationError(
                f"Looked after from must be no later than {latest.day} {latest:%B %Y} (a year from today)."
            )
        return start

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, dob = cleaned.get("looked_after_from"), cleaned.get("date_of_birth")
        if start and dob and start < dob:
            self.add_error("looked_after_from", "A child cannot come into care before their date of birth.")
        return cleaned

    def child_details(self) -> dict[str, Any]:
        """The child's record, as children.services.child_create takes it."""
        fields = cast(Collection[str], self._meta.fields)  # the Meta above lists them
        return {name: self.cleaned_data[name] for name in fields}

    def episode_fields(self) -> dict[str, Any]:
        """The first episode's details, as far as this form asks for them."""
        return {name: self.cleaned_data[name] for name in EPISODE_DETAILS if name in self.fields}


class CaseHoldingIROForm(HiddenErrorsShown, BoundedDatesMixin, forms.Form):
    iro = forms.ModelChoiceField(
        label="Case-holding IRO",
        queryset=iro_users(),
    )
    start = forms.DateField(label="From", widget=DATE_INPUT)
    # Who held the child when the page was opened (the IRO's id, or "none"): a handover claims
    # it, so two people reallocating at once cannot silently undo each other.
    held_by_when_opened = forms.RegexField(
        regex=r"^(none|[0-9]{1,18})$",
        widget=forms.HiddenInput,
        error_messages={"required": "This page is out of date: open it again.", "invalid": "This page is out of date."},
    )

    reason = forms.CharField(
        label="Reason for the change (optional)",
        max_length=300,
        required=False,
        help_text="For example: the IRO left the service, or a conflict of interest.",
    )

    def __init__(self, *args: Any, reassigning: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A reason is asked only when the child already has an IRO: a first allocation needs none.
        if not reassigning:
            del self.fields["reason"]

    def reason_given(self) -> str:
        reason: str = self.cleaned_data.get("reason", "")
        return reason

    def held_by_claim(self) -> int | None:
        value = self.cleaned_data["held_by_when_opened"]
        return None if value == "none" else int(value)
