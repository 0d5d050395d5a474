"""The import plan: what the checked files say, child by child, ready to write
(reviews.ssda903.apply). `plan_from_files` reads the files (reviews.ssda903.parse), groups the
rows by child, builds each child's periods of care and places each review in its period,
applying the rules of reviews.ssda903.check on the way.

Periods follow docs/domain.md, "Periods of care and episodes": RNE S starts one; L/P/T/B/U continue
it (a file that begins in the middle of a period starts it with `began_before_records`).
"""

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from children.code_years import LAST_YEAR, YearCodes, codes_for_year, collection_year_of
from children.codes import ReasonNewEpisode
from children.validators import child_id_problem

from . import check
from .parse import Reader
from .problems import ImportProblems, Problems
from .records import EpisodeRecord, HeaderRecord, Record, ReviewRecord, Source, checked_date


@dataclass(slots=True)
class PlannedPeriod:
    """A period of care as the files give it: its episodes, in order, and the reviews held in it."""

    start: date
    episodes: list[EpisodeRecord]
    end: date | None = None
    reason_ended: str = ""
    reviews: list[ReviewRecord] = field(default_factory=list)
    # The files begin in the middle of this period (its first episode's RNE is not S).
    began_before_records: bool = False

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass
class ImportPlan:
    """The children to write (by CHILD) and their periods of care; the children refused."""

    children: dict[str, HeaderRecord]
    periods: dict[str, list[PlannedPeriod]]
    year: int = LAST_YEAR  # the collection year the files were checked against
    year_chosen: bool = False  # chosen by the user, or read from the latest date in the files
    valid_children_only: bool = False
    # Every child the header names (refused or not): what the files still mention.
    mentioned: set[str] = field(default_factory=set)
    # Valid-children-only mode: each child left out, with its problems.
    refused: dict[str, list[str]] = field(default_factory=dict)

    def refuse(self, refused: dict[str, list[str]]) -> None:
        """Leave refused children out of the plan: nothing of theirs is written."""
        for child_id, child_problems in refused.items():
            self.refused.setdefault(child_id, []).extend(child_problems)
            self.children.pop(child_id, None)
            self.periods.pop(child_id, None)

    def postcode_pairs(self) -> Iterator[tuple[str, str]]:
        """Each episode's (home, placement) postcodes, where both are given: the distances to find."""
        return (
            (row.home_postcode, row.placement_postcode)
            for child_periods in self.periods.values()
            for period in child_periods
            for row in period.episodes
            if row.home_postcode and row.placement_postcode
        )


def plan_from_files(
    files: Mapping[str, Source], *, year: int | None = None, valid_children_only: bool = False
) -> ImportPlan:
    """Read and check the files. All or nothing: any problem raises ImportProblems. With
    `valid_children_only`, the children with problems are left out of the plan (and listed in
    plan.refused); only a problem that names no child raises."""
    problems = Problems(by_child=valid_children_only)
    reader = Reader(problems)
    tables, complete = reader.read(files)
    chosen = year is not None
    if year is None:
        year = collection_year_of(reader.latest) if reader.latest else LAST_YEAR
    # The rules across rows need every table; row-by-row problems are listed with them. (A file
    # not read to its end always leaves a problem naming no child.)
    plan = plan_rows(tables, problems, year=year, year_chosen=chosen) if complete else None
    if plan is None or (problems and (not valid_children_only or problems.general_count)):
        raise ImportProblems.from_problems(problems)
    plan.valid_children_only = valid_children_only
    plan.mentioned = set(plan.children)
    plan.refuse(problems.refused_children())
    return plan


