"""SSDA903 (the DfE "children looked after" return): reading, checking, importing, exporting.

Import is all or nothing by default: every file is read and every row checked first; any problem
is reported as `file:line: column: message` (the first 1,000, then how many more) and nothing is
written. With `valid_children_only`, every child whose rows are all valid is imported (in one
transaction) and each refused child is listed with its problems; a problem that names no child
(a file that cannot be read, a table missing) still refuses the whole import.

Files are checked against the code lists of their collection year (children.code_years): the year
chosen, or else the year of the latest DECOM, DEC or REVIEW date in the files. Each episode is
checked against the year it was last open in (a history file holds earlier years' episodes).
What the database holds for that year and the files no longer mention is listed, never deleted.

Then, in one transaction, children are created or updated by CHILD, periods of care by (child,
start), episodes by (period, DECOM) and held reviews by (child, REVIEW date); running the same
files again changes nothing. Periods follow DOMAIN.md: RNE S starts one, L/P/T/B/U continue
it (also a period already held, when a file begins in the middle of it). Each imported review's
due date and place in its period come from reviews.timescales.

Bounded: a file over `IRO_SSDA903_MAX_BYTES` is refused before it is read; files are read a row
at a time and each row is kept as a small tuple of shared strings; the database is read and
written a batch of children at a time; the export streams rows from a server-side cursor.
"""

import csv
import io
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.utils import timezone

from children.ages import age_on
from children.code_years import (
    ALL_PLACEMENT_TYPE_CHOICES,
    LAST_YEAR,
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
    SHORT_BREAK_LEGAL_STATUSES,
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
from children.models import Child, Episode, PeriodOfCare
from children.postcodes import distances_in_miles
from children.validators import CHILD_ID_MAX_LENGTH, child_id_problem
from iro_service.bulk import BulkInserter

from .codes import (
    OUTSTANDING_STATUSES,
    ParticipationCode,
    ReviewSequence,
    ReviewStatus,
    participation_code_problem,
)
from .models import Review
from .services import sequence_for
from .timescales import Spell, minutes_due, outcomes_due, review_due_series

HEADER = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODES = [
    "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
    "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
]  # fmt: skip
REVIEWS = ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"]
TABLES = {"header": HEADER, "episodes": EPISODES, "reviews": REVIEWS}
DATE_FORMAT = "%d/%m/%Y"

# Dates outside these years are refused: no child in care was born before 1900, and the clock
# adds months and working days to every date (31/12/9999 would overflow it).
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2100, 12, 31)
# The problems listed; the rest are counted ("... and 5,499,000 more problems").
MAX_PROBLEMS_LISTED = 1000
# Children read and written per round trip to the database (bounds memory on a re-import).
CHILDREN_PER_BATCH = 2000
# A refused child's problems listed in the report (the rest are counted).
PROBLEMS_LISTED_PER_CHILD = 50
# Records held that the files no longer mention: the first listed, the rest counted.
MAX_UNMENTIONED_LISTED = 1000

# (column, code list, may be blank): the lists that are the same in every collection year. SEX,
# LS and PLACE are checked against the file's year once every row is read (check()).
_CODES = {
    "header": [("ETHNIC", Ethnicity, False), ("MOTHER", Mother, True)],
    "episodes": [
        ("RNE", ReasonNewEpisode, False), ("CIN", CategoryOfNeed, False),
        ("PLACE_PROVIDER", PlacementProvider, True),
        ("REC", ReasonEpisodeCeased, True), ("REASON_PLACE_CHANGE", ReasonPlaceChange, True),
    ],
    "reviews": [("REVIEW_CODE", ParticipationCode, False)],
}  # fmt: skip
_EVERY_PLACEMENT_TYPE = frozenset(code for code, _ in ALL_PLACEMENT_TYPE_CHOICES)
# The dates that say which collection year a file belongs to (its latest).
_ACTIVITY_DATES = {"header": (), "episodes": ("DECOM", "DEC"), "reviews": ("REVIEW",)}
_DATES = {"header": [("DOB", False), ("MC_DOB", True)], "episodes": [("DECOM", False), ("DEC", True)],
          "reviews": [("DOB", False), ("REVIEW", False)]}  # fmt: skip
# Free-text columns: (column, the model field's length). Letters, digits and spaces only, so
# that no value can become a spreadsheet formula or markup in an export.
_TEXT = {
    "header": [("UPN", Child._meta.get_field("upn").max_length)],
    "episodes": [
        ("HOME_POST", Episode._meta.get_field("home_postcode").max_length),
        ("PL_POST", Episode._meta.get_field("placement_postcode").max_length),
        ("URN", Episode._meta.get_field("urn").max_length),
    ],
    "reviews": [],
}
_PLAIN_TEXT = re.compile(r"[A-Za-z0-9 ]*")
_COLUMN = {table: {column: index for index, column in enumerate(columns)} for table, columns in TABLES.items()}
_DATE_COLUMN = {table: {column: index for index, (column, _) in enumerate(dates)} for table, dates in _DATES.items()}


def max_file_bytes() -> int:
    """The largest SSDA903 file accepted (setting IRO_SSDA903_MAX_BYTES)."""
    return settings.IRO_SSDA903_MAX_BYTES


def describe_size(size: int) -> str:
    """A file size as the limit messages give it: "312 bytes", "31.4 MB"."""
    return f"{size:,} bytes" if size < 1_000_000 else f"{size / 1_000_000:,.1f} MB"


def _show(raw: str, limit: int = 40) -> str:
    """A value as a problem line quotes it: never more than `limit` characters."""
    return repr(raw) if len(raw) <= limit else f"{raw[:limit]!r}… ({len(raw):,} characters)"


class Problems:
    """Problem lines, keeping the first MAX_PROBLEMS_LISTED and counting the rest. With `by_child`
    (the valid-children-only mode), each child's problems are kept too, and those naming no child
    are counted apart: they refuse the whole import."""

    def __init__(self, limit: int = MAX_PROBLEMS_LISTED, *, by_child: bool = False) -> None:
        self.limit = limit
        self.listed: list[str] = []
        self.count = 0
        self.by_child: dict[str, list[str]] | None = {} if by_child else None
        self.child_counts: dict[str, int] = defaultdict(int)
        self.general_count = 0

    def add(self, problem: str, child: str | None = None) -> None:
        self.count += 1
        if len(self.listed) < self.limit:
            self.listed.append(problem)
        if self.by_child is None:
            return
        if child is None:
            self.general_count += 1
            return
        self.child_counts[child] += 1
        listed = self.by_child.setdefault(child, [])
        if len(listed) < PROBLEMS_LISTED_PER_CHILD:
            listed.append(problem)

    def refused_children(self) -> dict[str, list[str]]:
        """Each child with problems, and its problems (the first 50, then how many more)."""
        refused = {}
        for child, listed in (self.by_child or {}).items():
            more = self.child_counts[child] - len(listed)
            refused[child] = listed + ([f"… and {more:,} more problem{'s' if more != 1 else ''}"] if more else [])
        return refused

    def __bool__(self) -> bool:
        return self.count > 0

    def lines(self) -> list[str]:
        more = self.count - len(self.listed)
        return self.listed + ([f"… and {more:,} more problem{'s' if more != 1 else ''}"] if more else [])


