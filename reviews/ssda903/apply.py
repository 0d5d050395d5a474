"""Writing a checked plan (reviews.ssda903.plan) to the database, in one transaction.

Children are created or updated by CHILD, periods of care by (child, start), episodes by
(period, DECOM) and held reviews by (child, REVIEW date); running the same files again changes
nothing. A file that begins in the middle of a period continues the period already held. Each
imported review's due date and place in its period come from reviews.timescales.

The database is read and written a batch of children at a time; new rows are given their ids up
front and written with iro_service.bulk.BulkInserter. What the database holds for the year and the
files no longer mention is listed, never deleted.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from children.code_years import YearCodes, codes_for_year, collection_year_label
from children.codes import SHORT_BREAK_LEGAL_STATUSES
from children.models import Child, Episode, PeriodOfCare
from children.postcodes import distances_in_miles
from iro_service.bulk import BulkInserter

from ..codes import OUTSTANDING_STATUSES, ReviewSequence, ReviewStatus
from ..facts import review_facts_refresh
from ..models import Review
from ..services import review_due_dates_refresh, sequence_for
from ..timescales import DueDate, Spell, minutes_due, outcomes_due, review_due_series
from .plan import ImportPlan, PlannedPeriod, plan_from_files
from .problems import ImportProblems, Problems
from .records import CURSOR_CHUNK, EpisodeRecord, HeaderRecord, Source, checked_date, collection_year
from .summary import ImportSummary

# Children read and written per round trip to the database (bounds memory on a re-import).
CHILDREN_PER_BATCH = 2000

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


def import_files(
    files: Mapping[str, Source], *, dry_run: bool = False, year: int | None = None, valid_children_only: bool = False
) -> ImportSummary:
    """Check and import the files (see reviews.ssda903). `year`: the collection year the files
    belong to (2025 for 2024-25); None reads it from the latest date in the files."""
    plan = plan_from_files(files, year=year, valid_children_only=valid_children_only)
    return apply_plan(plan, dry_run=dry_run)


@transaction.atomic
def apply_plan(plan: ImportPlan, *, dry_run: bool = False) -> ImportSummary:
    """Write the checked plan: create what is new, update what changed, a batch of children at a
    time. A clash with periods already held is a problem: then nothing is written, or, in the
    valid-children-only mode, the clashing children are refused and the rest written again (one
    more pass at most: a clash depends only on the child's own rows). With dry_run, roll back (the
    preview: what would be added and changed)."""
    while True:
        try:
            return _apply_plan_once(plan, dry_run=dry_run)
        except ImportProblems as error:
            if not plan.valid_children_only or error.refused is None:
                raise
            plan.refuse(error.refused)


def _apply_plan_once(plan: ImportPlan, *, dry_run: bool) -> ImportSummary:
    summary = ImportSummary(year=plan.year, year_chosen=plan.year_chosen, refused=plan.refused)
    problems = Problems(by_child=plan.valid_children_only)
    savepoint = transaction.savepoint()
    writer = _Writer(plan, summary, problems)
    for batch in _batches(plan.children.items(), CHILDREN_PER_BATCH):
        writer.write_batch(batch)
    if problems:
        transaction.savepoint_rollback(savepoint)
        error = ImportProblems.from_problems(problems)
        error.refused = problems.refused_children() if problems.by_child is not None else None
        raise error
    writer.finish()
    _children_not_mentioned(plan.mentioned, plan.year, summary)
    # Periods with short breaks: their reg 48 series may run across periods, so the clock is
    # stored again now that the rows are written.
    for period in PeriodOfCare.objects.filter(pk__in=summary.short_break_periods).order_by("child_id", "start"):
        review_due_dates_refresh(period_of_care=period)
    if dry_run:
        transaction.savepoint_rollback(savepoint)
    else:
        transaction.savepoint_commit(savepoint)
    return summary


T = TypeVar("T")


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _changed(instance: models.Model, fields: dict[str, Any]) -> bool:
    """Give the instance the fields' values; whether any was different."""
    if all(getattr(instance, name) == value for name, value in fields.items()):
        return False
    for name, value in fields.items():
        setattr(instance, name, value)
    return True


