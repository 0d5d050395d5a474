"""SSDA903 code lists by collection year: one table, read by the import, the export and the forms.

The DfE changes some lists from one collection year to the next (docs/domain.md, "Code lists
by collection year"): a file is checked against the lists of the year it belongs to, and a code the database
holds from an earlier year still shows and exports for that year. Years are keyed as the export's
`--year` is: 2025 is the collection year April 2024 to March 2025 ("2024-25").

What changes, as the Data to Insight validator (csc-validator-be-903 0.1.17) checks each year:
- SEX (rule 101): 1 (male) / 2 (female) until 2023-24; M / F / U from 2024-25. Stored as M/F/U.
- PLACE (rule 146): K3 (registered supported accommodation) from 2024-25; H5, P2 and Z1 withdrawn
  and Z11-Z14 added for 2025-26.
- PLACE_PROVIDER: rule 178 says it is not given for T0-T4 and Z1 until 2024-25, and from 2025-26
  for T0-T3 and Z11-Z14; rule 213 says it is not given for T0-T4, and from 2025-26 for Z11-Z14 too.
  In 2025-26 the two disagree on T4: 178 no longer lists it, 213 still does. A provider on a T4
  fails 213 and none fails neither, so T4 takes no provider in every year (213 is the rule quoted).
  No rule in any year makes a provider compulsory: a blank provider is "not known".
- Rule 371 (from 16 only): H5 until 2023-24, K3 from 2024-25.
Legal statuses (rule 144) have not changed in these years; they are in the table all the same, so
that a change is one line here.
"""

from dataclasses import dataclass
from datetime import date

from .codes import LegalStatus, PlacementType, Sex, WithdrawnPlacementType


@dataclass(frozen=True)
class YearCodes:
    year: int  # the year the collection ends (31 March)
    sex: dict[str, str]  # SEX as the year's files code it -> as stored (children.codes.Sex)
    sex_rule: str  # rule 101's words that year
    legal_statuses: frozenset[str]
    placement_types: frozenset[str]
    placements_without_provider: frozenset[str]  # rules 178 and 213: PLACE_PROVIDER is not given
    provider_rule_213: frozenset[str]  # those of them rule 213 lists (the rest are rule 178's alone)
    placement_from_16: str  # rule 371: this placement only from the 16th birthday
    placement_from_16_rule: str  # rule 371's words that year
    # SEX in the coding used since 2024-25 (M/F/U), also accepted in an earlier year's file: a
    # system re-exporting an older year writes today's coding, and M/F/U cannot be misread.
    later_sex: dict[str, str]

    @property
    def label(self) -> str:
        return collection_year_label(self.year)

    def stored_sex(self, code: str) -> str | None:
        """A SEX code in a file of this year as stored (M/F/U), or None if the year has no such code."""
        return self.sex.get(code) or self.later_sex.get(code)

    def provider_rule(self, place: str) -> tuple[str, str] | None:
        """The DfE rule (number, words) a provider given for this placement breaks, or None."""
        if place not in self.placements_without_provider:
            return None
        return ("213", RULE_213) if place in self.provider_rule_213 else ("178", RULE_178)

    def exported_sex(self, stored: str) -> str:
        """A stored SEX (M/F/U) as this year's files code it (U has no code before 2024-25: kept)."""
        return next((code for code, value in self.sex.items() if value == stored), stored)


RULE_101_OLD = "Gender code is not valid."
RULE_101 = "The child or young person's reported sex is not valid."
RULE_144 = "The legal status code is not a valid code."
RULE_146 = "Placement type code is not a valid code."
RULE_178 = "Placement provider code is not a valid code."
RULE_213 = "Placement provider information not required."
RULE_371_H5 = (
    "Child in semi-independent living accommodation not subject to children's homes regulations should be at least 16."
)
RULE_371_K3 = "Child in supported accommodation not subject to children's homes regulations should be at least 16."