class ImportProblems(Exception):
    """Raised with the problem lines (the first 1,000 and a count of the rest); nothing was written."""

    def __init__(self, problems: list[str], count: int | None = None) -> None:
        self.count = len(problems) if count is None else count
        super().__init__(f"{self.count} problem(s)")
        self.problems = problems
        self.refused: dict[str, list[str]] | None = None  # by child, when a pass of apply_plan refuses some

    @classmethod
    def from_problems(cls, problems: Problems) -> "ImportProblems":
        return cls(problems.lines(), problems.count)


class Row:
    """One data row, small: the cells as a tuple of shared strings, the dates parsed once."""

    __slots__ = ("cells", "dates", "file", "line", "table")

    def __init__(self, table: str, file: str, line: int, cells: tuple[str, ...]) -> None:
        self.table, self.file, self.line, self.cells = table, file, line, cells
        self.dates: tuple[date | None, ...] = ()

    def __getitem__(self, column: str) -> str:
        return self.cells[_COLUMN[self.table][column]]

    def date(self, column: str) -> date | None:
        return self.dates[_DATE_COLUMN[self.table][column]] if self.dates else None

    def where(self, column: str) -> str:
        return f"{self.file}:{self.line}: {column}"


@dataclass
class ImportSummary:
    children_added: int = 0
    children_changed: int = 0
    periods_added: int = 0
    periods_changed: int = 0
    episodes_added: int = 0
    episodes_changed: int = 0
    reviews_added: int = 0
    reviews_changed: int = 0
    # Periods with short breaks: their reg 48 series may run across periods, so the clock is
    # stored again by reviews.services.review_due_dates_refresh once the rows are written.
    short_break_periods: list = field(default_factory=list)
    year: int = LAST_YEAR  # the collection year the files were checked against
    year_chosen: bool = False  # chosen by the user, or read from the latest date in the files
    # Valid-children-only mode: each child refused, with its problems.
    refused: dict[str, list[str]] = field(default_factory=dict)
    # What the database holds for the year that the files no longer mention (a list to check).
    unmentioned: list[str] = field(default_factory=list)
    unmentioned_count: int = 0

    def lines(self) -> list[str]:
        return [
            f"children: {self.children_added} added, {self.children_changed} changed",
            f"periods of care: {self.periods_added} added, {self.periods_changed} changed",
            f"episodes: {self.episodes_added} added, {self.episodes_changed} changed",
            f"reviews: {self.reviews_added} added, {self.reviews_changed} changed",
        ]

    @property
    def year_label(self) -> str:
        return collection_year_label(self.year)

    def year_line(self) -> str:
        how = "as chosen" if self.year_chosen else "the year of the latest date in the files"
        lists = codes_for_year(self.year).year
        if lists != self.year:  # a year beyond the table: its nearest year's lists
            how += f"; the files' year is {collection_year_label(self.year)}, and no lists are held for it"
        return f"checked against the {collection_year_label(lists)} code lists ({how})"

    def refused_line(self) -> str:
        count = len(self.refused)
        children = "child" if count == 1 else "children"
        return f"{count:,} {children} refused (their rows are not valid); nothing of theirs written"

    def unmentioned_lines(self) -> list[str]:
        more = self.unmentioned_count - len(self.unmentioned)
        return self.unmentioned + ([f"… and {more:,} more"] if more else [])

    def not_mentioned(self, line: str) -> None:
        self.unmentioned_count += 1
        if len(self.unmentioned) < MAX_UNMENTIONED_LISTED:
            self.unmentioned.append(line)


REPORT_COLUMNS = ["CHILD", "STATUS", "DETAIL"]


def _cell(value: str) -> str:
    # A CHILD refused for its id may be anything: never let a spreadsheet read it as a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_report(summary: ImportSummary, handle: IO[str]) -> int:
    """The import's report as CSV: each refused child with its problems, then what the database
    holds that the files no longer mention. Returns the number of rows written."""
    writer = csv.writer(handle)
    writer.writerow(REPORT_COLUMNS)
    count = 0
    for child, problems in summary.refused.items():
        for problem in problems:
            writer.writerow([_cell(child), "refused", problem])
            count += 1
    for line in summary.unmentioned_lines():
        child = line.split(":", 1)[0].removeprefix("child ") if line.startswith("child ") else ""
        writer.writerow([_cell(child), "held, not in these files: check", line])
        count += 1
    return count


# A file to read: its bytes, a path, or an open binary file (an upload, a stored file).
Source = bytes | Path | IO[bytes]


def _size(source: Source) -> int:
    if isinstance(source, bytes):
        return len(source)
    if isinstance(source, Path):
        return source.stat().st_size
    size = getattr(source, "size", None)
    if size is None:
        size = source.seek(0, os.SEEK_END)
        source.seek(0)
    return size


def _open(source: Source) -> IO[bytes]:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, Path):
        return source.open("rb")
    source.seek(0)
    return source