@dataclass
class _Held:
    """What the database holds for a batch of children, read once for the batch."""

    children: dict[str, Child]  # by CHILD
    periods: dict[int, list[PeriodOfCare]] = field(default_factory=dict)  # by child id, in order of start
    episodes: dict[tuple[int, date], Episode] = field(default_factory=dict)  # by (period id, start)
    reviews: dict[tuple[int, date], Review] = field(default_factory=dict)  # held, by (child id, held on)
    outstanding: dict[int, Review] = field(default_factory=dict)  # due or booked, by period id
    held_on_by_period: dict[int, list[date]] = field(default_factory=dict)

    @classmethod
    def load(cls, local_ids: list[str]) -> "_Held":
        held = cls(children={c.local_id: c for c in Child.objects.filter(local_id__in=local_ids)})
        ids = [child.pk for child in held.children.values()]
        periods: dict[int, list[PeriodOfCare]] = defaultdict(list)
        for period in PeriodOfCare.objects.filter(child_id__in=ids).order_by("start"):
            periods[period.child_id].append(period)
        held.periods = periods
        held.episodes = {
            (e.period_of_care_id, e.start): e for e in Episode.objects.filter(period_of_care__child_id__in=ids)
        }
        held.reviews = {
            (r.child_id, checked_date(r.held_on)): r
            for r in Review.objects.filter(child_id__in=ids, status=ReviewStatus.HELD)
        }
        held.outstanding = {
            r.period_of_care_id: r for r in Review.objects.filter(child_id__in=ids, status__in=OUTSTANDING_STATUSES)
        }
        held_on_by_period: dict[int, list[date]] = defaultdict(list)
        for review in held.reviews.values():
            held_on_by_period[review.period_of_care_id].append(checked_date(review.held_on))
        held.held_on_by_period = held_on_by_period
        return held


@dataclass
class _Changes:
    """Rows already held that a batch changes, written together at the batch's end."""

    children: list[Child] = field(default_factory=list)
    closing: list[PeriodOfCare] = field(default_factory=list)
    reopening: list[PeriodOfCare] = field(default_factory=list)
    episodes: list[Episode] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)

    def write(self, summary: ImportSummary) -> None:
        # Order matters: at most one open period per child and one outstanding review per period
        # are checked row by row, so periods close before any opens (new rows come after this).
        Child.objects.bulk_update(self.children, CHILD_FIELDS)
        PeriodOfCare.objects.bulk_update(self.closing, ["end", "reason_ended"])
        PeriodOfCare.objects.bulk_update(self.reopening, ["end", "reason_ended"])
        Episode.objects.bulk_update(self.episodes, EPISODE_FIELDS)
        Review.objects.bulk_update(self.reviews, REVIEW_FIELDS)
        summary.children_changed += len(self.children)
        summary.periods_changed += len(self.closing) + len(self.reopening)
        summary.episodes_changed += len(self.episodes)
        summary.reviews_changed += len([r for r in self.reviews if r.status == ReviewStatus.HELD])


@dataclass(slots=True)
class _Period:
    """A planned period as written: its id, and what the clock takes from the period held."""

    id: int
    start: date
    began_before_records: bool
    held_before: list[date]  # reviews held in the period before the files begin

    def place(self, position: int) -> str:
        return ReviewSequence.SUBSEQUENT if self.began_before_records else sequence_for(position)


