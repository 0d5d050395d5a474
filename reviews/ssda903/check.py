"""The SSDA903 rules: pure functions from records (and the year's code lists) to problem lines,
`file:line: column: message`. No database, no clock, no files; reviews.ssda903.plan applies them
as it builds the plan, and says which child each problem refuses.

Per row (`row_problems`, as each row is read): NUL characters, CHILD ids, dates, the code lists
that are the same in every year, free text. Across rows and files, against the code lists of the
collection year (children.code_years): SEX (rule 101), LS and PLACE (rules 144, 146, 178, 213,
371), episodes that overlap or break a period of care, reviews outside care.
"""

import itertools
from collections.abc import Iterator
from datetime import date
from re import compile as regex

from django.db.models import CharField, Model, TextChoices

from children.ages import age_on
from children.code_years import (
    ALL_PLACEMENT_TYPE_CHOICES,
    RULE_144,
    RULE_146,
    YearCodes,
    codes_for_year,
    collection_year_label,
    collection_year_of,
    years_with_placement,
)
from children.codes import (
    EPISODE_CONTINUES,
    CategoryOfNeed,
    Ethnicity,
    LegalStatus,
    Mother,
    PlacementProvider,
    ReasonEpisodeCeased,
    ReasonNewEpisode,
    ReasonPlaceChange,
    Sex,
)
from children.models import Child, Episode
from children.validators import child_id_problem

from ..codes import ParticipationCode, participation_code_problem
from .problems import rule, show
from .records import DATES, TABLES, EpisodeRecord, HeaderRecord, Record, ReviewRecord, checked_date

# (column, code list, may be blank): the lists that are the same in every collection year. SEX,
# LS and PLACE are checked against the file's year once every row is read.
_CODES: dict[str, list[tuple[str, type[TextChoices], bool]]] = {
    "header": [("ETHNIC", Ethnicity, False), ("MOTHER", Mother, True)],
    "episodes": [
        ("RNE", ReasonNewEpisode, False), ("CIN", CategoryOfNeed, False),
        ("PLACE_PROVIDER", PlacementProvider, True),
        ("REC", ReasonEpisodeCeased, True), ("REASON_PLACE_CHANGE", ReasonPlaceChange, True),
    ],
    "reviews": [("REVIEW_CODE", ParticipationCode, False)],
}  # fmt: skip
_EVERY_PLACEMENT_TYPE = frozenset(code for code, _ in ALL_PLACEMENT_TYPE_CHOICES)
# Free-text columns: (column, the model field's length). Letters, digits and spaces only, so
# that no value can become a spreadsheet formula or markup in an export.


def _max_length(model: type[Model], name: str) -> int:
    field = model._meta.get_field(name)
    if not isinstance(field, CharField) or field.max_length is None:
        raise TypeError(f"{model.__name__}.{name} is not a CharField with a max_length")
    return field.max_length


_TEXT: dict[str, list[tuple[str, int]]] = {
    "header": [("UPN", _max_length(Child, "upn"))],
    "episodes": [
        ("HOME_POST", _max_length(Episode, "home_postcode")),
        ("PL_POST", _max_length(Episode, "placement_postcode")),
        ("URN", _max_length(Episode, "urn")),
    ],
    "reviews": [],
}
_PLAIN_TEXT = regex(r"[A-Za-z0-9 ]*")


# --- Each row, as it is read -------------------------------------------------------------


def row_problems(record: Record, bad_dates: dict[str, str]) -> Iterator[str]:
    """The rules a row keeps on its own. `bad_dates`: why each date given is not one (parse)."""
    unreadable = [column for column, value in zip(TABLES[record.table], record.cells, strict=True) if "\x00" in value]
    for column in unreadable:
        yield f"{record.where(column)}: contains a NUL character (byte 0), which no SSDA903 value has"
    if "CHILD" not in unreadable and (problem := child_id_problem(record.child)):
        yield f"{record.where('CHILD')}: {show(record.child)}: {problem}"
    yield from _date_problems(record, bad_dates, unreadable)
    yield from _code_problems(record, unreadable)
    yield from _text_problems(record, unreadable)


def _date_problems(record: Record, bad_dates: dict[str, str], unreadable: list[str]) -> Iterator[str]:
    for column, optional in DATES[record.table]:
        raw = record[column]
        if column in unreadable:
            continue
        if not raw and not optional:
            yield f"{record.where(column)}: a date is required (DD/MM/YYYY)"
        elif column in bad_dates:
            yield f"{record.where(column)}: {show(raw)} {bad_dates[column]}"