class _Reader:
    """Reads the files a row at a time; per-row rules are checked as each row is read."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.strings: dict[str, str] = {}  # one copy of each repeated value (codes, dates, IDs)
        self.dates: dict[str, date | str] = {}  # raw text -> date, or why it is not one
        self.latest: date | None = None  # the latest DECOM, DEC or REVIEW: the files' collection year

    def read(self, files: dict[str, Source]) -> tuple[dict[str, list[Row]], bool]:
        """The rows of each table, and whether every table was found and read to its end."""
        tables: dict[str, list[Row]] = {}
        complete = True
        limit = max_file_bytes()
        for name, source in sorted(files.items()):
            size = _size(source)
            if size > limit:
                self.problems.add(
                    f"{name}:0: file: {describe_size(size)} is over the {describe_size(limit)} limit for one SSDA903 "
                    "file (IRO_SSDA903_MAX_BYTES); nothing was read"
                )
                complete = False
                continue
            handle = _open(source)
            text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
            try:
                complete = self._read_file(name, text, tables) and complete
            finally:
                text.detach()  # the caller's file stays open; a path is closed here
                if isinstance(source, Path):
                    handle.close()
        if complete:
            for table in TABLES:
                if table not in tables:
                    self.problems.add(f"(folder):0: {table}: no {table} file found (recognised by its header row)")
                    complete = False
        if complete and not any(tables.values()):
            self.problems.add("(folder):0: rows: the files hold header lines but no rows; nothing to import")
            complete = False
        return tables, complete

    def _read_file(self, name: str, text: io.TextIOWrapper, tables: dict[str, list[Row]]) -> bool:
        """Read one file into `tables`; False if it could not be read to its end."""
        reader = csv.reader(text)
        try:
            header = [column.strip() for column in next(reader, [])]
            table = next((table for table, columns in TABLES.items() if header == columns), None)
            if table is None:
                self.problems.add(f"{name}:1: header: not an SSDA903 header, episodes or reviews header row")
                return True
            if table in tables:
                self.problems.add(f"{name}:1: header: a second {table} file; give one of each")
                return True
            rows = tables[table] = []
            width = len(header)
            strings = self.strings
            last = reader.line_num
            for record in reader:
                line, last = last + 1, reader.line_num  # a row's own first line (a quoted value may span lines)
                if not any(cell.strip() for cell in record):
                    continue
                if len(record) != width:
                    # The first column is CHILD in every table: the child is refused, not the file.
                    child = record[0].strip() if record and record[0].strip() else None
                    self.problems.add(f"{name}:{line}: row: {len(record)} columns, expected {width}", child)
                    continue
                cells = tuple(strings.setdefault(value, value) for value in (cell.strip() for cell in record))
                row = Row(table, name, line, cells)
                self._check_row(row)
                rows.append(row)
        except UnicodeDecodeError:
            self.problems.add(f"{name}:{reader.line_num + 1}: file: not UTF-8 text; the rest of the file was not read")
            return False
        except csv.Error as error:
            why = (
                f"a field is over {csv.field_size_limit():,} characters (or a quote is never closed)"
                if "field limit" in str(error)
                else f"not CSV ({error})"
            )
            self.problems.add(f"{name}:{reader.line_num}: row: {why}; the rest of the file was not read")
            return False
        return True

    def _date(self, row: Row, column: str, optional: bool) -> date | None:
        raw = row[column]
        if not raw:
            if not optional:
                self.problems.add(f"{row.where(column)}: a date is required (DD/MM/YYYY)", row["CHILD"])
            return None
        parsed = self.dates.get(raw)
        if parsed is None:
            try:
                parsed = datetime.strptime(raw, DATE_FORMAT).date()  # noqa: DTZ007 - a date, no time
            except ValueError:
                parsed = "is not a date in the form DD/MM/YYYY"
            else:
                if not EARLIEST_DATE <= parsed <= LATEST_DATE:
                    parsed = f"is outside the years {EARLIEST_DATE.year} to {LATEST_DATE.year}"
            if len(raw) <= len("DD/MM/YYYY"):  # remember real dates, not every long junk value
                self.dates[raw] = parsed
        if isinstance(parsed, str):
            self.problems.add(f"{row.where(column)}: {_show(raw)} {parsed}", row["CHILD"])
            return None
        return parsed

    def _check_row(self, row: Row) -> None:
        table, child = row.table, row["CHILD"]

        def add(problem: str) -> None:
            self.problems.add(problem, child)

        reported = set()
        for column, value in zip(TABLES[table], row.cells, strict=True):
            if "\x00" in value:
                add(f"{row.where(column)}: contains a NUL character (byte 0), which no SSDA903 value has")
                reported.add(column)
        if "CHILD" not in reported:
            problem = child_id_problem(row["CHILD"])
            if problem:
                add(f"{row.where('CHILD')}: {_show(row['CHILD'])}: {problem}")
        row.dates = tuple(
            None if column in reported else self._date(row, column, optional) for column, optional in _DATES[table]
        )
        for column in _ACTIVITY_DATES[table]:
            day = row.date(column)
            if day and (self.latest is None or day > self.latest):
                self.latest = day
        for column, codes, optional in _CODES[table]:
            raw = row[column]
            if column in reported or (not raw and optional):
                continue
            if raw not in codes.values:
                add(f"{row.where(column)}: {_show(raw)} is not a {column} code")
        for column, max_length in _TEXT[table]:
            raw = row[column]
            if column in reported:
                continue
            if len(raw) > max_length:
                add(f"{row.where(column)}: {_show(raw)} is longer than {max_length} characters")
            elif not _PLAIN_TEXT.fullmatch(raw):
                add(f"{row.where(column)}: {_show(raw)} may hold only letters, digits and spaces")


def read_tables(files: dict[str, Source], problems: Problems | None = None) -> tuple[dict[str, list[Row]], Problems]:
    """Recognise each file by its exact header row; returns the rows of each table and the problems."""
    problems = Problems() if problems is None else problems
    tables, _ = _Reader(problems).read(files)
    return tables, problems


@dataclass(slots=True)
class PlannedPeriod:
    start: date
    episodes: list[Row]
    end: date | None = None
    reason_ended: str = ""
    reviews: list[Row] = field(default_factory=list)
    began_before_records: bool = False


def _rule(number: str, words: str) -> str:
    return f"DfE rule {number}: {words}"


def _check_child_codes(row: Row, codes: YearCodes, add) -> None:
    """SEX against the year's coding (rule 101); the row is given the stored code (M/F/U)."""
    sex = row["SEX"]
    if "\x00" in sex:
        return  # already reported as the row was read
    stored = codes.stored_sex(sex)
    if stored is None:
        coding = "1 (male) or 2 (female)" if "1" in codes.sex else "M, F or U"
        add(f"{row.where('SEX')}: SEX is {_show(sex)}, but in {codes.label} SEX is {coding} "
            f"({_rule('101', codes.sex_rule)})")  # fmt: skip
    elif stored != sex:
        column = _COLUMN["header"]["SEX"]
        row.cells = (*row.cells[:column], stored, *row.cells[column + 1 :])


