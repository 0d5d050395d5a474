"""SSDA903 (the DfE "children looked after" return): reading, checking, importing, exporting.

Import is all or nothing: every file is read and every row checked first; any problem is
reported as `file:line: column: message` and nothing is written. Then, in one transaction,
children are created or updated by CHILD, periods of care by (child, start), episodes by
(period, DECOM) and held reviews by (child, REVIEW date); running the same files again
changes nothing. Periods follow DOMAIN.md: RNE S starts one, L/P/T/B/U continue it.
Each imported review's due date and place in its period come from reviews.timescales.
"""

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from children.ages import age_on
from children.codes import (
    EPISODE_CONTINUES,
    CategoryOfNeed,
    Ethnicity,
    LegalStatus,
    Mother,
    PlacementProvider,
    PlacementType,
    ReasonEpisodeCeased,
    ReasonNewEpisode,
    ReasonPlaceChange,
    Sex,
)
from children.models import Child, Episode, PeriodOfCare
from children.postcodes import distance_in_miles
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
from .timescales import minutes_due, outcomes_due, review_due_dates

HEADER = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODES = [
    "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
    "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
]  # fmt: skip
REVIEWS = ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"]
TABLES = {"header": HEADER, "episodes": EPISODES, "reviews": REVIEWS}
DATE_FORMAT = "%d/%m/%Y"

# (column, code list, may be blank)
_CODES = {
    "header": [("SEX", Sex, False), ("ETHNIC", Ethnicity, False), ("MOTHER", Mother, True)],
    "episodes": [
        ("RNE", ReasonNewEpisode, False), ("LS", LegalStatus, False), ("CIN", CategoryOfNeed, False),
        ("PLACE", PlacementType, False), ("PLACE_PROVIDER", PlacementProvider, True),
        ("REC", ReasonEpisodeCeased, True), ("REASON_PLACE_CHANGE", ReasonPlaceChange, True),
    ],
    "reviews": [("REVIEW_CODE", ParticipationCode, False)],
}  # fmt: skip
_DATES = {"header": [("DOB", False), ("MC_DOB", True)], "episodes": [("DECOM", False), ("DEC", True)],
          "reviews": [("DOB", False), ("REVIEW", False)]}  # fmt: skip


