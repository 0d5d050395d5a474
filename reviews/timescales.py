"""The statutory clock: Care Planning, Placement and Case Review (England) Regulations 2010.

Pure functions on dates. No ORM and no clock reads: callers pass every date in, so the
rules can be tested for any day and reused by imports, services, reminders and reports.

Counting (DOMAIN.md, interpretation): day 0 is the start date; "+ N working days" is the
N-th working day after it. Calendar months are clamped to the month's end, and a due date
is the latest permitted date: it is not moved to a working day.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

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