def _check_episode_codes(row: Row, codes: YearCodes, date_of_birth: date | None, add) -> None:
    """LS and PLACE against the lists of the year the episode was last open in; rules 178, 213 and 371."""
    legal_status, place, provider = row["LS"], row["PLACE"], row["PLACE_PROVIDER"]
    if "\x00" not in legal_status and legal_status not in codes.legal_statuses:
        if legal_status in LegalStatus.values:
            rule = _rule("144", RULE_144)
            add(f"{row.where('LS')}: {_show(legal_status)} is not a LS code in {codes.label} ({rule})")
        else:
            add(f"{row.where('LS')}: {_show(legal_status)} is not a LS code")
    if "\x00" in place:
        return
    if place not in codes.placement_types:
        if place in _EVERY_PLACEMENT_TYPE:
            years = years_with_placement(place)
            span = collection_year_label(years[0])
            if len(years) > 1:
                span += f" to {collection_year_label(years[-1])}"
            add(
                f"{row.where('PLACE')}: PLACE is {place}, but {place} is not a placement code in {codes.label} "
                f"({_rule('146', RULE_146)}); {place} is a code for {span}"
            )
        else:
            add(f"{row.where('PLACE')}: {_show(place)} is not a PLACE code")
        return
    if provider and (broken := codes.provider_rule(place)):
        add(
            f"{row.where('PLACE_PROVIDER')}: PLACE_PROVIDER is {_show(provider)}, but in {codes.label} PLACE {place} "
            f"takes no provider ({_rule(*broken)})"
        )
    start = row.date("DECOM")
    if place == codes.placement_from_16 and start and date_of_birth and start >= date_of_birth:
        age = age_on(date_of_birth, start)
        if age < 16:
            add(
                f"{row.where('DECOM')}: PLACE is {place} from {row['DECOM']}, but the child was {age} then: "
                f"{place} is only from the 16th birthday ({_rule('371', codes.placement_from_16_rule)})"
            )


def _check_within_year(row: Row, columns: tuple[str, ...], year: int, add) -> None:
    """A file imported for a chosen year holds no date after the year's 31 March."""
    year_end = date(year, 3, 31)
    for column in columns:
        day = row.date(column)
        if day and day > year_end:
            add(
                f"{row.where(column)}: {row[column]} is after 31/03/{year}, the end of the collection year "
                f"{collection_year_label(year)} chosen for these files"
            )


def check(
    tables: dict[str, list[Row]], problems: Problems, *, year: int = LAST_YEAR, year_chosen: bool = False
) -> dict:
    """The rules across rows and files, and the code lists of collection year `year`. Returns the
    plan (children, periods); adds to `problems`, each naming its child."""
    file_codes = codes_for_year(year)
    children: dict[str, Row] = {}
    for row in tables.get("header", []):
        child_id = row["CHILD"]

        def add(problem: str, child_id: str = child_id) -> None:
            problems.add(problem, child_id)

        if child_id_problem(child_id):
            pass  # already reported as the row was read
        elif child_id in children:
            add(f"{row.where('CHILD')}: child {child_id} appears twice in the header")
        else:
            children[child_id] = row
        _check_child_codes(row, file_codes, add)
        if row["MOTHER"] and row["SEX"] != Sex.FEMALE:
            add(f"{row.where('MOTHER')}: MOTHER is only given for girls")

    episodes_by_child: dict[str, list[Row]] = defaultdict(list)
    for row in tables.get("episodes", []):
        child_id = row["CHILD"]

        def add(problem: str, child_id: str = child_id) -> None:
            problems.add(problem, child_id)

        if child_id not in children:
            if not child_id_problem(child_id):
                add(f"{row.where('CHILD')}: child {child_id} is not in the header file")
            continue
        start, end = row.date("DECOM"), row.date("DEC")
        if start and end and end < start:
            add(f"{row.where('DEC')}: the episode ends before it starts ({row['DECOM']})")
        if end and not row["REC"]:
            add(f"{row.where('REC')}: an episode with an end date (DEC) needs a reason (REC)")
        if row["REC"] and not end and not row["DEC"]:
            add(f"{row.where('DEC')}: a reason the episode ceased (REC) needs an end date (DEC)")
        dob = children[child_id].date("DOB")
        if start and dob and start < dob:
            add(f"{row.where('DECOM')}: the episode starts before the child's date of birth")
        # An episode that ended in an earlier year (a history file) is checked against that year.
        episode_codes = codes_for_year(min(collection_year_of(end), year)) if end else file_codes
        _check_episode_codes(row, episode_codes, dob, add)
        if year_chosen:
            _check_within_year(row, ("DECOM", "DEC"), year, add)
        episodes_by_child[child_id].append(row)

    periods: dict[str, list[PlannedPeriod]] = {}
    for child_id, rows in episodes_by_child.items():

        def add(problem: str, child_id: str = child_id) -> None:
            problems.add(problem, child_id)

        rows = sorted((row for row in rows if row.date("DECOM")), key=lambda row: row.date("DECOM"))
        for earlier, later in zip(rows, rows[1:], strict=False):
            earlier_end = earlier.date("DEC")
            if earlier_end is None or earlier_end > later.date("DECOM"):
                add(
                    f"{later.where('DECOM')}: this episode overlaps the one starting {earlier['DECOM']} "
                    f"({earlier.file}:{earlier.line})"
                )
        child_periods: list[PlannedPeriod] = []
        for row in rows:
            if row["RNE"] == ReasonNewEpisode.STARTED:
                child_periods.append(PlannedPeriod(start=row.date("DECOM"), episodes=[row]))
            elif not child_periods:
                # Files for one collection year begin in the middle of a period: care began earlier.
                child_periods.append(PlannedPeriod(start=row.date("DECOM"), episodes=[row], began_before_records=True))
            elif child_periods[-1].episodes[-1]["REC"] not in ("", EPISODE_CONTINUES):
                add(
                    f"{row.where('RNE')}: RNE {row['RNE']} continues a period of care, but the episode "
                    f"before it ended care (REC {child_periods[-1].episodes[-1]['REC']}); "
                    "a new period needs RNE S"
                )
            else:
                child_periods[-1].episodes.append(row)
        for period in child_periods:
            last = period.episodes[-1]
            if last.date("DEC"):
                if last["REC"] == EPISODE_CONTINUES:
                    if period is child_periods[-1]:
                        add(f"{last.where('REC')}: X1 says a new episode follows, but none does")
                    else:
                        add(
                            f"{last.where('REC')}: X1 says care continues, but the next episode starts "
                            "a new period (RNE S)"
                        )
                period.end, period.reason_ended = last.date("DEC"), last["REC"]
        periods[child_id] = child_periods

    for row in tables.get("reviews", []):
        child_id = row["CHILD"]

        def add(problem: str, child_id: str = child_id) -> None:
            problems.add(problem, child_id)

        if child_id not in children:
            if not child_id_problem(child_id):
                add(f"{row.where('CHILD')}: child {child_id} is not in the header file")
            continue
        header_dob, review_dob, held_on = children[child_id].date("DOB"), row.date("DOB"), row.date("REVIEW")
        if header_dob and review_dob and header_dob != review_dob:
            add(
                f"{row.where('DOB')}: {row['DOB']} differs from the header's date of birth "
                f"({children[child_id]['DOB']})"
            )
        if year_chosen:
            _check_within_year(row, ("REVIEW",), year, add)
        if not (header_dob and held_on):
            continue
        if held_on < header_dob:
            add(f"{row.where('REVIEW')}: the review is before the child's date of birth")
            continue
        problem = participation_code_problem(row["REVIEW_CODE"], date_of_birth=header_dob, on=held_on)
        if problem and row["REVIEW_CODE"] in ParticipationCode.values:
            add(f"{row.where('REVIEW_CODE')}: {problem}")
        period = next(
            (p for p in periods.get(child_id, []) if p.start <= held_on and (p.end is None or held_on <= p.end)), None
        )
        if period is None:
            add(f"{row.where('REVIEW')}: the child was not looked after on {row['REVIEW']}")
        elif any(other.date("REVIEW") == held_on for other in period.reviews):
            add(f"{row.where('REVIEW')}: a second review for this child on the same day")
        else:
            period.reviews.append(row)
    return {"children": children, "periods": periods}


