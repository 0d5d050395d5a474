"""The statutory clock: Care Planning, Placement and Case Review (England) Regulations 2010.

Pure functions on dates (and the code lists they test). No ORM and no clock reads: callers pass every date in, so the
rules can be tested for any day and reused by imports, services, reminders and reports.

Counting (docs/domain.md, "Working days and months"; an interpretation): day 0 is the start
date; "+ N working days" is the N-th working day after it. Calendar months are clamped to the
month's end, and a due date is the latest permitted date: it is not moved to a working day.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache, partial

import holidays
from dateutil.relativedelta import relativedelta

from children.ages import birthday
from children.codes import ADOPTION_PLACEMENTS, SHORT_BREAK_LEGAL_STATUSES

# reg 33(1): the first review within 20 working days of becoming looked after.
FIRST_REVIEW_WORKING_DAYS = 20
# reg 33(2): the second not more than three months after the first ...
SECOND_REVIEW_MONTHS = 3
# ... and later ones at intervals of not more than six months.
SUBSEQUENT_REVIEW_MONTHS = 6
# IRO Handbook, as the seed quotes it: outcomes in 5 working days, full minutes in 20.
OUTCOMES_WORKING_DAYS = 5
MINUTES_WORKING_DAYS = 20


@lru_cache(maxsize=256)
def _bank_holidays(year: int) -> frozenset[date]:
    # subdiv="ENG": without it Easter Monday and the August bank holiday are missing.
    # The package includes substitute ("observed") days and one-off days such as
    # 2022-09-19 and 2023-05-08.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """Any day other than a Saturday, a Sunday or a bank holiday in England."""
    return day.weekday() < 5 and not is_bank_holiday(day)


@lru_cache(maxsize=65536)
def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (day 0 is `start` itself).

    A negative `days` counts backwards: the |days|-th working day before `start`.
    Cached: imports, reminders and reports ask for the same few thousand dates again and again.
    """
    step = timedelta(days=1 if days >= 0 else -1)
    remaining = abs(days)
    day = start
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after `start` up to and including `end`.

    The inverse of `add_working_days`: `working_days_between(s, add_working_days(s, n)) == n`.
    Negative when `end` is before `start`.
    """
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def add_months(start: date, months: int) -> date:
    # relativedelta clamps to the month's end: 2014-11-30 + 3 months = 2015-02-28.
    return start + relativedelta(months=months)


def first_review_due(looked_after_from: date) -> date:
    """reg 33(1): within 20 working days of the date the child becomes looked after."""
    return add_working_days(looked_after_from, FIRST_REVIEW_WORKING_DAYS)


def second_review_due(first_review_on: date) -> date:
    """reg 33(2): not more than three months after the first review."""
    return add_months(first_review_on, SECOND_REVIEW_MONTHS)


def subsequent_review_due(previous_review_on: date) -> date:
    """reg 33(2): later reviews at intervals of not more than six months."""
    return add_months(previous_review_on, SUBSEQUENT_REVIEW_MONTHS)


def outcomes_due(review_on: date) -> date:
    """Outcomes (decisions) circulated within 5 working days of the review."""
    return add_working_days(review_on, OUTCOMES_WORKING_DAYS)


def minutes_due(review_on: date) -> date:
    """Full minutes circulated within 20 working days of the review."""
    return add_working_days(review_on, MINUTES_WORKING_DAYS)


def next_review_due(period_start: date, reviews_held_on: Iterable[date]) -> date:
    """When the next review of this period of care is due, given the reviews already held.

    A review held early resets the clock from its own date, so only the number of reviews
    held and the latest one's date matter.
    """
    held = sorted(reviews_held_on)
    if not held:
        return first_review_due(period_start)
    if len(held) == 1:
        return second_review_due(held[0])
    return subsequent_review_due(held[-1])


def review_due_dates(
    period_start: date, reviews_held_on: Iterable[date], *, began_before_records: bool = False
) -> list[date | None]:
    """The due date of every review held, in order, then of the next one.

    `review_due_dates(s, [h1, h2])` is `[due of review 1, due of review 2, due of review 3]`.
    When care began before the records held (an import from the middle of a period), the
    first known review's due date is unknown (None) and each later one is six months on.
    """
    held = sorted(reviews_held_on)
    if began_before_records:
        return [None] + [subsequent_review_due(day) for day in held]
    return [next_review_due(period_start, held[:index]) for index in range(len(held) + 1)]


def is_in_timescale(held_on: date, due_on: date) -> bool:
    """A review is in timescale when held on or before its due date."""
    return held_on <= due_on


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def describe_next_review_rule(period_start: date, reviews_held_on: Iterable[date]) -> str:
    """The rule that sets the next due date, in words: "second review: 3 months after Thu 15 May 2014"."""
    held = sorted(reviews_held_on)
    if not held:
        return f"first review: {FIRST_REVIEW_WORKING_DAYS} working days after {_day(period_start)} (came into care)"
    if len(held) == 1:
        return f"second review: {SECOND_REVIEW_MONTHS} months after {_day(held[0])}"
    return f"subsequent review: {SUBSEQUENT_REVIEW_MONTHS} months after {_day(held[-1])}"


# --- Other statutory paths, and which schedule wins -----------------------------------------
#
# reg 48(3) (short breaks, V3/V4): regulation 33 does not apply; the first review within three
# months of the start of the first short break, then at intervals of not more than six months.
SHORT_BREAK_FIRST_REVIEW_MONTHS = 3
SHORT_BREAK_REVIEW_MONTHS = 6
# Adoption Agencies Regulations 2005 reg 36(3) (placed for adoption, A3–A6): not more than four
# weeks after the placement, the second not more than three months after the first, then not
# more than six months apart.
ADOPTION_FIRST_REVIEW_DAYS = 28
ADOPTION_SECOND_REVIEW_MONTHS = 3
ADOPTION_REVIEW_MONTHS = 6
# A child stops being looked after at 18: no review is due after the 18th birthday.
CARE_ENDS_AT_AGE = 18
# The caseload, child page and reminders say "care ends at 18" from three months before.
CARE_ENDS_NOTICE_MONTHS = 3


def short_break_review_due(first_break_on: date, reviews_held_on: Iterable[date]) -> date:
    """reg 48(3): three calendar months after the first short break, then six months after the
    latest review held (a review held early resets the clock from its own date)."""
    held = sorted(reviews_held_on)
    if not held:
        return add_months(first_break_on, SHORT_BREAK_FIRST_REVIEW_MONTHS)
    return add_months(held[-1], SHORT_BREAK_REVIEW_MONTHS)


def adoption_review_due(placed_on: date, reviews_held_on: Iterable[date]) -> date:
    """AAR 2005 reg 36(3): `reviews_held_on` are the reviews since the placement. The first 28
    days after the placement, the second three months after the first, later ones six months
    after the latest."""
    held = sorted(reviews_held_on)
    if not held:
        return placed_on + timedelta(days=ADOPTION_FIRST_REVIEW_DAYS)
    if len(held) == 1:
        return add_months(held[0], ADOPTION_SECOND_REVIEW_MONTHS)
    return add_months(held[-1], ADOPTION_REVIEW_MONTHS)


def eighteenth_birthday(date_of_birth: date) -> date:
    """The day care ends at 18, as every age in the application is counted (children.ages): a 29
    February birthday falls on 1 March in a common year, the day `age_on` first says 18."""
    return birthday(date_of_birth, CARE_ENDS_AT_AGE)


class Schedule:
    """Which rule set a due date (stored on the review as its `due_schedule`)."""

    REG33 = "reg33"
    REG48 = "reg48"
    ADOPTION = "adoption"
    UNKNOWN = "unknown"
    ENDS_AT_18 = "ends_at_18"


@dataclass(frozen=True)
class Spell:
    """An episode as the clock sees it: when, and under which legal status and placement."""

    start: date
    legal_status: str
    placement_type: str
    end: date | None = None


@dataclass(frozen=True)
class DueDate:
    """A review's due date and the rule that set it, in words for the people who act on it."""

    due: date | None
    schedule: str
    rule: str

    @staticmethod
    def earliest(*candidates: "DueDate") -> "DueDate":
        """The earliest due date wins; where two fall on the same day, the first given."""
        dated = [(candidate.due, candidate) for candidate in candidates if candidate.due is not None]
        return min(dated, key=lambda pair: pair[0])[1] if dated else candidates[0]