_LEGAL_STATUSES = frozenset(LegalStatus.values)
_PLACES_TO_2024 = frozenset(
    {"A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1"}
    | {"T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1"}
)
_PLACES_2025 = _PLACES_TO_2024 | {"K3"}
_PLACES_FROM_2026 = (_PLACES_2025 - {"H5", "P2", "Z1"}) | {"Z11", "Z12", "Z13", "Z14"}
_OLD_SEX = {"1": Sex.MALE.value, "2": Sex.FEMALE.value}
_SEX = {Sex.MALE.value: Sex.MALE.value, Sex.FEMALE.value: Sex.FEMALE.value, Sex.UNKNOWN.value: Sex.UNKNOWN.value}
_213_TO_2025 = frozenset({"T0", "T1", "T2", "T3", "T4"})
_213_FROM_2026 = _213_TO_2025 | {"Z11", "Z12", "Z13", "Z14"}
_NO_PROVIDER_TO_2025 = _213_TO_2025 | {"Z1"}  # rule 178 adds Z1
_NO_PROVIDER_FROM_2026 = _213_FROM_2026  # rule 178's list is within 213's


def _year(
    year: int,
    sex: dict[str, str],
    sex_rule: str,
    placements: frozenset[str],
    without: frozenset[str],
    rule_213: frozenset[str],
    from_16: str,
    from_16_rule: str,
) -> YearCodes:
    later_sex = _SEX if sex is _OLD_SEX else {}
    return YearCodes(
        year, sex, sex_rule, _LEGAL_STATUSES, placements, without, rule_213, from_16, from_16_rule, later_sex
    )


CODES_BY_YEAR: dict[int, YearCodes] = {
    2023: _year(2023, _OLD_SEX, RULE_101_OLD, _PLACES_TO_2024, _NO_PROVIDER_TO_2025, _213_TO_2025, "H5", RULE_371_H5),
    2024: _year(2024, _OLD_SEX, RULE_101_OLD, _PLACES_TO_2024, _NO_PROVIDER_TO_2025, _213_TO_2025, "H5", RULE_371_H5),
    2025: _year(2025, _SEX, RULE_101, _PLACES_2025, _NO_PROVIDER_TO_2025, _213_TO_2025, "K3", RULE_371_K3),
    2026: _year(2026, _SEX, RULE_101, _PLACES_FROM_2026, _NO_PROVIDER_FROM_2026, _213_FROM_2026, "K3", RULE_371_K3),
    2027: _year(2027, _SEX, RULE_101, _PLACES_FROM_2026, _NO_PROVIDER_FROM_2026, _213_FROM_2026, "K3", RULE_371_K3),
}
FIRST_YEAR, LAST_YEAR = min(CODES_BY_YEAR), max(CODES_BY_YEAR)

# Every placement code any year accepts, with its words: the model's choices, so that a code held
# from an earlier year still displays (forms offer only the current year's: children/code_fields.py).
ALL_PLACEMENT_TYPE_CHOICES = PlacementType.choices + WithdrawnPlacementType.choices


def years_with_placement(code: str) -> list[int]:
    """The collection years whose list holds a placement code."""
    return [year for year, codes in CODES_BY_YEAR.items() if code in codes.placement_types]


def collection_year_label(year: int) -> str:
    """2025 -> "2024-25"."""
    return f"{year - 1}-{year % 100:02d}"


def collection_year_of(day: date) -> int:
    """The collection year a day falls in: 1 April 2024 to 31 March 2025 is 2025."""
    return day.year + 1 if day.month >= 4 else day.year


def codes_for_year(year: int) -> YearCodes:
    """The year's lists; a year after the table has the latest lists, one before it the earliest."""
    return CODES_BY_YEAR[min(max(year, FIRST_YEAR), LAST_YEAR)]


def current_codes(today: date) -> YearCodes:
    return codes_for_year(collection_year_of(today))