def plan_from_files(files: dict[str, Source], *, year: int | None = None, valid_children_only: bool = False) -> dict:
    """Read and check the files. All or nothing: any problem raises ImportProblems. With
    `valid_children_only`, the children with problems are left out of the plan (and listed in
    plan["refused"]); only a problem that names no child raises."""
    problems = Problems(by_child=valid_children_only)
    reader = _Reader(problems)
    tables, complete = reader.read(files)
    chosen = year is not None
    if year is None:
        year = collection_year_of(reader.latest) if reader.latest else LAST_YEAR
    # The rules across rows need every table; row-by-row problems are listed with them.
    plan = check(tables, problems, year=year, year_chosen=chosen) if complete else {}
    if problems and (not valid_children_only or not complete or problems.general_count):
        raise ImportProblems.from_problems(problems)
    plan.update(
        year=year,
        year_chosen=chosen,
        valid_children_only=valid_children_only,
        # Every child the header names (refused or not): what the files still mention.
        mentioned=set(plan["children"]),
        refused={},
    )
    _refuse(plan, problems.refused_children())
    return plan


def _refuse(plan: dict, refused: dict[str, list[str]]) -> None:
    """Leave refused children out of the plan: nothing of theirs is written."""
    for child_id, child_problems in refused.items():
        plan["refused"].setdefault(child_id, []).extend(child_problems)
        plan["children"].pop(child_id, None)
        plan["periods"].pop(child_id, None)


def read_folder(folder: Path) -> dict[str, Path]:
    """The folder's CSV files, by name (read later, a row at a time)."""
    return {path.name: path for path in sorted(folder.glob("*.csv"))}


CHILD_FIELDS = ["sex", "date_of_birth", "ethnicity", "upn", "mother", "mother_child_date_of_birth"]
EPISODE_FIELDS = [
    "reason_new_episode", "legal_status", "category_of_need", "placement_type", "placement_provider", "end",
    "reason_ended", "reason_place_change", "home_postcode", "placement_postcode", "urn", "placement_distance_miles",
]  # fmt: skip
REVIEW_FIELDS = [
    "sequence",
    "due_date",
    "due_schedule",
    "due_rule",
    "participation_code",
    "outcomes_due_on",
    "minutes_due_on",
    "status",
]


def _child_fields(row: Row) -> dict:
    return {
        "sex": row["SEX"],
        "date_of_birth": row.date("DOB"),
        "ethnicity": row["ETHNIC"],
        "upn": row["UPN"],
        "mother": row["MOTHER"],
        "mother_child_date_of_birth": row.date("MC_DOB"),
    }


def _episode_fields(row: Row, distances: dict[tuple[str, str], int | None]) -> dict:
    return {
        "reason_new_episode": row["RNE"],
        "legal_status": row["LS"],
        "category_of_need": row["CIN"],
        "placement_type": row["PLACE"],
        "placement_provider": row["PLACE_PROVIDER"],
        "end": row.date("DEC"),
        "reason_ended": row["REC"],
        "reason_place_change": row["REASON_PLACE_CHANGE"],
        "home_postcode": row["HOME_POST"],
        "placement_postcode": row["PL_POST"],
        "urn": row["URN"],
        "placement_distance_miles": distances.get((row["HOME_POST"], row["PL_POST"])),
    }


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _held_period_for(period: PlannedPeriod, held: list[PeriodOfCare]) -> PeriodOfCare | None:
    """The period already held that the file's period is: the same start, or, for a file that
    begins in the middle of a period (RNE other than S), the held period it continues."""
    same_start = next((p for p in held if p.start == period.start), None)
    if same_start is not None or not period.began_before_records:
        return same_start
    return next((p for p in held if p.start <= period.start and (p.end is None or period.start <= p.end)), None)


def _clash(period: PlannedPeriod, current: PeriodOfCare | None, others: list[PeriodOfCare]) -> str | None:
    """Why the file's period cannot sit beside the periods already held that the files leave
    alone (`others`): two periods of care of one child never overlap, and one at most is open."""
    start = current.start if current is not None else period.start
    end = period.end or date.max
    for other in others:
        if other.start < end and start < (other.end or date.max):
            first = period.episodes[0]
            held = (
                f"open since {other.start:%d/%m/%Y}"
                if other.end is None
                else f"from {other.start:%d/%m/%Y} to {other.end:%d/%m/%Y}"
            )
            return (
                f"{first.where('DECOM')}: child {first['CHILD']} already has a period of care {held}, which these "
                f"files do not hold; this period (from {start:%d/%m/%Y}) would overlap it. Give the held period's "
                "episodes (with DEC and REC where it ended) or correct DECOM"
            )
    return None


@transaction.atomic
def apply_plan(plan: dict, *, dry_run: bool = False) -> ImportSummary:
    """Write the checked plan: create what is new, update what changed, a batch of children at a
    time. A clash with periods already held is a problem: then nothing is written, or, in the
    valid-children-only mode, the clashing children are refused and the rest written again (one
    more pass at most: a clash depends only on the child's own rows). With dry_run, roll back (the
    preview: what would be added and changed)."""
    plan.setdefault("refused", {})
    while True:
        try:
            return _apply_plan_once(plan, dry_run=dry_run)
        except ImportProblems as error:
            if not plan.get("valid_children_only") or error.refused is None:
                raise
            _refuse(plan, error.refused)