def _code_problems(record: Record, unreadable: list[str]) -> Iterator[str]:
    for column, codes, optional in _CODES[record.table]:
        raw = record[column]
        if column in unreadable or (not raw and optional):
            continue
        if raw not in codes.values:
            yield f"{record.where(column)}: {show(raw)} is not a {column} code"


def _text_problems(record: Record, unreadable: list[str]) -> Iterator[str]:
    for column, max_length in _TEXT[record.table]:
        raw = record[column]
        if column in unreadable:
            continue
        if len(raw) > max_length:
            yield f"{record.where(column)}: {show(raw)} is longer than {max_length} characters"
        elif not _PLAIN_TEXT.fullmatch(raw):
            yield f"{record.where(column)}: {show(raw)} may hold only letters, digits and spaces"


# --- Across rows and files ---------------------------------------------------------------


def not_in_header(row: EpisodeRecord | ReviewRecord) -> Iterator[str]:
    """An episode or review of a child the header does not hold (a bad CHILD is reported already)."""
    if not child_id_problem(row.child):
        yield f"{row.where('CHILD')}: child {row.child} is not in the header file"


def twice_in_header(row: HeaderRecord) -> str:
    return f"{row.where('CHILD')}: child {row.child} appears twice in the header"


def header_problems(row: HeaderRecord, codes: YearCodes) -> Iterator[str]:
    """SEX against the year's coding (rule 101); MOTHER for girls only."""
    sex = row.sex
    if "\x00" not in sex and codes.stored_sex(sex) is None:  # a NUL was reported as the row was read
        coding = "1 (male) or 2 (female)" if "1" in codes.sex else "M, F or U"
        yield (f"{row.where('SEX')}: SEX is {show(sex)}, but in {codes.label} SEX is {coding} "
               f"({rule('101', codes.sex_rule)})")  # fmt: skip
    if row.mother and row.stored_sex(codes) != Sex.FEMALE:
        yield f"{row.where('MOTHER')}: MOTHER is only given for girls"


def episode_problems(row: EpisodeRecord, date_of_birth: date | None, *, year: int, year_chosen: bool) -> Iterator[str]:
    """An episode's own dates and reason, and its codes in the year it was last open in."""
    start, end = row.start, row.end
    if start and end and end < start:
        yield f"{row.where('DEC')}: the episode ends before it starts ({row['DECOM']})"
    if end and not row.reason_ended:
        yield f"{row.where('REC')}: an episode with an end date (DEC) needs a reason (REC)"
    if row.reason_ended and not end and not row["DEC"]:
        yield f"{row.where('DEC')}: a reason the episode ceased (REC) needs an end date (DEC)"
    if start and date_of_birth and start < date_of_birth:
        yield f"{row.where('DECOM')}: the episode starts before the child's date of birth"
    # An episode that ended in an earlier year (a history file) is checked against that year.
    codes = codes_for_year(min(collection_year_of(end), year) if end else year)
    yield from _legal_status_problems(row, codes)
    yield from _placement_problems(row, codes, date_of_birth)
    if year_chosen:
        yield from within_year_problems(row, ("DECOM", "DEC"), year)


def _legal_status_problems(row: EpisodeRecord, codes: YearCodes) -> Iterator[str]:
    """LS against the lists of the year (rule 144)."""
    legal_status = row.legal_status
    if "\x00" in legal_status or legal_status in codes.legal_statuses:
        return
    if legal_status in LegalStatus.values:
        yield f"{row.where('LS')}: {show(legal_status)} is not a LS code in {codes.label} ({rule('144', RULE_144)})"
    else:
        yield f"{row.where('LS')}: {show(legal_status)} is not a LS code"


def _placement_problems(row: EpisodeRecord, codes: YearCodes, date_of_birth: date | None) -> Iterator[str]:
    """PLACE against the lists of the year; rules 146, 178, 213 and 371."""
    place, provider = row.placement_type, row.placement_provider
    if "\x00" in place:
        return
    if place not in codes.placement_types:
        yield _unknown_placement(row, codes)
        return
    if provider and (broken := codes.provider_rule(place)):
        yield (
            f"{row.where('PLACE_PROVIDER')}: PLACE_PROVIDER is {show(provider)}, but in {codes.label} PLACE {place} "
            f"takes no provider ({rule(*broken)})"
        )
    start = row.start
    if place == codes.placement_from_16 and start and date_of_birth and start >= date_of_birth:
        age = age_on(date_of_birth, start)
        if age < 16:
            yield (
                f"{row.where('DECOM')}: PLACE is {place} from {row['DECOM']}, but the child was {age} then: "
                f"{place} is only from the 16th birthday ({rule('371', codes.placement_from_16_rule)})"
            )


