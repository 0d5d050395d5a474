"""The SSDA903 codes a form offers and accepts: this collection year's (children/code_years.py).

A form that records an episode (a new child, a care event) offers only the placement types and
legal statuses of the collection year it is used in, so that a withdrawn code (H5, P2, Z1 from
2025-26) cannot be chosen, and refuses a placement provider where the return takes none. The
import checks a file against the same table, so a record made on screen exports cleanly.
"""

from typing import Any

from django import forms
from django.utils import timezone

from iro_service.formerrors import FormMixin

from .code_years import YearCodes, current_codes


class YearCodesFormMixin(FormMixin):
    """For a form with `placement_type`, and optionally `legal_status` and `placement_provider`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year_codes: YearCodes = current_codes(timezone.localdate())
        self._offer_only("placement_type", self.year_codes.placement_types)
        self._offer_only("legal_status", self.year_codes.legal_statuses)

    def _offer_only(self, name: str, codes: frozenset[str]) -> None:
        # The field's own choices are kept in their order and words (a blank first option, "T4:
        # ..." labels, the adoption subset): only codes outside the year are taken out.
        field = self.fields.get(name)
        if isinstance(field, forms.ChoiceField):
            # Django hands back the choices as a list of pairs; the stubs give the setter's wider types.
            offered: list[tuple[str, str]] = field.choices  # type: ignore[assignment]
            field.choices = [(code, label) for code, label in offered if code == "" or code in codes]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        place, provider = cleaned.get("placement_type"), cleaned.get("placement_provider")
        if place and provider and (broken := self.year_codes.provider_rule(place)):
            number, words = broken
            self.add_error(
                "placement_provider",
                f"Choose 'Not known': a {place} placement has no placement provider in the DfE return "
                f"({self.year_codes.label}, rule {number}: {words})",
            )
        return cleaned