def _apply_plan_once(plan: dict, *, dry_run: bool) -> ImportSummary:
    year = plan.get("year", LAST_YEAR)
    summary = ImportSummary(year=year, year_chosen=plan.get("year_chosen", False), refused=plan["refused"])
    problems = Problems(by_child=bool(plan.get("valid_children_only")))
    savepoint = transaction.savepoint()
    # Ids are given out up front; rows are written at the end of each batch (see _write_batch).
    tables = {model: BulkInserter(model, batch_size=10**9) for model in (Child, PeriodOfCare, Episode, Review)}
    distances = distances_in_miles(
        (row["HOME_POST"], row["PL_POST"])
        for child_periods in plan["periods"].values()
        for period in child_periods
        for row in period.episodes
        if row["HOME_POST"] and row["PL_POST"]
    )
    for batch in _batches(plan["children"].items(), CHILDREN_PER_BATCH):
        _apply_batch(batch, plan["periods"], tables, distances, summary, problems)
    if problems:
        transaction.savepoint_rollback(savepoint)
        error = ImportProblems.from_problems(problems)
        error.refused = problems.refused_children() if problems.by_child is not None else None
        raise error
    for table in tables.values():
        table.finish()
    _children_not_mentioned(plan.get("mentioned", set(plan["children"])), year, summary)
    if summary.short_break_periods:
        from .services import review_due_dates_refresh  # services import this module's callers

        for period in PeriodOfCare.objects.filter(pk__in=summary.short_break_periods).order_by("child_id", "start"):
            review_due_dates_refresh(period_of_care=period)
    if dry_run:
        transaction.savepoint_rollback(savepoint)
    else:
        transaction.savepoint_commit(savepoint)
    return summary