def _is_short_break(spell: Spell) -> bool:
    return spell.legal_status in SHORT_BREAK_LEGAL_STATUSES


def _placed_for_adoption(spell: Spell) -> bool:
    return spell.placement_type in ADOPTION_PLACEMENTS


def _reg33(period_start: date, spells: list[Spell], held: list[date], began_before_records: bool) -> DueDate:
    # The reg 33 clock starts when the child is first looked after other than on short breaks
    # (a period that began with breaks and became a care order starts its clock then).
    start = next((spell.start for spell in spells if not _is_short_break(spell)), period_start)
    held = [day for day in held if day >= start]
    if began_before_records and start == period_start:
        if not held:
            return DueDate(None, Schedule.UNKNOWN, "clock unknown: check the last review date")
        latest = held[-1]
        return DueDate(
            subsequent_review_due(latest),
            Schedule.REG33,
            f"subsequent review: {SUBSEQUENT_REVIEW_MONTHS} months after {_day(latest)}",
        )
    return DueDate(next_review_due(start, held), Schedule.REG33, describe_next_review_rule(start, held))


def _reg48(first_break_on: date, held: list[date]) -> DueDate:
    held = [day for day in held if day >= first_break_on]
    if not held:
        months = SHORT_BREAK_FIRST_REVIEW_MONTHS
        rule = f"short breaks (reg 48): {months} months after the first break on {_day(first_break_on)}"
    else:
        rule = f"short breaks (reg 48): {SHORT_BREAK_REVIEW_MONTHS} months after {_day(held[-1])}"
    return DueDate(short_break_review_due(first_break_on, held), Schedule.REG48, rule)


