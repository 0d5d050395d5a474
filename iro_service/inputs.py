"""What a person can type into a query string or a date box, bounded in one place, so that no
filter, form or command meets a date or an id it cannot work with (`?iro=²` once passed
`str.isdigit` and failed `int`; a year 1 or 9999 ran age and month arithmetic out of range)."""

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, cast

from django import forms
from django.core.validators import BaseValidator, MaxValueValidator, MinValueValidator

# Every date anyone enters or filters on lies in these years: far wider than any child's record
# (reg 50 keeps records to the 75th birthday), far inside what date arithmetic can reach.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)

# Primary keys are PostgreSQL bigints; an id is ASCII digits only ('²' and '١٢٣' pass
# str.isdigit but are no id).
MAX_ID = 2**63 - 1
_ID = re.compile(r"[0-9]{1,19}")


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def date_range_message(earliest: date = EARLIEST_DATE, latest: date = LATEST_DATE) -> str:
    return f"Enter a date between {_day(earliest)} and {_day(latest)}."


def date_range_validators(earliest: date = EARLIEST_DATE, latest: date = LATEST_DATE) -> list[BaseValidator]:
    """Validators for a date field: not before `earliest`, not after `latest`, one message."""
    message = date_range_message(earliest, latest)
    return [MinValueValidator(earliest, message), MaxValueValidator(latest, message)]


def date_problem(value: date) -> str | None:
    """Why `value` cannot be used as a date here, or None if it can."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        return date_range_message()
    return None


def bound_dates(form: forms.BaseForm, earliest: date = EARLIEST_DATE, latest: date = LATEST_DATE) -> None:
    """Give every date field of `form` the same range (a form's fields are its own copies)."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField | forms.DateTimeField):
            field.validators.extend(date_range_validators(earliest, latest))


class BoundedDatesMixin:
    """Put first in a form's bases: every date field it has gets the shared range."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_dates(cast(forms.BaseForm, self))  # a mixin of forms only (see above)


class PeriodForm(forms.Form):
    """A period to filter or report on: each date within range, the end not before the start."""

    start = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=date_range_validators(),
    )
    end = forms.DateField(
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=date_range_validators(),
    )

    # Figures are drawn month by month: a period of centuries would build a query of thousands of
    # columns (a slow page anyone could ask for). Ten years covers any report a service needs.
    MAX_YEARS = 10

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError("The end date is before the start date.")
        if start and end and (end - start).days > self.MAX_YEARS * 366:
            raise forms.ValidationError(
                f"Choose a period of at most {self.MAX_YEARS} years: this one runs from {start:%-d %B %Y} "
                f"to {end:%-d %B %Y}."
            )
        return cleaned


def with_default_period(params: Mapping[str, Any], start: date, end: date) -> dict[str, Any]:
    """The query's values with the default period filled in where no date was given, so a link
    with only `?format=pdf` or `?iro=3` still means this report year."""
    data = {key: params.get(key) for key in params}
    for key, value in (("start", start), ("end", end)):
        if not data.get(key):
            data[key] = value.isoformat()
    return data


def query_id(params: Mapping[str, Any], name: str, *, choose: str, everyone: str) -> tuple[int | None, str | None]:
    """The id chosen in `params[name]`, and why it was ignored if it is not an id.

    Blank or absent means no choice (None, None). Anything else that is not ASCII digits within
    a bigint gives (None, a message): `choose` says what to pick, `everyone` what is shown instead.
    """
    raw = params.get(name) or ""
    if not raw:
        return None, None
    if _ID.fullmatch(raw) and 0 < int(raw) <= MAX_ID:
        return int(raw), None
    return None, f"Choose {choose} from the list: the one asked for is not known. Showing {everyone}."


def ids_from(values: Iterable[str]) -> list[int] | None:
    """Ids posted as a list (e.g. checkboxes), or None if any of them is not an id."""
    ids = []
    for value in values:
        if not (_ID.fullmatch(value) and 0 < int(value) <= MAX_ID):
            return None
        ids.append(int(value))
    return ids
