"""The statutory clock (reg 33 and the IRO Handbook's document deadlines), without a database."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviews.timescales import (
    add_working_days,
    first_review_due,
    is_in_timescale,
    is_working_day,
    minutes_due,
    next_review_due,
    outcomes_due,
    review_due_dates,
    second_review_due,
    subsequent_review_due,
    working_days_between,
)

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31))
counts = st.integers(min_value=0, max_value=300)


def test_first_review_due_twenty_working_days_after_becoming_looked_after_over_easter():
    # docs/domain.md, "Working days and months": Good Friday 18 Apr, Easter Monday 21 Apr and 5 May are skipped.
    assert first_review_due(date(2014, 4, 14)) == date(2014, 5, 15)


def test_second_review_due_three_months_after_first():
    assert second_review_due(date(2014, 5, 15)) == date(2014, 8, 15)


def test_subsequent_review_due_six_months_after_previous():
    assert subsequent_review_due(date(2014, 8, 15)) == date(2015, 2, 15)


def test_outcomes_due_five_working_days_after_review():
    assert outcomes_due(date(2014, 5, 15)) == date(2014, 5, 22)


def test_minutes_due_twenty_working_days_after_review_skipping_spring_bank_holiday():
    # 26 May 2014 was the spring bank holiday.
    assert minutes_due(date(2014, 5, 15)) == date(2014, 6, 13)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2014, 4, 18), "Good Friday"),
        (date(2014, 4, 21), "Easter Monday (needs subdiv ENG)"),
        (date(2014, 8, 25), "Summer bank holiday (needs subdiv ENG)"),
        (date(2014, 5, 5), "Early May bank holiday"),
        (date(2014, 5, 26), "Spring bank holiday"),
        (date(2014, 12, 25), "Christmas Day"),
        (date(2014, 12, 26), "Boxing Day"),
        (date(2021, 12, 27), "Christmas Day (substitute, 25th was a Saturday)"),
        (date(2021, 12, 28), "Boxing Day (substitute, 26th was a Sunday)"),
        (date(2022, 12, 27), "Christmas Day (substitute, 25th was a Sunday)"),
        (date(2020, 5, 8), "Early May bank holiday moved to VE Day"),
        (date(2022, 6, 3), "Platinum Jubilee"),
        (date(2022, 9, 19), "State funeral of Queen Elizabeth II"),
        (date(2023, 5, 8), "Coronation of King Charles III"),
        (date(2026, 1, 1), "New Year's Day"),
    ],
)
def test_bank_holidays_in_england_are_not_working_days(day, name):
    assert day.weekday() < 5, f"{name} should be a weekday for this test"
    assert not is_working_day(day), name


@pytest.mark.parametrize(
    "day",
    [date(2014, 4, 17), date(2014, 4, 22), date(2022, 9, 20), date(2023, 5, 9), date(2021, 12, 29)],
)
def test_ordinary_weekdays_next_to_bank_holidays_are_working_days(day):
    assert is_working_day(day)


def test_weekends_are_not_working_days():
    assert not is_working_day(date(2014, 4, 19))
    assert not is_working_day(date(2014, 4, 20))


def test_scottish_only_holidays_do_not_count():
    # 2 January and St Andrew's Day are Scottish bank holidays, not English ones.
    assert is_working_day(date(2015, 1, 2))
    assert is_working_day(date(2015, 11, 30))


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2021, 12, 24), 1, date(2021, 12, 29)),  # Christmas on a weekend: two substitute days
        (date(2022, 12, 23), 1, date(2022, 12, 28)),  # Christmas on a Sunday: Boxing Day, then 27th
        (date(2022, 9, 16), 1, date(2022, 9, 20)),  # the Queen's funeral
        (date(2023, 5, 5), 1, date(2023, 5, 9)),  # the coronation
        (date(2014, 4, 17), 1, date(2014, 4, 22)),  # Easter
        (date(2014, 4, 14), 0, date(2014, 4, 14)),  # day 0 is the start itself
        (date(2014, 4, 19), 0, date(2014, 4, 19)),  # even on a Saturday
        (date(2014, 4, 22), -1, date(2014, 4, 17)),  # backwards over Easter
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2014, 11, 30), date(2015, 2, 28)),  # clamped to the month's end
        (date(2015, 11, 30), date(2016, 2, 29)),  # leap year
        (date(2014, 1, 31), date(2014, 4, 30)),
    ],
)
def test_second_review_clamps_to_month_end(start, expected):
    assert second_review_due(start) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2015, 8, 31), date(2016, 2, 29)),  # docs/domain.md, "Working days and months": leap year
        (date(2014, 8, 31), date(2015, 2, 28)),
        (date(2016, 2, 29), date(2016, 8, 29)),
        (date(2019, 8, 29), date(2020, 2, 29)),
    ],
)
def test_subsequent_review_clamps_to_month_end(start, expected):
    assert subsequent_review_due(start) == expected


def test_due_date_is_not_moved_to_a_working_day():
    # 2014-11-15 + 3 months = Sunday 15 Feb 2015: the latest permitted date stays as it is.
    assert second_review_due(date(2014, 11, 15)) == date(2015, 2, 15)
    assert not is_working_day(date(2015, 2, 15))


def test_next_review_due_applies_the_three_rules():
    start = date(2014, 4, 14)
    assert next_review_due(start, []) == date(2014, 5, 15)
    assert next_review_due(start, [date(2014, 5, 13)]) == date(2014, 8, 13)
    assert next_review_due(start, [date(2014, 5, 13), date(2014, 8, 1)]) == date(2015, 2, 1)
    assert next_review_due(start, [date(2014, 8, 1), date(2014, 5, 13), date(2015, 1, 20)]) == date(2015, 7, 20)


def test_review_held_early_resets_the_clock_from_its_own_date():
    start = date(2014, 4, 14)
    # Second review held early (reg 33(3)) on 1 July instead of by 13 August.
    assert next_review_due(start, [date(2014, 5, 13), date(2014, 7, 1)]) == date(2015, 1, 1)


def test_review_due_dates_gives_each_held_review_and_the_next():
    start = date(2014, 4, 14)
    held = [date(2014, 5, 20), date(2014, 8, 10)]
    assert review_due_dates(start, held) == [date(2014, 5, 15), date(2014, 8, 20), date(2015, 2, 10)]


def test_in_timescale_on_the_due_date_and_not_a_day_later():
    due = date(2014, 5, 15)
    assert is_in_timescale(due, due)
    assert not is_in_timescale(due + timedelta(days=1), due)


def test_working_days_between_counts_days_after_start_up_to_end():
    assert working_days_between(date(2014, 4, 14), date(2014, 5, 15)) == 20
    assert working_days_between(date(2014, 5, 15), date(2014, 4, 14)) == -20
    assert working_days_between(date(2014, 4, 18), date(2014, 4, 21)) == 0


@given(dates, st.integers(min_value=1, max_value=300))
def test_adding_working_days_lands_on_a_working_day(start, days):
    assert is_working_day(add_working_days(start, days))


@given(dates, counts, counts)
def test_adding_n_then_m_working_days_equals_adding_n_plus_m(start, n, m):
    assert add_working_days(add_working_days(start, n), m) == add_working_days(start, n + m)


@given(dates, counts)
def test_working_days_between_inverts_add_working_days(start, n):
    assert working_days_between(start, add_working_days(start, n)) == n


@given(dates, st.integers(min_value=1, max_value=300))
def test_adding_working_days_moves_forward_at_least_that_many_days(start, n):
    assert add_working_days(start, n) >= start + timedelta(days=n)


@given(dates, st.lists(dates, max_size=8))
def test_next_review_is_never_before_the_latest_review_held(start, held):
    held = [day for day in held if day >= start]
    due = next_review_due(start, held)
    assert due > max(held, default=start)
