"""Forms for the care events (reviews/care_events.py). Each checks what a form can; the service
checks the rest against the child's record (dates in the period, after the current episode, a
different placement or status) and its refusals are shown against the same fields."""

from collections.abc import Iterable
from typing import Any

from django import forms

from children.code_fields import YearCodesFormMixin
from children.code_years import ALL_PLACEMENT_TYPE_CHOICES
from children.codes import (
    ADOPTION_PLACEMENTS,
    EPISODE_CONTINUES,
    CategoryOfNeed,
    LegalStatus,
    PlacementProvider,
    ReasonEpisodeCeased,
    ReasonNewEpisode,
    ReasonPlaceChange,
)
from children.models import EPISODE_DETAILS
from iro_service.inputs import BoundedDatesMixin

from .care_event_models import EarlyReviewChoice

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})

# Every code any year has: YearCodesFormMixin offers only the year's.
NON_ADOPTION_PLACEMENTS = [choice for choice in ALL_PLACEMENT_TYPE_CHOICES if choice[0] not in ADOPTION_PLACEMENTS]
ADOPTION_PLACEMENT_CHOICES = [choice for choice in ALL_PLACEMENT_TYPE_CHOICES if choice[0] in ADOPTION_PLACEMENTS]


def _rne_choices(*codes: str) -> list[tuple[str, str]]:
    return [(code, f"{code}: {label}") for code, label in ReasonNewEpisode.choices if code in codes]


def _coded(choices: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(code, f"{code}: {label}") for code, label in choices]


def _postcode() -> forms.CharField:
    return forms.CharField(label="Placement postcode", max_length=8, required=False)


class BasePlacementForm(YearCodesFormMixin, forms.Form):
    placement_type = forms.ChoiceField(label="New placement (PLACE)", choices=_coded(NON_ADOPTION_PLACEMENTS))
    placement_provider = forms.ChoiceField(
        label="Placement provider", choices=[("", "Not known"), *_coded(PlacementProvider.choices)], required=False
    )
    placement_postcode = _postcode()
    urn = forms.CharField(label="URN (Ofsted unique reference number)", max_length=10, required=False)
    reason_place_change = forms.ChoiceField(
        label="Reason for the placement change", choices=[("", "Choose a reason"), *_coded(ReasonPlaceChange.choices)]
    )


SIGNIFICANT = forms.BooleanField(
    label="This is a significant change to the care plan (reg 32(2))",
    required=False,
    help_text="A review considers a significant change first, unless that is not reasonably practicable.",
)


class PlacementChangeForm(BoundedDatesMixin, BasePlacementForm):
    start = forms.DateField(label="Date of the move", widget=DATE_INPUT)
    reason_new_episode = forms.ChoiceField(
        label="Carers",
        choices=_rne_choices(ReasonNewEpisode.PLACEMENT_AND_CARER, ReasonNewEpisode.PLACEMENT_SAME_CARER),
        widget=forms.RadioSelect,
    )
    significant_change = SIGNIFICANT

    field_order = ["start", "reason_new_episode", "placement_type", "placement_provider", "placement_postcode", "urn",
                   "reason_place_change", "significant_change"]  # fmt: skip


class LegalStatusChangeForm(BoundedDatesMixin, YearCodesFormMixin, forms.Form):
    start = forms.DateField(label="Date the new legal status began", widget=DATE_INPUT)
    legal_status = forms.ChoiceField(label="New legal status (LS)", choices=_coded(LegalStatus.choices))
    significant_change = SIGNIFICANT


