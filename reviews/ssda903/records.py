"""The three SSDA903 tables and their rows as typed records.

A national return holds millions of rows, so a record stays small: its cells are one tuple of
shared strings and its dates one tuple, parsed once; the named attributes (`record.start`,
`record.legal_status`) read from those tuples. Problem lines name a row by file, line and the
file's own column name (`record.where("DECOM")`).
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, ClassVar

from children.code_years import YearCodes

HEADER = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODES = [
    "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
    "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
]  # fmt: skip
REVIEWS = ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"]
TABLES = {"header": HEADER, "episodes": EPISODES, "reviews": REVIEWS}
DATE_FORMAT = "%d/%m/%Y"

# The date columns of each table, and whether each may be blank.
DATES = {"header": [("DOB", False), ("MC_DOB", True)], "episodes": [("DECOM", False), ("DEC", True)],
         "reviews": [("DOB", False), ("REVIEW", False)]}  # fmt: skip
# The dates that say which collection year a file belongs to (its latest).
ACTIVITY_DATES = {"header": (), "episodes": ("DECOM", "DEC"), "reviews": ("REVIEW",)}
_COLUMN = {table: {column: index for index, column in enumerate(columns)} for table, columns in TABLES.items()}
_DATE_COLUMN = {table: {column: index for index, (column, _) in enumerate(dates)} for table, dates in DATES.items()}

# A file to read: its bytes, a path, or an open binary file (an upload, a stored file).
Source = bytes | Path | IO[bytes]


class _Text:
    """A text column of a record, by the file's column name."""

    def __init__(self, column: str) -> None:
        self.column = column

    def __get__(self, record: "Record", owner: type | None = None) -> str:
        return record[self.column]


class _Date:
    """A date column of a record: None when blank or not a date (a problem says which)."""

    def __init__(self, column: str) -> None:
        self.column = column

    def __get__(self, record: "Record", owner: type | None = None) -> date | None:
        return record.date(self.column)


@dataclass(slots=True, eq=False)
class Record:
    """One data row of a table: where it was read, its cells (stripped) and its parsed dates."""

    file: str
    line: int
    cells: tuple[str, ...]
    dates: tuple[date | None, ...] = ()

    table: ClassVar[str] = ""

    def __getitem__(self, column: str) -> str:
        return self.cells[_COLUMN[self.table][column]]

    def date(self, column: str) -> date | None:
        return self.dates[_DATE_COLUMN[self.table][column]] if self.dates else None

    def where(self, column: str) -> str:
        return f"{self.file}:{self.line}: {column}"

    @property
    def child(self) -> str:
        return self.cells[0]  # CHILD is the first column of every table


class HeaderRecord(Record):
    """A row of the header file: one child."""

    __slots__ = ()
    table = "header"

    sex = _Text("SEX")
    date_of_birth = _Date("DOB")
    ethnicity = _Text("ETHNIC")
    upn = _Text("UPN")
    mother = _Text("MOTHER")
    mother_child_date_of_birth = _Date("MC_DOB")

    def stored_sex(self, codes: YearCodes) -> str:
        """SEX as stored (M/F/U) when the year `codes` knows it; else as the file gives it (rule
        101 reports that)."""
        return codes.stored_sex(self.sex) or self.sex


class EpisodeRecord(Record):
    """A row of the episodes file: one episode of a period of care."""

    __slots__ = ()
    table = "episodes"

    start = _Date("DECOM")
    reason_new_episode = _Text("RNE")
    legal_status = _Text("LS")
    category_of_need = _Text("CIN")
    placement_type = _Text("PLACE")
    placement_provider = _Text("PLACE_PROVIDER")
    end = _Date("DEC")
    reason_ended = _Text("REC")
    reason_place_change = _Text("REASON_PLACE_CHANGE")
    home_postcode = _Text("HOME_POST")
    placement_postcode = _Text("PL_POST")
    urn = _Text("URN")


class ReviewRecord(Record):
    """A row of the reviews file: one review held."""

    __slots__ = ()
    table = "reviews"

    date_of_birth = _Date("DOB")
    held_on = _Date("REVIEW")
    participation_code = _Text("REVIEW_CODE")


def checked_date(day: date | None) -> date:
    """A date the checks have already required: a row without it never reaches the plan's periods
    (episodes without DECOM are left out, reviews without REVIEW are not placed), a child without
    DOB is refused, and a held review is never stored without held_on (the database refuses one)."""
    if day is None:
        raise ValueError("a date the SSDA903 checks require is missing")
    return day


RECORD_TYPES: dict[str, type[Record]] = {"header": HeaderRecord, "episodes": EpisodeRecord, "reviews": ReviewRecord}

CURSOR_CHUNK = 5000  # rows fetched at a time from a server-side cursor


def collection_year(year: int) -> tuple[date, date]:
    """The collection year ending 31 March `year`."""
    return date(year - 1, 4, 1), date(year, 3, 31)