def _adoption(placed_on: date, held: list[date]) -> DueDate:
    since = [day for day in held if day >= placed_on]
    if not since:
        rule = f"adoption review: {ADOPTION_FIRST_REVIEW_DAYS} days after placement on {_day(placed_on)}"
    elif len(since) == 1:
        rule = f"adoption review: {ADOPTION_SECOND_REVIEW_MONTHS} months after {_day(since[0])}"
    else:
        rule = f"adoption review: {ADOPTION_REVIEW_MONTHS} months after {_day(since[-1])}"
    return DueDate(adoption_review_due(placed_on, since), Schedule.ADOPTION, rule)


def review_due(
    *,
    date_of_birth: date,
    period_start: date,
    spells: Iterable[Spell],
    reviews_held_on: Iterable[date],
    began_before_records: bool = False,
    short_breaks_since: date | None = None,
) -> DueDate:
    """The next review's due date for a child, and the rule that set it: the one place that
    decides which schedules apply and takes the earliest.

    `spells` are the episodes known on the day the decision is taken (for a review already held,
    those that had begun by the day it was held: a later event never rewrites a past due date).
    The current spell decides:
    - short breaks (V3/V4): reg 48, from the first break of the run of short breaks the
      current spell ends, or, where the period began with them, from `short_breaks_since` (the
      first break of the series, which may be in an earlier period: each V3 break is its own);
    - otherwise reg 33; and if the child is placed for adoption (A3–A6), AAR reg 36 as well,
      from the start of the placement: the earlier date wins.
    No review is due after the 18th birthday: the date is replaced by "care ends at 18 on DATE".
    """
    spells = sorted(spells, key=lambda spell: spell.start)
    held = sorted(reviews_held_on)
    current = spells[-1] if spells else None
    if current is not None and _is_short_break(current):
        first_break = current.start  # the first spell of the run of short breaks this one ends
        for spell in reversed(spells):
            if not _is_short_break(spell):
                break
            first_break = spell.start
        if first_break == spells[0].start and short_breaks_since is not None:
            first_break = min(first_break, short_breaks_since)  # the series began in an earlier period
        due = _reg48(first_break, held)
    else:
        due = _reg33(period_start, spells, held, began_before_records)
        if current is not None and _placed_for_adoption(current):
            placed_on = current.start
            for spell in reversed(spells[:-1]):  # the placement began with the first A3–A6 spell of this run
                if not _placed_for_adoption(spell):
                    break
                placed_on = spell.start
            due = DueDate.earliest(due, _adoption(placed_on, held))
    turns_18 = eighteenth_birthday(date_of_birth)
    if due.due is not None and due.due > turns_18:
        return DueDate(None, Schedule.ENDS_AT_18, f"care ends at 18 on {_day(turns_18)}")
    return due


def care_ends_notice(date_of_birth: date, today: date) -> str | None:
    """ "care ends at 18 on DATE" from three months before the 18th birthday, else None."""
    turns_18 = eighteenth_birthday(date_of_birth)
    if add_months(today, CARE_ENDS_NOTICE_MONTHS) >= turns_18 >= today:
        return f"care ends at 18 on {_day(turns_18)}"
    return None


def review_due_series(
    *,
    date_of_birth: date,
    period_start: date,
    spells: Iterable[Spell],
    reviews_held_on: Iterable[date],
    began_before_records: bool = False,
    short_breaks_since: date | None = None,
    earlier_held_on: Iterable[date] = (),
) -> list[DueDate]:
    """The due date of every review held, in order, then of the next one (`review_due` for each).

    Each held review's date is decided on the facts as they stood while it was the next review:
    the spells that had begun by the day it was held, and the reviews held before it. So a later
    placement, status change or correction never rewrites the due date of a review already held.
    `earlier_held_on` are reviews of the same short-break series held in earlier periods: they
    count on the reg 48 clock but get no due date here.
    """
    spells = sorted(spells, key=lambda spell: spell.start)
    held = sorted(reviews_held_on)
    earlier = sorted(earlier_held_on)
    common = partial(
        review_due,
        date_of_birth=date_of_birth,
        period_start=period_start,
        began_before_records=began_before_records,
        short_breaks_since=short_breaks_since,
    )
    series = []
    for index, held_on in enumerate(held):
        known = [spell for spell in spells if spell.start <= held_on] or spells[:1]
        series.append(common(spells=known, reviews_held_on=earlier + held[:index]))
    series.append(common(spells=spells, reviews_held_on=earlier + held))
    return series