class PlacementAndLegalStatusForm(BoundedDatesMixin, BasePlacementForm):
    start = forms.DateField(label="Date of the change", widget=DATE_INPUT)
    reason_new_episode = forms.ChoiceField(
        label="Carers",
        choices=_rne_choices(
            ReasonNewEpisode.LEGAL_STATUS_PLACEMENT_AND_CARER, ReasonNewEpisode.LEGAL_STATUS_PLACEMENT_SAME_CARER
        ),
        widget=forms.RadioSelect,
    )
    legal_status = forms.ChoiceField(label="New legal status (LS)", choices=_coded(LegalStatus.choices))
    significant_change = SIGNIFICANT

    field_order = ["start", "reason_new_episode", "legal_status", "placement_type", "placement_provider",
                   "placement_postcode", "urn", "reason_place_change", "significant_change"]  # fmt: skip


class AdoptionPlacementForm(BoundedDatesMixin, YearCodesFormMixin, forms.Form):
    placed_on = forms.DateField(label="Date placed for adoption", widget=DATE_INPUT)
    placement_type = forms.ChoiceField(
        label="Placement for adoption (PLACE)", choices=_coded(ADOPTION_PLACEMENT_CHOICES), widget=forms.RadioSelect
    )
    legal_status = forms.ChoiceField(
        label="Legal status from that day (LS)",
        choices=[("", "Unchanged"), *_coded(LegalStatus.choices)],
        required=False,
        help_text="Only if it changes the same day, for example a placement order (E1).",
    )
    placement_provider = forms.ChoiceField(
        label="Placement provider", choices=[("", "Not known"), *_coded(PlacementProvider.choices)], required=False
    )
    placement_postcode = _postcode()
    urn = forms.CharField(label="URN (adoption agency, if known)", max_length=10, required=False)


class LeaveCareForm(BoundedDatesMixin, forms.Form):
    end = forms.DateField(label="Date care ended", widget=DATE_INPUT)
    reason_ended = forms.ChoiceField(
        label="Reason care ended (REC)",
        choices=[
            ("", "Choose a reason"),
            *_coded([(code, label) for code, label in ReasonEpisodeCeased.choices if code != EPISODE_CONTINUES]),
        ],
    )
    early_review_choice = forms.ChoiceField(
        label="Has a review considered this?",
        choices=[
            (EarlyReviewChoice.ALREADY_REVIEWED, "Yes: a review has considered the plan for care to end"),
            (EarlyReviewChoice.NONE, "No, and there will not be one before care ends"),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    no_early_review_reason = forms.CharField(label="Why not", widget=TEXTAREA, required=False, max_length=2000)


class ReturnToCareForm(BoundedDatesMixin, YearCodesFormMixin, forms.Form):
    start = forms.DateField(label="Looked after again from", widget=DATE_INPUT)
    legal_status = forms.ChoiceField(label="Legal status (LS)", choices=_coded(LegalStatus.choices))
    category_of_need = forms.ChoiceField(label="Category of need (CIN)", choices=_coded(CategoryOfNeed.choices))
    placement_type = forms.ChoiceField(label="Placement (PLACE)", choices=_coded(ALL_PLACEMENT_TYPE_CHOICES))
    placement_provider = forms.ChoiceField(
        label="Placement provider", choices=[("", "Not known"), *_coded(PlacementProvider.choices)], required=False
    )
    home_postcode = forms.CharField(label="Home postcode", max_length=8, required=False)
    placement_postcode = _postcode()
    urn = forms.CharField(label="URN (Ofsted unique reference number)", max_length=10, required=False)

    def episode_fields(self) -> dict[str, Any]:
        """The first episode's details, as far as this form asks for them."""
        return {name: self.cleaned_data[name] for name in EPISODE_DETAILS if name in self.fields}


class EarlyReviewChoiceForm(forms.Form):
    choice = forms.ChoiceField(
        label="Early review",
        choices=[("book", "Book an early review"), ("none", "No early review")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to book an early review."},
    )
    no_early_review_reason = forms.CharField(
        label="Why no early review", widget=TEXTAREA, required=False, max_length=2000
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("choice") == "none" and not cleaned.get("no_early_review_reason", "").strip():
            self.add_error("no_early_review_reason", "Say why no early review is needed.")
        return cleaned
