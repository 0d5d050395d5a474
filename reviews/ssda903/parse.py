"""Reading SSDA903 files into records, a row at a time.

Each file is recognised by its exact header row. A file over `IRO_SSDA903_MAX_BYTES` is refused
before it is read; each row is kept as a small tuple of shared strings, its dates parsed once
(reviews.ssda903.records), and checked by the per-row rules as it is read
(reviews.ssda903.check.row_problems).
"""

import _csv
import csv
import io
import os
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import IO

from django.conf import settings

from .check import row_problems
from .problems import Problems
from .records import ACTIVITY_DATES, DATE_FORMAT, DATES, RECORD_TYPES, TABLES, Record, Source

# Dates outside these years are refused: no child in care was born before 1900, and the clock
# adds months and working days to every date (31/12/9999 would overflow it).
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2100, 12, 31)


def max_file_bytes() -> int:
    """The largest SSDA903 file accepted (setting IRO_SSDA903_MAX_BYTES)."""
    limit: int = settings.IRO_SSDA903_MAX_BYTES
    return limit


def describe_size(size: int) -> str:
    """A file size as the limit messages give it: "312 bytes", "31.4 MB"."""
    return f"{size:,} bytes" if size < 1_000_000 else f"{size / 1_000_000:,.1f} MB"


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


def _csv_error(error: csv.Error) -> str:
    if "field limit" in str(error):
        return f"a field is over {csv.field_size_limit():,} characters (or a quote is never closed)"
    return f"not CSV ({error})"


class Reader:
    """Reads the files a row at a time; per-row rules are checked as each row is read."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.strings: dict[str, str] = {}  # one copy of each repeated value (codes, dates, IDs)
        self.dates: dict[str, date | str] = {}  # raw text -> date, or why it is not one
        self.latest: date | None = None  # the latest DECOM, DEC or REVIEW: the files' collection year

    def read(self, files: Mapping[str, Source]) -> tuple[dict[str, list[Record]], bool]:
        """The records of each table, and whether every table was found and read to its end."""
        tables: dict[str, list[Record]] = {}
        complete = True
        for name, source in sorted(files.items()):
            complete = self._read_source(name, source, tables) and complete
        if complete:
            for table in TABLES:
                if table not in tables:
                    self.problems.add(f"(folder):0: {table}: no {table} file found (recognised by its header row)")
                    complete = False
        if complete and not any(tables.values()):
            self.problems.add("(folder):0: rows: the files hold header lines but no rows; nothing to import")
            complete = False
        return tables, complete

    def _read_source(self, name: str, source: Source, tables: dict[str, list[Record]]) -> bool:
        """Read one file, unless it is over the limit; False if it could not be read to its end."""
        size, limit = _size(source), max_file_bytes()
        if size > limit:
            self.problems.add(
                f"{name}:0: file: {describe_size(size)} is over the {describe_size(limit)} limit for one SSDA903 "
                "file (IRO_SSDA903_MAX_BYTES); nothing was read"
            )
            return False
        handle = _open(source)
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        try:
            return self._read_file(name, text, tables)
        finally:
            text.detach()  # the caller's file stays open; a path is closed here
            if isinstance(source, Path):
                handle.close()

    def _read_file(self, name: str, text: io.TextIOWrapper, tables: dict[str, list[Record]]) -> bool:
        """Read one file into `tables`; False if it could not be read to its end."""
        reader = csv.reader(text)
        try:
            header = [column.strip() for column in next(reader, [])]
            table = next((table for table, columns in TABLES.items() if header == columns), None)
            if table is None:
                self.problems.add(f"{name}:1: header: not an SSDA903 header, episodes or reviews header row")
            elif table in tables:
                self.problems.add(f"{name}:1: header: a second {table} file; give one of each")
            else:
                rows: list[Record] = []
                tables[table] = rows  # holds what was read, should the file fail part way
                self._read_rows(name, table, reader, rows)
        except UnicodeDecodeError:
            self.problems.add(f"{name}:{reader.line_num + 1}: file: not UTF-8 text; the rest of the file was not read")
            return False
        except csv.Error as error:
            self.problems.add(f"{name}:{reader.line_num}: row: {_csv_error(error)}; the rest of the file was not read")
            return False
        return True

    def _read_rows(self, name: str, table: str, reader: _csv.Reader, rows: list[Record]) -> None:
        width = len(TABLES[table])
        strings = self.strings
        make = RECORD_TYPES[table]
        last = reader.line_num
        for cells in reader:
            line, last = last + 1, reader.line_num  # a row's own first line (a quoted value may span lines)
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != width:
                # The first column is CHILD in every table: the child is refused, not the file.
                child = cells[0].strip() if cells and cells[0].strip() else None
                self.problems.add(f"{name}:{line}: row: {len(cells)} columns, expected {width}", child)
                continue
            record = make(name, line, tuple(strings.setdefault(value, value) for value in (c.strip() for c in cells)))
            bad_dates = self._parse_dates(record)
            self.problems.add_all(row_problems(record, bad_dates), record.child)
            rows.append(record)

    def _parse_dates(self, record: Record) -> dict[str, str]:
        """Give the record its dates (None when blank or not a date); returns why each date that
        is not blank is not one."""
        parsed = [self._date(record[column]) for column, _ in DATES[record.table]]
        record.dates = tuple(day if isinstance(day, date) else None for day in parsed)
        for column in ACTIVITY_DATES[record.table]:
            day = record.date(column)
            if day and (self.latest is None or day > self.latest):
                self.latest = day
        columns = (column for column, _ in DATES[record.table])
        return {column: why for column, why in zip(columns, parsed, strict=True) if isinstance(why, str)}

    def _date(self, raw: str) -> date | str | None:
        """The date in DD/MM/YYYY; None when blank; else why it is not a date."""
        if not raw:
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
        return parsed


def read_tables(files: dict[str, Source], problems: Problems | None = None) -> tuple[dict[str, list[Record]], Problems]:
    """Recognise each file by its exact header row; returns the records of each table and the problems."""
    problems = Problems() if problems is None else problems
    tables, _ = Reader(problems).read(files)
    return tables, problems


def read_folder(folder: Path) -> dict[str, Path]:
    """The folder's CSV files, by name (read later, a row at a time)."""
    return {path.name: path for path in sorted(folder.glob("*.csv"))}