def plan_rows(
    tables: dict[str, list[Record]], problems: Problems, *, year: int = LAST_YEAR, year_chosen: bool = False
) -> ImportPlan:
    """The rules across rows and files, and the code lists of collection year `year`. Returns the
    plan (children, periods); adds to `problems`, each naming its child."""
    # The reader makes each table's rows with its record type (records.RECORD_TYPES).
    header_rows = cast(list[HeaderRecord], tables.get("header", []))
    episode_rows = cast(list[EpisodeRecord], tables.get("episodes", []))
    review_rows = cast(list[ReviewRecord], tables.get("reviews", []))
    children = _children(header_rows, codes_for_year(year), problems)
    episodes = _episodes_by_child(episode_rows, children, problems, year=year, year_chosen=year_chosen)
    periods: dict[str, list[PlannedPeriod]] = {}
    for child_id, rows in episodes.items():
        periods[child_id], found = _periods(rows)
        problems.add_all(found, child_id)
    for row in review_rows:
        problems.add_all(_place_review(row, children, periods, year=year, year_chosen=year_chosen), row.child)
    return ImportPlan(children=children, periods=periods, year=year, year_chosen=year_chosen)


def _children(rows: list[HeaderRecord], codes: YearCodes, problems: Problems) -> dict[str, HeaderRecord]:
    """The header's children, by CHILD (the first row of each)."""
    children: dict[str, HeaderRecord] = {}
    for row in rows:
        if child_id_problem(row.child):
            pass  # already reported as the row was read
        elif row.child in children:
            problems.add(check.twice_in_header(row), row.child)
        else:
            children[row.child] = row
        problems.add_all(check.header_problems(row, codes), row.child)
    return children


def _episodes_by_child(
    rows: list[EpisodeRecord], children: dict[str, HeaderRecord], problems: Problems, *, year: int, year_chosen: bool
) -> dict[str, list[EpisodeRecord]]:
    by_child: dict[str, list[EpisodeRecord]] = defaultdict(list)
    for row in rows:
        header = children.get(row.child)
        if header is None:
            problems.add_all(check.not_in_header(row), row.child)
            continue
        found = check.episode_problems(row, header.date_of_birth, year=year, year_chosen=year_chosen)
        problems.add_all(found, row.child)
        by_child[row.child].append(row)
    return by_child


def _periods(rows: list[EpisodeRecord]) -> tuple[list[PlannedPeriod], list[str]]:
    """A child's episodes as periods of care, and the problems found in putting them together."""
    rows = sorted((row for row in rows if row.start), key=lambda row: checked_date(row.start))
    problems = list(check.overlap_problems(rows))
    periods: list[PlannedPeriod] = []
    for row in rows:
        if row.reason_new_episode == ReasonNewEpisode.STARTED:
            periods.append(PlannedPeriod(start=checked_date(row.start), episodes=[row]))
        elif not periods:
            # Files for one collection year begin in the middle of a period: care began earlier.
            periods.append(PlannedPeriod(start=checked_date(row.start), episodes=[row], began_before_records=True))
        elif problem := check.continues_ended_care(row, periods[-1].episodes[-1]):
            problems.append(problem)
        else:
            periods[-1].episodes.append(row)
    for period in periods:
        last = period.episodes[-1]
        if problem := check.period_end_problem(last, final=period is periods[-1]):
            problems.append(problem)
        if last.end:
            period.end, period.reason_ended = last.end, last.reason_ended
    return periods, problems


def _place_review(
    row: ReviewRecord,
    children: dict[str, HeaderRecord],
    periods: dict[str, list[PlannedPeriod]],
    *,
    year: int,
    year_chosen: bool,
) -> list[str]:
    """Put the review in the period it was held in; returns its problems."""
    header = children.get(row.child)
    if header is None:
        return list(check.not_in_header(row))
    problems = list(check.review_problems(row, header, year=year, year_chosen=year_chosen))
    if not check.review_has_date(row, header):
        return problems
    held_on = checked_date(row.held_on)
    period = next((p for p in periods.get(row.child, []) if p.covers(held_on)), None)
    if period is None:
        problems.append(check.not_looked_after(row))
    elif any(other.held_on == held_on for other in period.reviews):
        problems.append(check.second_review_that_day(row))
    else:
        period.reviews.append(row)
    return problems
