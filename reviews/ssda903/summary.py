"""What an import did (or, in a dry run, would do), and its report as CSV."""

import csv
from dataclasses import dataclass, field
from typing import IO

from children.code_years import LAST_YEAR, codes_for_year, collection_year_label

# Records held that the files no longer mention: the first listed, the rest counted.
MAX_UNMENTIONED_LISTED = 1000


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
    short_break_periods: list[int] = field(default_factory=list)
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