def _apply_batch(
    batch: list[tuple[str, Row]],
    planned: dict[str, list[PlannedPeriod]],
    tables: dict[type, BulkInserter],
    distances: dict[tuple[str, str], int | None],
    summary: ImportSummary,
    problems: Problems,
) -> None:
    existing_children = {c.local_id: c for c in Child.objects.filter(local_id__in=[local_id for local_id, _ in batch])}
    child_ids: dict[str, int] = {}
    changed_children = []
    now = timezone.now()
    for local_id, row in batch:
        fields = _child_fields(row)
        child = existing_children.get(local_id)
        if child is None:
            # SSDA903 holds no names: a new child is named by their ID until someone adds the name.
            child_ids[local_id] = tables[Child].add(
                local_id=local_id, first_name="Child", last_name=local_id, created_at=now, **fields
            )
            summary.children_added += 1
        else:
            child_ids[local_id] = child.pk
            if any(getattr(child, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(child, name, value)
                changed_children.append(child)

    ids = [child.pk for child in existing_children.values()]
    held_periods: dict[int, list[PeriodOfCare]] = defaultdict(list)
    for period in PeriodOfCare.objects.filter(child_id__in=ids).order_by("start"):
        held_periods[period.child_id].append(period)
    existing_episodes = {
        (e.period_of_care_id, e.start): e for e in Episode.objects.filter(period_of_care__child_id__in=ids)
    }
    existing_reviews = {
        (r.child_id, r.held_on): r for r in Review.objects.filter(child_id__in=ids, status=ReviewStatus.HELD)
    }
    outstanding = {
        r.period_of_care_id: r for r in Review.objects.filter(child_id__in=ids, status__in=OUTSTANDING_STATUSES)
    }
    held_on_by_period: dict[int, list[date]] = defaultdict(list)
    for review in existing_reviews.values():
        held_on_by_period[review.period_of_care_id].append(review.held_on)
    closing, reopening, changed_episodes, changed_reviews = [], [], [], []
    for local_id, header in batch:
        child_id = child_ids[local_id]
        held = held_periods.get(child_id, [])
        matched = [(period, _held_period_for(period, held)) for period in planned.get(local_id, [])]
        matched_ids = {current.pk for _, current in matched if current is not None}
        others = [p for p in held if p.pk not in matched_ids]
        clashes = [problem for period, current in matched if (problem := _clash(period, current, others))]
        for problem in clashes:
            problems.add(problem, local_id)
        if clashes or problems:
            continue  # nothing will be written: only look for more problems
        for period, current in matched:
            _apply_period(
                period, current, child_id, tables, distances, existing_episodes, existing_reviews, held_on_by_period,
                outstanding, summary, (closing, reopening, changed_episodes, changed_reviews), header.date("DOB"),
            )  # fmt: skip
    if problems:
        for table in tables.values():
            table.rows.clear()  # nothing will be written
        return
    _held_not_mentioned(existing_children, planned, held_periods, existing_episodes, existing_reviews, summary)
    # Order matters: at most one open period per child and one outstanding review per period
    # are checked row by row, so periods close before any opens and new rows come last.
    Child.objects.bulk_update(changed_children, CHILD_FIELDS)
    PeriodOfCare.objects.bulk_update(closing, ["end", "reason_ended"])
    PeriodOfCare.objects.bulk_update(reopening, ["end", "reason_ended"])
    Episode.objects.bulk_update(changed_episodes, EPISODE_FIELDS)
    Review.objects.bulk_update(changed_reviews, REVIEW_FIELDS)
    for table in tables.values():
        table.flush()
    summary.children_changed += len(changed_children)
    summary.periods_changed += len(closing) + len(reopening)
    summary.episodes_changed += len(changed_episodes)
    summary.reviews_changed += len([r for r in changed_reviews if r.status == ReviewStatus.HELD])


def _held_not_mentioned(
    existing_children: dict[str, Child],
    planned: dict[str, list[PlannedPeriod]],
    held_periods: dict[int, list[PeriodOfCare]],
    existing_episodes: dict,
    existing_reviews: dict,
    summary: ImportSummary,
) -> None:
    """Episodes and held reviews of the year that the database holds (from before this import) for
    the batch's children, and that the files no longer mention: listed to check, never deleted."""
    year_start, year_end = collection_year(summary.year)
    child_of_period = {period.pk: child_id for child_id, periods in held_periods.items() for period in periods}
    held_episodes: dict[int, list[Episode]] = defaultdict(list)
    for (period_id, _start), episode in existing_episodes.items():
        if episode.start <= year_end and (episode.end is None or episode.end >= year_start):
            held_episodes[child_of_period[period_id]].append(episode)
    held_reviews: dict[int, list[date]] = defaultdict(list)
    for (child_id, held_on), _review in existing_reviews.items():
        if year_start <= held_on <= year_end:
            held_reviews[child_id].append(held_on)
    if not held_episodes and not held_reviews:
        return
    for local_id, child in sorted(existing_children.items()):
        child_id = child.pk
        rows = [row for period in planned.get(local_id, []) for row in period.episodes]
        starts = {row.date("DECOM") for row in rows}
        for episode in sorted(held_episodes.get(child_id, []), key=lambda e: e.start):
            if episode.start not in starts:
                summary.not_mentioned(
                    f"child {local_id}: the episode from {episode.start:%d/%m/%Y} ({episode.legal_status}, "
                    f"{episode.placement_type}) is held, but these files no longer mention it"
                )
        # A child looked after only under V3/V4 has no reviews in a return (DfE rule 399).
        if rows and all(row["LS"] in SHORT_BREAK_LEGAL_STATUSES for row in rows):
            continue
        in_files = {row.date("REVIEW") for period in planned.get(local_id, []) for row in period.reviews}
        for held_on in sorted(held_reviews.get(child_id, [])):
            if held_on not in in_files:
                summary.not_mentioned(
                    f"child {local_id}: the review held on {held_on:%d/%m/%Y} is held, but these files no longer "
                    "mention it"
                )


def _children_not_mentioned(mentioned: set[str], year: int, summary: ImportSummary) -> None:
    """Children looked after in the year (as the database holds it) whom the files do not name."""
    year_start, year_end = collection_year(year)
    held = (
        Child.objects.filter(
            Exists(PeriodOfCare.objects.filter(child=OuterRef("pk"), start__lte=year_end).exclude(end__lt=year_start))
        )
        .order_by("local_id")
        .values_list("local_id", flat=True)
    )
    label = collection_year_label(year)
    for local_id in held.iterator(chunk_size=EXPORT_CHUNK):
        if local_id not in mentioned:
            summary.not_mentioned(
                f"child {local_id}: looked after in {label} as the database holds it, but these files do not name "
                "this child"
            )


def _apply_period(
    period: PlannedPeriod,
    current: PeriodOfCare | None,
    child_id: int,
    tables: dict[type, BulkInserter],
    distances: dict[tuple[str, str], int | None],
    existing_episodes: dict,
    existing_reviews: dict,
    held_on_by_period: dict[int, list[date]],
    outstanding: dict,
    summary: ImportSummary,
    changed: tuple[list, list, list, list],
    date_of_birth: date,
) -> None:
    closing, reopening, changed_episodes, changed_reviews = changed
    if current is None:
        period_id = tables[PeriodOfCare].add(
            child_id=child_id,
            start=period.start,
            end=period.end,
            reason_ended=period.reason_ended,
            began_before_records=period.began_before_records,
        )
        summary.periods_added += 1
        start, began_before_records, held_before = period.start, period.began_before_records, []
    else:
        period_id = current.pk
        if (current.end, current.reason_ended) != (period.end, period.reason_ended):
            current.end, current.reason_ended = period.end, period.reason_ended
            (reopening if period.end is None else closing).append(current)
        start, began_before_records = current.start, current.began_before_records
        # Reviews already held in this period before the files begin count on the clock.
        held_before = [day for day in held_on_by_period.get(period_id, []) if day < period.start]
    for row in period.episodes:
        fields = _episode_fields(row, distances)
        episode = existing_episodes.get((period_id, row.date("DECOM")))
        if episode is None:
            tables[Episode].add(period_of_care_id=period_id, start=row.date("DECOM"), **fields)
            summary.episodes_added += 1
        elif any(getattr(episode, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(episode, name, value)
            changed_episodes.append(episode)
    # The spells the clock rests on: the episodes already held in this period and the file's.
    spells = {
        episode.start: Spell(episode.start, episode.legal_status, episode.placement_type)
        for (held_period_id, _start), episode in existing_episodes.items()
        if held_period_id == period_id
    }
    spells.update({row.date("DECOM"): Spell(row.date("DECOM"), row["LS"], row["PLACE"]) for row in period.episodes})
    if any(spell.legal_status in SHORT_BREAK_LEGAL_STATUSES for spell in spells.values()):
        summary.short_break_periods.append(period_id)
    held = sorted(period.reviews, key=lambda row: row.date("REVIEW"))
    held_on_dates = sorted(held_before) + [row.date("REVIEW") for row in held]
    dues = review_due_series(
        date_of_birth=date_of_birth,
        period_start=start,
        spells=spells.values(),
        reviews_held_on=held_on_dates,
        began_before_records=began_before_records,
    )

    def place(position: int) -> str:
        return ReviewSequence.SUBSEQUENT if began_before_records else sequence_for(position)

    for position, row in enumerate(held, start=len(held_before)):
        held_on = row.date("REVIEW")
        fields = {
            "sequence": place(position),
            "due_date": dues[position].due,
            "due_schedule": dues[position].schedule,
            "due_rule": dues[position].rule,
            "participation_code": row["REVIEW_CODE"],
            "outcomes_due_on": outcomes_due(held_on),
            "minutes_due_on": minutes_due(held_on),
        }
        review = existing_reviews.get((child_id, held_on))
        if review is None:
            tables[Review].add(
                child_id=child_id, period_of_care_id=period_id, status=ReviewStatus.HELD, held_on=held_on, **fields
            )
            summary.reviews_added += 1
        elif any(getattr(review, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(review, name, value)
            changed_reviews.append(review)
    # The next review: due while the period is open, none once it has ended.
    count = len(held_on_dates)
    following = dues[count]
    waiting = outstanding.get(period_id)
    if period.end is None and waiting is None:
        tables[Review].add(
            child_id=child_id,
            period_of_care_id=period_id,
            status=ReviewStatus.DUE,
            sequence=sequence_for(count),
            due_date=following.due,
            due_schedule=following.schedule,
            due_rule=following.rule,
        )
    elif waiting is not None and period.end is not None:
        waiting.status = ReviewStatus.CANCELLED
        changed_reviews.append(waiting)
    elif waiting is not None and (waiting.due_date, waiting.due_rule, waiting.sequence) != (
        following.due,
        following.rule,
        place(count),
    ):
        waiting.due_date, waiting.sequence = following.due, place(count)
        waiting.due_schedule, waiting.due_rule = following.schedule, following.rule
        changed_reviews.append(waiting)


def import_files(
    files: dict[str, Source], *, dry_run: bool = False, year: int | None = None, valid_children_only: bool = False
) -> ImportSummary:
    """Check and import the files (see the module's docstring). `year`: the collection year the
    files belong to (2025 for 2024-25); None reads it from the latest date in the files."""
    plan = plan_from_files(files, year=year, valid_children_only=valid_children_only)
    return apply_plan(plan, dry_run=dry_run)


# --- Export --------------------------------------------------------------------------------

EXPORT_CHUNK = 5000  # rows fetched at a time from a server-side cursor


class ExportRefused(Exception):
    """Some children's CHILD ids are not SSDA903 ids: nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} child id(s) cannot be exported")
        self.problems = problems


def _d(day: date | None) -> str:
    return day.strftime(DATE_FORMAT) if day else ""


def collection_year(year: int) -> tuple[date, date]:
    """The collection year ending 31 March `year`."""
    return date(year - 1, 4, 1), date(year, 3, 31)


def _exported_child_id(local_id: str) -> str:
    # Checked for every child before the first row is written (_refuse_bad_child_ids); this
    # guards a child changed while the export runs. No formula, markup or newline leaves here.
    problem = child_id_problem(local_id)
    if problem:
        raise ExportRefused([f"child {_show(local_id)}: {problem}"])
    return local_id


def _short_breaks_only(start: date, end: date, child: str = "pk") -> Q:
    """The child (OuterRef `child`) is looked after between start and end only under V3/V4."""
    in_year = Episode.objects.filter(period_of_care__child_id=OuterRef(child), start__lte=end).exclude(end__lt=start)
    return Exists(in_year.filter(legal_status__in=SHORT_BREAK_LEGAL_STATUSES)) & ~Exists(
        in_year.exclude(legal_status__in=SHORT_BREAK_LEGAL_STATUSES)
    )


def export_tables(year: int | None) -> dict[str, Iterator[list[str]]]:
    """The year's rows as the return lays them out, table by table, streamed from the
    database; with year None, the whole history (for moving data between systems: every row as
    held, in today's coding).

    For a year, the return's rules on short breaks (DOMAIN.md "Short breaks in the return"): a
    child looked after only under V3/V4 has no reviews and no MOTHER (DfE rule 399; the reviews
    stay in the database, on the reg 48 clock), and V3/V4 episodes carry no postcodes or URN
    (rules 214, 398; the placement LA of rule 420 is derived from PL_POST). SEX is written in the
    year's coding (1/2 until 2023-24, rule 101)."""
    start, end = collection_year(year) if year else (date.min, date.max)
    codes = codes_for_year(year) if year else None
    periods = PeriodOfCare.objects.filter(start__lte=end).exclude(end__lt=start)
    child_ids = periods.values("child_id")
    children = (
        Child.objects.filter(pk__in=child_ids)
        .annotate(short_breaks_only=_short_breaks_only(start, end) if year else Value(False))
        .order_by("local_id")
        .values_list(
            "local_id", "sex", "date_of_birth", "ethnicity", "upn", "mother", "mother_child_date_of_birth",
            "short_breaks_only",
        )
    )  # fmt: skip
    episodes = (
        Episode.objects.filter(period_of_care__child_id__in=child_ids, start__lte=end)
        .exclude(end__lt=start)
        .order_by("period_of_care__child__local_id", "start")
        .values_list(
            "period_of_care__child__local_id", "start", "reason_new_episode", "legal_status", "category_of_need",
            "placement_type", "placement_provider", "end", "reason_ended", "reason_place_change", "home_postcode",
            "placement_postcode", "urn",
        )
    )  # fmt: skip
    held_reviews = Review.objects.filter(status=ReviewStatus.HELD, held_on__gte=start, held_on__lte=end)
    if year:
        held_reviews = held_reviews.exclude(_short_breaks_only(start, end, child="child_id"))
    reviews = held_reviews.order_by("child__local_id", "held_on").values_list(
        "child__local_id", "child__date_of_birth", "held_on", "participation_code"
    )
    _refuse_bad_child_ids(Q(pk__in=child_ids) | Q(pk__in=held_reviews.values("child_id")))

    def header() -> Iterator[list[str]]:
        for local_id, sex, born, ethnic, upn, mother, mc_dob, short_breaks_only in children.iterator(
            chunk_size=EXPORT_CHUNK
        ):
            if short_breaks_only:
                mother, mc_dob = "", None  # rule 399
            coded_sex = codes.exported_sex(sex) if codes else sex
            yield [_exported_child_id(local_id), coded_sex, _d(born), ethnic, upn, mother, _d(mc_dob)]

    def episode_rows() -> Iterator[list[str]]:
        for local_id, decom, rne, ls, cin, place, provider, dec, rec, change, home, placed, urn in episodes.iterator(
            chunk_size=EXPORT_CHUNK
        ):
            # As the return sees it on 31 March: an episode that ends later is still open then.
            ceased = ("", "") if dec is None or dec > end else (_d(dec), rec)
            child = _exported_child_id(local_id)
            if year and ls in SHORT_BREAK_LEGAL_STATUSES:
                home, placed, urn = "", "", ""  # rules 214, 398, 420
            yield [child, _d(decom), rne, ls, cin, place, provider, *ceased, change, home, placed, urn]

    def review_rows() -> Iterator[list[str]]:
        for local_id, born, held_on, code in reviews.iterator(chunk_size=EXPORT_CHUNK):
            yield [_exported_child_id(local_id), _d(born), _d(held_on), code]

    return {"header": header(), "episodes": episode_rows(), "reviews": review_rows()}


def _refuse_bad_child_ids(exported: Q) -> None:
    valid = rf"^[A-Za-z0-9]{{1,{CHILD_ID_MAX_LENGTH}}}$"  # as children.validators.child_id_problem
    bad = (
        Child.objects.filter(exported)
        .exclude(local_id__regex=valid)
        .order_by("pk")
        .values_list("pk", "local_id")[:MAX_PROBLEMS_LISTED]
    )
    problems = [f"child record {pk}: CHILD {_show(local_id)}: {child_id_problem(local_id)}" for pk, local_id in bad]
    if problems:
        raise ExportRefused(problems)


def export_rows(year: int | None) -> dict[str, list[list[str]]]:
    """The year's rows, held in memory (for small exports and tests; files use export_folder)."""
    return {table: list(rows) for table, rows in export_tables(year).items()}


def export_folder(year: int | None, folder: Path) -> dict[str, int]:
    """Write header.csv, episodes.csv and reviews.csv a row at a time; each file appears only
    once it is complete."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    written = []
    try:
        for table, rows in export_tables(year).items():
            part = folder / f"{table}.csv.part"
            written.append(part)
            with part.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(TABLES[table])
                count = 0
                for row in rows:
                    writer.writerow(row)
                    count += 1
            counts[table] = count
    except BaseException:
        for part in written:
            part.unlink(missing_ok=True)
        raise
    for part in written:
        part.replace(part.with_suffix(""))
    return counts