def _unknown_placement(row: EpisodeRecord, codes: YearCodes) -> str:
    place = row.placement_type
    if place not in _EVERY_PLACEMENT_TYPE:
        return f"{row.where('PLACE')}: {show(place)} is not a PLACE code"
    years = years_with_placement(place)
    span = collection_year_label(years[0])
    if len(years) > 1:
        span += f" to {collection_year_label(years[-1])}"
    return (
        f"{row.where('PLACE')}: PLACE is {place}, but {place} is not a placement code in {codes.label} "
        f"({rule('146', RULE_146)}); {place} is a code for {span}"
    )


def within_year_problems(row: Record, columns: tuple[str, ...], year: int) -> Iterator[str]:
    """A file imported for a chosen year holds no date after the year's 31 March."""
    year_end = date(year, 3, 31)
    for column in columns:
        day = row.date(column)
        if day and day > year_end:
            yield (
                f"{row.where(column)}: {row[column]} is after 31/03/{year}, the end of the collection year "
                f"{collection_year_label(year)} chosen for these files"
            )


def overlap_problems(rows: list[EpisodeRecord]) -> Iterator[str]:
    """A child's episodes (in order of DECOM) never overlap."""
    for earlier, later in itertools.pairwise(rows):
        if earlier.end is None or earlier.end > checked_date(later.start):
            yield (
                f"{later.where('DECOM')}: this episode overlaps the one starting {earlier['DECOM']} "
                f"({earlier.file}:{earlier.line})"
            )


def continues_ended_care(row: EpisodeRecord, before: EpisodeRecord) -> str | None:
    """An episode that continues a period (RNE other than S) after one that ended care."""
    if before.reason_ended in ("", EPISODE_CONTINUES):
        return None
    return (
        f"{row.where('RNE')}: RNE {row.reason_new_episode} continues a period of care, but the episode "
        f"before it ended care (REC {before.reason_ended}); a new period needs RNE S"
    )


def period_end_problem(last: EpisodeRecord, *, final: bool) -> str | None:
    """X1 (the last episode of a period ended, a new episode follows) where none does in the period."""
    if not last.end or last.reason_ended != EPISODE_CONTINUES:
        return None
    if final:
        return f"{last.where('REC')}: X1 says a new episode follows, but none does"
    return f"{last.where('REC')}: X1 says care continues, but the next episode starts a new period (RNE S)"


def review_problems(row: ReviewRecord, header: HeaderRecord, *, year: int, year_chosen: bool) -> Iterator[str]:
    """A review's date of birth as the header's, within the year, and its participation code for
    the child's age on the day (the period it falls in is the plan's to find)."""
    header_dob, review_dob, held_on = header.date_of_birth, row.date_of_birth, row.held_on
    if header_dob and review_dob and header_dob != review_dob:
        yield f"{row.where('DOB')}: {row['DOB']} differs from the header's date of birth ({header['DOB']})"
    if year_chosen:
        yield from within_year_problems(row, ("REVIEW",), year)
    if not (header_dob and held_on):
        return
    if held_on < header_dob:
        yield f"{row.where('REVIEW')}: the review is before the child's date of birth"
        return
    problem = participation_code_problem(row.participation_code, date_of_birth=header_dob, on=held_on)
    if problem and row.participation_code in ParticipationCode.values:
        yield f"{row.where('REVIEW_CODE')}: {problem}"


def review_has_date(row: ReviewRecord, header: HeaderRecord) -> bool:
    """Whether the review can be placed in a period: held on a date, not before the child's birth."""
    return bool(header.date_of_birth and row.held_on and row.held_on >= header.date_of_birth)


def not_looked_after(row: ReviewRecord) -> str:
    return f"{row.where('REVIEW')}: the child was not looked after on {row['REVIEW']}"


def second_review_that_day(row: ReviewRecord) -> str:
    return f"{row.where('REVIEW')}: a second review for this child on the same day"