class ImportProblems(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class Row:
    file: str
    line: int
    values: dict[str, str]
    dates: dict[str, date | None] = field(default_factory=dict)

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

    def lines(self) -> list[str]:
        return [
            f"children: {self.children_added} added, {self.children_changed} changed",
            f"periods of care: {self.periods_added} added, {self.periods_changed} changed",
            f"episodes: {self.episodes_added} added, {self.episodes_changed} changed",
            f"reviews: {self.reviews_added} added, {self.reviews_changed} changed",
        ]


def read_tables(files: dict[str, bytes]) -> tuple[dict[str, list[Row]], list[str]]:
    """Recognise each file by its exact header row; returns the rows of each table and problems."""
    tables: dict[str, list[Row]] = {}
    problems: list[str] = []
    for name, content in sorted(files.items()):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(f"{name}:1: file: not UTF-8 text")
            continue
        reader = csv.reader(text.splitlines())
        header = next(reader, [])
        header = [column.strip() for column in header]
        table = next((table for table, columns in TABLES.items() if header == columns), None)
        if table is None:
            problems.append(f"{name}:1: header: not an SSDA903 header, episodes or reviews header row")
            continue
        if table in tables:
            problems.append(f"{name}:1: header: a second {table} file; give one of each")
            continue
        rows = []
        for line, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                problems.append(f"{name}:{line}: row: {len(record)} columns, expected {len(header)}")
                continue
            rows.append(Row(name, line, {column: cell.strip() for column, cell in zip(header, record, strict=True)}))
        tables[table] = rows
    for table in TABLES:
        if table not in tables and not any(p.endswith("not UTF-8 text") for p in problems):
            problems.append(f"(folder):0: {table}: no {table} file found (recognised by its header row)")
    return tables, problems


def _parse_row(table: str, row: Row, problems: list[str]) -> None:
    for column, optional in _DATES[table]:
        raw = row.values[column]
        if not raw:
            if not optional:
                problems.append(f"{row.where(column)}: a date is required (DD/MM/YYYY)")
            row.dates[column] = None
            continue
        try:
            row.dates[column] = datetime.strptime(raw, DATE_FORMAT).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            problems.append(f"{row.where(column)}: {raw!r} is not a date in the form DD/MM/YYYY")
            row.dates[column] = None
    for column, codes, optional in _CODES[table]:
        raw = row.values[column]
        if not raw and optional:
            continue
        if raw not in codes.values:
            problems.append(f"{row.where(column)}: {raw!r} is not a {column} code")


@dataclass
class PlannedPeriod:
    start: date
    episodes: list[Row]
    end: date | None = None
    reason_ended: str = ""
    reviews: list[Row] = field(default_factory=list)
    began_before_records: bool = False


def check(tables: dict[str, list[Row]]) -> tuple[dict, list[str]]:
    """Every rule, over every row. Returns the plan (children, periods) and the problems."""
    problems: list[str] = []
    for table, rows in tables.items():
        for row in rows:
            _parse_row(table, row, problems)

    children: dict[str, Row] = {}
    for row in tables.get("header", []):
        child_id = row.values["CHILD"]
        if not child_id:
            problems.append(f"{row.where('CHILD')}: CHILD is required")
        elif child_id in children:
            problems.append(f"{row.where('CHILD')}: child {child_id} appears twice in the header")
        else:
            children[child_id] = row
        if row.values["MOTHER"] and row.values["SEX"] != Sex.FEMALE:
            problems.append(f"{row.where('MOTHER')}: MOTHER is only given for girls")

    episodes_by_child: dict[str, list[Row]] = defaultdict(list)
    for row in tables.get("episodes", []):
        if row.values["CHILD"] not in children:
            problems.append(f"{row.where('CHILD')}: child {row.values['CHILD']} is not in the header file")
            continue
        start, end = row.dates.get("DECOM"), row.dates.get("DEC")
        if start and end and end < start:
            problems.append(f"{row.where('DEC')}: the episode ends before it starts ({row.values['DECOM']})")
        if end and not row.values["REC"]:
            problems.append(f"{row.where('REC')}: an episode with an end date (DEC) needs a reason (REC)")
        if row.values["REC"] and not end:
            problems.append(f"{row.where('DEC')}: a reason the episode ceased (REC) needs an end date (DEC)")
        dob = children[row.values["CHILD"]].dates.get("DOB")
        if start and dob and start < dob:
            problems.append(f"{row.where('DECOM')}: the episode starts before the child's date of birth")
        episodes_by_child[row.values["CHILD"]].append(row)

    periods: dict[str, list[PlannedPeriod]] = {}
    for child_id, rows in episodes_by_child.items():
        rows = [row for row in rows if row.dates.get("DECOM")]
        rows.sort(key=lambda row: row.dates["DECOM"])
        for earlier, later in zip(rows, rows[1:], strict=False):
            earlier_end = earlier.dates.get("DEC")
            if earlier_end is None or earlier_end > later.dates["DECOM"]:
                problems.append(
                    f"{later.where('DECOM')}: this episode overlaps the one starting {earlier.values['DECOM']} "
                    f"({earlier.file}:{earlier.line})"
                )
        child_periods: list[PlannedPeriod] = []
        for row in rows:
            if row.values["RNE"] == ReasonNewEpisode.STARTED:
                child_periods.append(PlannedPeriod(start=row.dates["DECOM"], episodes=[row]))
            elif not child_periods:
                # Files for one collection year begin in the middle of a period: care began earlier.
                child_periods.append(PlannedPeriod(start=row.dates["DECOM"], episodes=[row], began_before_records=True))
            elif child_periods[-1].episodes[-1].values["REC"] not in ("", EPISODE_CONTINUES):
                problems.append(
                    f"{row.where('RNE')}: RNE {row.values['RNE']} continues a period of care, but the episode "
                    f"before it ended care (REC {child_periods[-1].episodes[-1].values['REC']}); "
                    "a new period needs RNE S"
                )
            else:
                child_periods[-1].episodes.append(row)
        for period in child_periods:
            last = period.episodes[-1]
            if last.dates.get("DEC"):
                if last.values["REC"] == EPISODE_CONTINUES:
                    if period is child_periods[-1]:
                        problems.append(f"{last.where('REC')}: X1 says a new episode follows, but none does")
                    else:
                        problems.append(
                            f"{last.where('REC')}: X1 says care continues, but the next episode starts a new "
                            "period (RNE S)"
                        )
                period.end, period.reason_ended = last.dates["DEC"], last.values["REC"]
        periods[child_id] = child_periods

    for row in tables.get("reviews", []):
        child_id = row.values["CHILD"]
        if child_id not in children:
            problems.append(f"{row.where('CHILD')}: child {child_id} is not in the header file")
            continue
        header_dob, review_dob, held_on = (
            children[child_id].dates.get("DOB"),
            row.dates.get("DOB"),
            row.dates.get("REVIEW"),
        )
        if header_dob and review_dob and header_dob != review_dob:
            problems.append(
                f"{row.where('DOB')}: {row.values['DOB']} differs from the header's date of birth "
                f"({children[child_id].values['DOB']})"
            )
        if not (header_dob and held_on):
            continue
        if held_on < header_dob:
            problems.append(f"{row.where('REVIEW')}: the review is before the child's date of birth")
            continue
        problem = participation_code_problem(row.values["REVIEW_CODE"], age_on(header_dob, held_on))
        if problem and row.values["REVIEW_CODE"] in ParticipationCode.values:
            problems.append(f"{row.where('REVIEW_CODE')}: {problem}")
        period = next(
            (p for p in periods.get(child_id, []) if p.start <= held_on and (p.end is None or held_on <= p.end)), None
        )
        if period is None:
            problems.append(f"{row.where('REVIEW')}: the child was not looked after on {row.values['REVIEW']}")
        elif any(other.dates["REVIEW"] == held_on for other in period.reviews):
            problems.append(f"{row.where('REVIEW')}: a second review for this child on the same day")
        else:
            period.reviews.append(row)
    return {"children": children, "periods": periods}, problems


def plan_from_files(files: dict[str, bytes]) -> dict:
    tables, problems = read_tables(files)
    plan, more = check(tables) if not problems else ({}, [])
    problems += more
    if problems:
        raise ImportProblems(problems)
    return plan


def read_folder(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.csv"))}


CHILD_FIELDS = ["sex", "date_of_birth", "ethnicity", "upn", "mother", "mother_child_date_of_birth"]
EPISODE_FIELDS = [
    "reason_new_episode", "legal_status", "category_of_need", "placement_type", "placement_provider", "end",
    "reason_ended", "reason_place_change", "home_postcode", "placement_postcode", "urn", "placement_distance_miles",
]  # fmt: skip


def _child_fields(row: Row) -> dict:
    return {
        "sex": row.values["SEX"],
        "date_of_birth": row.dates["DOB"],
        "ethnicity": row.values["ETHNIC"],
        "upn": row.values["UPN"],
        "mother": row.values["MOTHER"],
        "mother_child_date_of_birth": row.dates.get("MC_DOB"),
    }


def _episode_fields(row: Row) -> dict:
    return {
        "reason_new_episode": row.values["RNE"],
        "legal_status": row.values["LS"],
        "category_of_need": row.values["CIN"],
        "placement_type": row.values["PLACE"],
        "placement_provider": row.values["PLACE_PROVIDER"],
        "end": row.dates.get("DEC"),
        "reason_ended": row.values["REC"],
        "reason_place_change": row.values["REASON_PLACE_CHANGE"],
        "home_postcode": row.values["HOME_POST"],
        "placement_postcode": row.values["PL_POST"],
        "urn": row.values["URN"],
        "placement_distance_miles": distance_in_miles(row.values["HOME_POST"], row.values["PL_POST"]),
    }


@transaction.atomic
def apply_plan(plan: dict, *, dry_run: bool = False) -> ImportSummary:
    """Write the checked plan: create what is new, update what changed. With dry_run, roll back
    (the preview: what would be added and changed)."""
    summary = ImportSummary()
    savepoint = transaction.savepoint()
    existing_children = {child.local_id: child for child in Child.objects.filter(local_id__in=list(plan["children"]))}
    child_table = BulkInserter(Child)
    child_ids: dict[str, int] = {}
    changed_children = []
    now = timezone.now()
    for local_id, row in plan["children"].items():
        fields = _child_fields(row)
        child = existing_children.get(local_id)
        if child is None:
            # SSDA903 holds no names: a new child is named by their ID until someone adds the name.
            child_ids[local_id] = child_table.add(
                local_id=local_id, first_name="Child", last_name=local_id, created_at=now, **fields
            )
            summary.children_added += 1
        else:
            child_ids[local_id] = child.pk
            if any(getattr(child, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(child, name, value)
                changed_children.append(child)
    child_table.finish()
    Child.objects.bulk_update(changed_children, CHILD_FIELDS)
    summary.children_changed = len(changed_children)

    ids = list(child_ids.values())
    existing_periods = {(p.child_id, p.start): p for p in PeriodOfCare.objects.filter(child_id__in=ids)}
    existing_episodes = {
        (e.period_of_care_id, e.start): e for e in Episode.objects.filter(period_of_care__child_id__in=ids)
    }
    existing_reviews = {
        (r.child_id, r.held_on): r for r in Review.objects.filter(child_id__in=ids, status=ReviewStatus.HELD)
    }
    outstanding = {
        r.period_of_care_id: r for r in Review.objects.filter(child_id__in=ids, status__in=OUTSTANDING_STATUSES)
    }
    period_table, episode_table, review_table = BulkInserter(PeriodOfCare), BulkInserter(Episode), BulkInserter(Review)
    changed_periods, changed_episodes, changed_reviews = [], [], []
    for local_id, child_periods in plan["periods"].items():
        child_id = child_ids[local_id]
        for period in child_periods:
            current = existing_periods.get((child_id, period.start))
            if current is None:
                period_id = period_table.add(
                    child_id=child_id,
                    start=period.start,
                    end=period.end,
                    reason_ended=period.reason_ended,
                    began_before_records=period.began_before_records,
                )
                summary.periods_added += 1
            else:
                period_id = current.pk
                if (current.end, current.reason_ended) != (period.end, period.reason_ended):
                    current.end, current.reason_ended = period.end, period.reason_ended
                    changed_periods.append(current)
            for row in period.episodes:
                fields = _episode_fields(row)
                episode = existing_episodes.get((period_id, row.dates["DECOM"]))
                if episode is None:
                    episode_table.add(period_of_care_id=period_id, start=row.dates["DECOM"], **fields)
                    summary.episodes_added += 1
                elif any(getattr(episode, name) != value for name, value in fields.items()):
                    for name, value in fields.items():
                        setattr(episode, name, value)
                    changed_episodes.append(episode)
            on_clock = period.episodes[-1].values["LS"] not in ("V3", "V4")
            held = sorted(period.reviews, key=lambda row: row.dates["REVIEW"])
            dues = review_due_dates(
                period.start, [row.dates["REVIEW"] for row in held], began_before_records=period.began_before_records
            )

            def place(position: int, period: PlannedPeriod = period) -> str:
                return ReviewSequence.SUBSEQUENT if period.began_before_records else sequence_for(position)

            for position, row in enumerate(held):
                held_on = row.dates["REVIEW"]
                fields = {
                    "sequence": place(position),
                    "due_date": dues[position] if on_clock else None,
                    "participation_code": row.values["REVIEW_CODE"],
                    "outcomes_due_on": outcomes_due(held_on),
                    "minutes_due_on": minutes_due(held_on),
                }
                review = existing_reviews.get((child_id, held_on))
                if review is None:
                    review_table.add(
                        child_id=child_id,
                        period_of_care_id=period_id,
                        status=ReviewStatus.HELD,
                        held_on=held_on,
                        **fields,
                    )
                    summary.reviews_added += 1
                elif any(getattr(review, name) != value for name, value in fields.items()):
                    for name, value in fields.items():
                        setattr(review, name, value)
                    changed_reviews.append(review)
            # The next review: due while the period is open, none once it has ended.
            next_due = dues[len(held)] if on_clock else None
            waiting = outstanding.get(period_id)
            if period.end is None and waiting is None:
                review_table.add(
                    child_id=child_id,
                    period_of_care_id=period_id,
                    status=ReviewStatus.DUE,
                    sequence=sequence_for(len(held)),
                    due_date=next_due,
                )
            elif waiting is not None and period.end is not None:
                waiting.status = ReviewStatus.CANCELLED
                changed_reviews.append(waiting)
            elif waiting is not None and (waiting.due_date, waiting.sequence) != (next_due, place(len(held))):
                waiting.due_date, waiting.sequence = next_due, place(len(held))
                changed_reviews.append(waiting)
    period_table.finish()
    episode_table.finish()
    review_table.finish()
    PeriodOfCare.objects.bulk_update(changed_periods, ["end", "reason_ended"])
    Episode.objects.bulk_update(changed_episodes, EPISODE_FIELDS)
    Review.objects.bulk_update(
        changed_reviews, ["sequence", "due_date", "participation_code", "outcomes_due_on", "minutes_due_on", "status"]
    )
    summary.periods_changed, summary.episodes_changed = len(changed_periods), len(changed_episodes)
    summary.reviews_changed = len([r for r in changed_reviews if r.status == ReviewStatus.HELD])
    if dry_run:
        transaction.savepoint_rollback(savepoint)
    else:
        transaction.savepoint_commit(savepoint)
    return summary


def import_files(files: dict[str, bytes], *, dry_run: bool = False) -> ImportSummary:
    return apply_plan(plan_from_files(files), dry_run=dry_run)


# --- Export --------------------------------------------------------------------------------


def _d(day: date | None) -> str:
    return day.strftime(DATE_FORMAT) if day else ""


def collection_year(year: int) -> tuple[date, date]:
    """The collection year ending 31 March `year`."""
    return date(year - 1, 4, 1), date(year, 3, 31)


def export_rows(year: int | None) -> dict[str, list[list[str]]]:
    """The year's rows as the return lays them out; with year None, the whole history."""
    start, end = collection_year(year) if year else (date.min, date.max)
    periods = PeriodOfCare.objects.filter(start__lte=end).exclude(end__lt=start)
    child_ids = periods.values("child_id")
    children = Child.objects.filter(pk__in=child_ids).order_by("local_id")
    episodes = (
        Episode.objects.filter(period_of_care__child_id__in=child_ids, start__lte=end)
        .exclude(end__lt=start)
        .select_related("period_of_care__child")
        .order_by("period_of_care__child__local_id", "start")
    )
    reviews = (
        Review.objects.filter(status=ReviewStatus.HELD, held_on__gte=start, held_on__lte=end)
        .select_related("child")
        .order_by("child__local_id", "held_on")
    )

    def ceased(e: Episode) -> tuple[str, str]:
        # As the return sees it on 31 March: an episode that ends later is still open then.
        return ("", "") if e.end is None or e.end > end else (_d(e.end), e.reason_ended)

    return {
        "header": [
            [c.local_id, c.sex, _d(c.date_of_birth), c.ethnicity, c.upn, c.mother, _d(c.mother_child_date_of_birth)]
            for c in children
        ],
        "episodes": [
            [
                e.period_of_care.child.local_id, _d(e.start), e.reason_new_episode, e.legal_status,
                e.category_of_need, e.placement_type, e.placement_provider, *ceased(e),
                e.reason_place_change, e.home_postcode, e.placement_postcode, e.urn,
            ]
            for e in episodes
        ],
        "reviews": [
            [r.child.local_id, _d(r.child.date_of_birth), _d(r.held_on), r.participation_code] for r in reviews
        ],
    }  # fmt: skip


def export_folder(year: int | None, folder: Path) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table, rows in export_rows(year).items():
        with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(TABLES[table])
            writer.writerows(rows)
        counts[table] = len(rows)
    return counts