class _Writer:
    """One pass over the plan: rows queued with their ids given up front, written a batch at a time."""

    def __init__(self, plan: ImportPlan, summary: ImportSummary, problems: Problems) -> None:
        self.plan, self.summary, self.problems = plan, summary, problems
        self.codes: YearCodes = codes_for_year(plan.year)
        # Ids are given out up front; rows are written at the end of each batch (write_batch).
        self.tables = {model: BulkInserter(model, batch_size=10**9) for model in (Child, PeriodOfCare, Episode, Review)}
        self.distances = distances_in_miles(plan.postcode_pairs())

    def write_batch(self, batch: list[tuple[str, HeaderRecord]]) -> None:
        held = _Held.load([local_id for local_id, _ in batch])
        changes = _Changes()
        now = timezone.now()
        child_ids = {local_id: self._child(local_id, row, held, changes, now) for local_id, row in batch}
        for local_id, header in batch:
            self._periods(local_id, child_ids[local_id], checked_date(header.date_of_birth), held, changes)
        if self.problems:
            for table in self.tables.values():
                table.rows.clear()  # nothing will be written
            return
        _held_not_mentioned(self.plan, held, self.summary)
        changes.write(self.summary)
        for table in self.tables.values():
            table.flush()
        # The batch's reviews are all written: their stored facts in one statement.
        review_facts_refresh(child_ids=child_ids.values())

    def finish(self) -> None:
        for table in self.tables.values():
            table.finish()

    def _child(self, local_id: str, row: HeaderRecord, held: _Held, changes: _Changes, now: datetime) -> int:
        fields = {
            "sex": row.stored_sex(self.codes),
            "date_of_birth": row.date_of_birth,
            "ethnicity": row.ethnicity,
            "upn": row.upn,
            "mother": row.mother,
            "mother_child_date_of_birth": row.mother_child_date_of_birth,
        }
        child = held.children.get(local_id)
        if child is None:
            self.summary.children_added += 1
            # SSDA903 holds no names: a new child is named by their ID until someone adds the name.
            return self.tables[Child].add(
                local_id=local_id, first_name="Child", last_name=local_id, created_at=now, **fields
            )
        if _changed(child, fields):
            changes.children.append(child)
        return child.pk

    def _periods(self, local_id: str, child_id: int, date_of_birth: date, held: _Held, changes: _Changes) -> None:
        held_periods = held.periods.get(child_id, [])
        matched = [(period, _held_period_for(period, held_periods)) for period in self.plan.periods.get(local_id, [])]
        matched_ids = {current.pk for _, current in matched if current is not None}
        others = [p for p in held_periods if p.pk not in matched_ids]
        clashes = [problem for period, current in matched if (problem := _clash(period, current, others))]
        self.problems.add_all(clashes, local_id)
        if clashes or self.problems:
            return  # nothing will be written: only look for more problems
        for period, current in matched:
            written = self._period(period, current, child_id, held, changes)
            self._episodes(period, written, held, changes)
            spells = self._spells(period, written, held)
            self._reviews(period, written, child_id, date_of_birth, spells, held, changes)

    def _period(
        self, period: PlannedPeriod, current: PeriodOfCare | None, child_id: int, held: _Held, changes: _Changes
    ) -> _Period:
        if current is None:
            period_id = self.tables[PeriodOfCare].add(
                child_id=child_id,
                start=period.start,
                end=period.end,
                reason_ended=period.reason_ended,
                began_before_records=period.began_before_records,
            )
            self.summary.periods_added += 1
            return _Period(period_id, period.start, period.began_before_records, [])
        if (current.end, current.reason_ended) != (period.end, period.reason_ended):
            current.end, current.reason_ended = period.end, period.reason_ended
            (changes.reopening if period.end is None else changes.closing).append(current)
        # Reviews already held in this period before the files begin count on the clock.
        held_before = [day for day in held.held_on_by_period.get(current.pk, []) if day < period.start]
        return _Period(current.pk, current.start, current.began_before_records, held_before)

    def _episodes(self, period: PlannedPeriod, written: _Period, held: _Held, changes: _Changes) -> None:
        for row in period.episodes:
            fields = self._episode_fields(row)
            episode = held.episodes.get((written.id, checked_date(row.start)))
            if episode is None:
                self.tables[Episode].add(period_of_care_id=written.id, start=row.start, **fields)
                self.summary.episodes_added += 1
            elif _changed(episode, fields):
                changes.episodes.append(episode)

    def _episode_fields(self, row: EpisodeRecord) -> dict[str, Any]:
        return {
            "reason_new_episode": row.reason_new_episode,
            "legal_status": row.legal_status,
            "category_of_need": row.category_of_need,
            "placement_type": row.placement_type,
            "placement_provider": row.placement_provider,
            "end": row.end,
            "reason_ended": row.reason_ended,
            "reason_place_change": row.reason_place_change,
            "home_postcode": row.home_postcode,
            "placement_postcode": row.placement_postcode,
            "urn": row.urn,
            "placement_distance_miles": self.distances.get((row.home_postcode, row.placement_postcode)),
        }

    def _spells(self, period: PlannedPeriod, written: _Period, held: _Held) -> list[Spell]:
        """The spells the clock rests on: the episodes already held in this period and the file's."""
        spells = {
            episode.start: Spell(episode.start, episode.legal_status, episode.placement_type)
            for (held_period_id, _start), episode in held.episodes.items()
            if held_period_id == written.id
        }
        spells.update(
            {
                checked_date(row.start): Spell(checked_date(row.start), row.legal_status, row.placement_type)
                for row in period.episodes
            }
        )
        if any(spell.legal_status in SHORT_BREAK_LEGAL_STATUSES for spell in spells.values()):
            self.summary.short_break_periods.append(written.id)
        return list(spells.values())

    def _reviews(
        self,
        period: PlannedPeriod,
        written: _Period,
        child_id: int,
        date_of_birth: date,
        spells: list[Spell],
        held: _Held,
        changes: _Changes,
    ) -> None:
        """The period's held reviews, each with its due date and place; then the next review."""
        rows = sorted(period.reviews, key=lambda row: checked_date(row.held_on))
        held_on_dates = sorted(written.held_before) + [checked_date(row.held_on) for row in rows]
        dues = review_due_series(
            date_of_birth=date_of_birth,
            period_start=written.start,
            spells=spells,
            reviews_held_on=held_on_dates,
            began_before_records=written.began_before_records,
        )
        for position, row in enumerate(rows, start=len(written.held_before)):
            held_on = checked_date(row.held_on)
            fields = {
                "sequence": written.place(position),
                "due_date": dues[position].due,
                "due_schedule": dues[position].schedule,
                "due_rule": dues[position].rule,
                "participation_code": row.participation_code,
                "outcomes_due_on": outcomes_due(held_on),
                "minutes_due_on": minutes_due(held_on),
            }
            review = held.reviews.get((child_id, held_on))
            if review is None:
                self.tables[Review].add(
                    child_id=child_id, period_of_care_id=written.id, status=ReviewStatus.HELD, held_on=held_on, **fields
                )
                self.summary.reviews_added += 1
            elif _changed(review, fields):
                changes.reviews.append(review)
        count = len(held_on_dates)
        self._next_review(period, written, child_id, count, dues[count], held, changes)

    def _next_review(
        self,
        period: PlannedPeriod,
        written: _Period,
        child_id: int,
        count: int,
        following: DueDate,
        held: _Held,
        changes: _Changes,
    ) -> None:
        """The next review: due while the period is open, none once it has ended."""
        waiting = held.outstanding.get(written.id)
        if period.end is None and waiting is None:
            self.tables[Review].add(
                child_id=child_id,
                period_of_care_id=written.id,
                status=ReviewStatus.DUE,
                sequence=sequence_for(count),
                due_date=following.due,
                due_schedule=following.schedule,
                due_rule=following.rule,
            )
        elif waiting is not None and period.end is not None:
            waiting.status = ReviewStatus.CANCELLED
            changes.reviews.append(waiting)
        elif waiting is not None and (waiting.due_date, waiting.due_rule, waiting.sequence) != (
            following.due,
            following.rule,
            written.place(count),
        ):
            waiting.due_date, waiting.sequence = following.due, written.place(count)
            waiting.due_schedule, waiting.due_rule = following.schedule, following.rule
            changes.reviews.append(waiting)


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
                f"{first.where('DECOM')}: child {first.child} already has a period of care {held}, which these "
                f"files do not hold; this period (from {start:%d/%m/%Y}) would overlap it. Give the held period's "
                "episodes (with DEC and REC where it ended) or correct DECOM"
            )
    return None


