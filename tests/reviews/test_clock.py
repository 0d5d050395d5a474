"""Every child on the right statutory clock (docs/domain.md, "Which schedule wins"): reg 48 short
breaks, AAR 2005 reg 36 adoption, turning 18, and the earliest rule winning. Worked examples cross
month ends and leap years; hypothesis checks the schedules and "earliest wins" over random care
histories."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from children.ages import age_on
from reviews.timescales import (
    Schedule,
    Spell,
    add_months,
    adoption_review_due,
    care_ends_notice,
    eighteenth_birthday,
    first_review_due,
    next_review_due,
    review_due,
    review_due_series,
    short_break_review_due,
)

BORN = date(2015, 6, 1)


def test_short_break_reviews_three_then_six_months_clamped_to_month_end():
    assert short_break_review_due(date(2025, 1, 10), []) == date(2025, 4, 10)
    assert short_break_review_due(date(2024, 11, 30), []) == date(2025, 2, 28)
    assert short_break_review_due(date(2023, 11, 29), []) == date(2024, 2, 29)  # leap year
    assert short_break_review_due(date(2025, 1, 10), [date(2025, 3, 31)]) == date(2025, 9, 30)
    assert short_break_review_due(date(2025, 1, 10), [date(2023, 8, 31), date(2023, 2, 1)]) == date(2024, 2, 29)


def test_adoption_reviews_28_days_then_three_then_six_months():
    placed = date(2025, 3, 3)
    assert adoption_review_due(placed, []) == date(2025, 3, 31)
    assert adoption_review_due(date(2024, 2, 10), []) == date(2024, 3, 9)  # 29 Feb counts
    assert adoption_review_due(placed, [date(2025, 3, 28)]) == date(2025, 6, 28)
    assert adoption_review_due(date(2023, 11, 1), [date(2023, 11, 30)]) == date(2024, 2, 29)
    assert adoption_review_due(placed, [date(2025, 3, 28), date(2025, 5, 31)]) == date(2025, 11, 30)
    assert adoption_review_due(placed, [date(2025, 5, 31), date(2025, 8, 31)]) == date(2026, 2, 28)


def test_placement_for_adoption_brings_the_next_review_forward_and_names_the_rule():
    start = date(2024, 1, 8)
    spells = [Spell(start, "E1", "U4"), Spell(date(2024, 7, 1), "E1", "A5")]
    held = [date(2024, 2, 5), date(2024, 5, 1)]
    assert next_review_due(start, held) == date(2024, 11, 1)  # reg 33 alone
    due = review_due(date_of_birth=BORN, period_start=start, spells=spells, reviews_held_on=held)
    assert (due.due, due.schedule) == (date(2024, 7, 29), Schedule.ADOPTION)
    assert due.rule == "adoption review: 28 days after placement on Mon 1 Jul 2024"
    # After the first adoption review, three months on (sooner than reg 33's six).
    due = review_due(date_of_birth=BORN, period_start=start, spells=spells, reviews_held_on=[*held, date(2024, 7, 25)])
    assert (due.due, due.rule) == (date(2024, 10, 25), "adoption review: 3 months after Thu 25 Jul 2024")


def test_reg_33_wins_when_it_is_sooner():
    start = date(2024, 1, 8)
    spells = [Spell(start, "E1", "A3")]  # placed for adoption the day care began
    due = review_due(date_of_birth=BORN, period_start=start, spells=spells, reviews_held_on=[])
    assert due.due == first_review_due(start) == date(2024, 2, 5)
    assert due.schedule == Schedule.REG33
    assert due.rule.startswith("first review: 20 working days after")


def test_short_breaks_are_on_the_reg_48_clock():
    due = review_due(
        date_of_birth=BORN,
        period_start=date(2025, 1, 10),
        spells=[Spell(date(2025, 1, 10), "V3", "U6")],
        reviews_held_on=[],
    )
    assert (due.due, due.schedule) == (date(2025, 4, 10), Schedule.REG48)
    assert due.rule == "short breaks (reg 48): 3 months after the first break on Fri 10 Jan 2025"
    # A later break of the same series keeps the series' clock.
    due = review_due(
        date_of_birth=BORN,
        period_start=date(2025, 3, 7),
        spells=[Spell(date(2025, 3, 7), "V3", "U6")],
        reviews_held_on=[],
        short_breaks_since=date(2025, 1, 10),
    )
    assert due.due == date(2025, 4, 10)


def test_from_short_breaks_to_a_care_order_the_reg_33_clock_starts_with_the_order():
    spells = [Spell(date(2025, 1, 10), "V4", "U6"), Spell(date(2025, 6, 2), "C2", "U6")]
    due = review_due(
        date_of_birth=BORN, period_start=date(2025, 1, 10), spells=spells, reviews_held_on=[date(2025, 4, 1)]
    )
    assert (due.due, due.schedule) == (first_review_due(date(2025, 6, 2)), Schedule.REG33)


def test_no_review_is_due_after_the_18th_birthday():
    born = date(2008, 3, 15)
    spells = [Spell(date(2025, 12, 1), "C2", "U4")]
    due = review_due(
        date_of_birth=born, period_start=date(2025, 12, 1), spells=spells, reviews_held_on=[date(2026, 1, 5)]
    )
    assert (due.due, due.schedule) == (None, Schedule.ENDS_AT_18)
    assert due.rule == "care ends at 18 on Sun 15 Mar 2026"
    # Due on the birthday itself: still due.
    due = review_due(date_of_birth=date(2008, 4, 5), period_start=date(2025, 12, 1), spells=spells,
                     reviews_held_on=[date(2026, 1, 5)])  # fmt: skip
    assert due.due == date(2026, 4, 5)


def test_a_29_february_birthday_turns_18_on_28_february():
    # The day age_on first says 18: a 29 February birthday falls on 1 March in a common year.
    assert eighteenth_birthday(date(2008, 2, 29)) == date(2026, 3, 1)
    assert eighteenth_birthday(date(2012, 2, 29)) == date(2030, 3, 1)
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_care_ends_notice_from_three_months_before():
    born = date(2008, 3, 15)
    assert care_ends_notice(born, date(2025, 12, 14)) is None
    assert care_ends_notice(born, date(2025, 12, 15)) == "care ends at 18 on Sun 15 Mar 2026"
    assert care_ends_notice(born, date(2026, 3, 15)) == "care ends at 18 on Sun 15 Mar 2026"
    assert care_ends_notice(born, date(2026, 3, 16)) is None


def test_clock_unknown_for_a_period_imported_mid_way_with_no_review():
    due = review_due(
        date_of_birth=BORN,
        period_start=date(2020, 5, 1),
        spells=[Spell(date(2020, 5, 1), "C2", "U4")],
        reviews_held_on=[],
        began_before_records=True,
    )
    assert (due.due, due.schedule) == (None, Schedule.UNKNOWN)
    assert due.rule == "clock unknown: check the last review date"


def test_a_later_event_never_rewrites_the_due_date_of_a_review_already_held():
    start = date(2024, 1, 8)
    before = [Spell(start, "E1", "U4")]
    after = [*before, Spell(date(2024, 3, 1), "E1", "A4")]
    held = [date(2024, 2, 5)]
    assert (
        review_due_series(date_of_birth=BORN, period_start=start, spells=before, reviews_held_on=held)[0]
        == (review_due_series(date_of_birth=BORN, period_start=start, spells=after, reviews_held_on=held)[0])
    )
    series = review_due_series(date_of_birth=BORN, period_start=start, spells=after, reviews_held_on=held)
    assert series[1].due == date(2024, 3, 29)  # the next one: 28 days after the placement


# --- Properties ----------------------------------------------------------------------------

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@given(first=days, gaps=st.lists(st.integers(1, 400), max_size=6))
@settings(max_examples=300, deadline=None)
def test_short_break_schedule_properties(first, gaps):
    held, day = [], first
    for gap in gaps:
        day += timedelta(days=gap)
        held.append(day)
    due = short_break_review_due(first, held)
    anchor = held[-1] if held else first
    months = 6 if held else 3
    assert due == add_months(anchor, months)
    assert 28 * months - 10 < (due - anchor).days <= 31 * months + 1


@given(placed=days, gaps=st.lists(st.integers(1, 400), max_size=6))
@settings(max_examples=300, deadline=None)
def test_adoption_schedule_properties(placed, gaps):
    held, day = [], placed
    for gap in gaps:
        day += timedelta(days=gap)
        held.append(day)
    due = adoption_review_due(placed, held)
    if not held:
        assert due == placed + timedelta(days=28)
    elif len(held) == 1:
        assert due == add_months(held[0], 3)
    else:
        assert due == add_months(held[-1], 6)


LEGAL = ["C1", "C2", "E1", "V2", "V3", "V4", "J1"]
PLACE = ["U4", "U6", "K2", "A3", "A4", "A5", "A6", "R5"]


@st.composite
def care_histories(draw):
    born = draw(st.dates(min_value=date(2003, 1, 1), max_value=date(2024, 12, 31)))
    start = born + timedelta(days=draw(st.integers(0, 17 * 365)))
    spells, day = [], start
    for _ in range(draw(st.integers(1, 5))):
        spells.append(Spell(day, draw(st.sampled_from(LEGAL)), draw(st.sampled_from(PLACE))))
        day += timedelta(days=draw(st.integers(1, 300)))
    held, when = [], start
    for _ in range(draw(st.integers(0, 5))):
        when += timedelta(days=draw(st.integers(1, 250)))
        held.append(when)
    return born, start, spells, held


def _oracle(born, start, spells, held):
    """The rules restated plainly: which schedules apply on the current spell, earliest wins,
    nothing after the 18th birthday."""
    current = spells[-1]
    if current.legal_status in ("V3", "V4"):
        first_break = current.start
        for spell in reversed(spells):
            if spell.legal_status not in ("V3", "V4"):
                break
            first_break = spell.start
        candidates = [short_break_review_due(first_break, [d for d in held if d >= first_break])]
    else:
        reg33_start = next((s.start for s in spells if s.legal_status not in ("V3", "V4")), start)
        candidates = [next_review_due(reg33_start, [d for d in held if d >= reg33_start])]
        if current.placement_type in ("A3", "A4", "A5", "A6"):
            placed = current.start
            for spell in reversed(spells[:-1]):
                if spell.placement_type not in ("A3", "A4", "A5", "A6"):
                    break
                placed = spell.start
            candidates.append(adoption_review_due(placed, [d for d in held if d >= placed]))
    due = min(candidates)
    return None if due > eighteenth_birthday(born) else due


@given(care_histories())
@settings(max_examples=500, deadline=None)
def test_the_earliest_applicable_rule_wins_over_random_care_histories(history):
    born, start, spells, held = history
    due = review_due(date_of_birth=born, period_start=start, spells=spells, reviews_held_on=held)
    assert due.due == _oracle(born, start, spells, held)
    if due.due is None:
        assert due.schedule == Schedule.ENDS_AT_18
        assert due.rule.startswith("care ends at 18 on")
    else:
        assert due.due <= eighteenth_birthday(born)
        assert due.schedule in (Schedule.REG33, Schedule.REG48, Schedule.ADOPTION)
        if spells[-1].legal_status in ("V3", "V4"):
            assert due.schedule == Schedule.REG48


@given(care_histories())
@settings(max_examples=200, deadline=None)
def test_each_held_review_is_dated_on_the_facts_known_when_it_was_next(history):
    born, start, spells, held = history
    series = review_due_series(date_of_birth=born, period_start=start, spells=spells, reviews_held_on=held)
    assert len(series) == len(held) + 1
    for index, held_on in enumerate(sorted(held)):
        known = [spell for spell in spells if spell.start <= held_on] or spells[:1]
        assert series[index] == review_due(
            date_of_birth=born, period_start=start, spells=known, reviews_held_on=sorted(held)[:index]
        )