def _held_not_mentioned(plan: ImportPlan, held: _Held, summary: ImportSummary) -> None:
    """Episodes and held reviews of the year that the database holds (from before this import) for
    the batch's children, and that the files no longer mention: listed to check, never deleted."""
    year_start, year_end = collection_year(summary.year)
    child_of_period = {period.pk: child_id for child_id, periods in held.periods.items() for period in periods}
    held_episodes: dict[int, list[Episode]] = defaultdict(list)
    for (period_id, _start), episode in held.episodes.items():
        if episode.start <= year_end and (episode.end is None or episode.end >= year_start):
            held_episodes[child_of_period[period_id]].append(episode)
    held_reviews: dict[int, list[date]] = defaultdict(list)
    for child_id, held_on in held.reviews:
        if year_start <= held_on <= year_end:
            held_reviews[child_id].append(held_on)
    if not held_episodes and not held_reviews:
        return
    for local_id, child in sorted(held.children.items()):
        episodes, reviews = held_episodes.get(child.pk, []), held_reviews.get(child.pk, [])
        _child_not_mentioned(local_id, plan.periods.get(local_id, []), episodes, reviews, summary)


def _child_not_mentioned(
    local_id: str, planned: list[PlannedPeriod], episodes: list[Episode], held_on: list[date], summary: ImportSummary
) -> None:
    rows = [row for period in planned for row in period.episodes]
    starts = {row.start for row in rows}
    for episode in sorted(episodes, key=lambda e: e.start):
        if episode.start not in starts:
            summary.not_mentioned(
                f"child {local_id}: the episode from {episode.start:%d/%m/%Y} ({episode.legal_status}, "
                f"{episode.placement_type}) is held, but these files no longer mention it"
            )
    # A child looked after only under V3/V4 has no reviews in a return (DfE rule 399).
    if rows and all(row.legal_status in SHORT_BREAK_LEGAL_STATUSES for row in rows):
        return
    in_files = {row.held_on for period in planned for row in period.reviews}
    for day in sorted(held_on):
        if day not in in_files:
            summary.not_mentioned(
                f"child {local_id}: the review held on {day:%d/%m/%Y} is held, but these files no longer mention it"
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
    for local_id in held.iterator(chunk_size=CURSOR_CHUNK):
        if local_id not in mentioned:
            summary.not_mentioned(
                f"child {local_id}: looked after in {label} as the database holds it, but these files do not name "
                "this child"
            )
