"""The next review due for every child in care, and its state, from one query."""

from datetime import date

import pytest

from children.codes import LegalStatus, ReasonEpisodeCeased
from children.models import PeriodOfCare
from reviews.codes import ReviewState
from reviews.models import Review
from reviews.selectors import children_with_next_review
from reviews.services import child_come_into_care, child_leave_care, review_due_dates_refresh
from reviews.timescales import add_working_days
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

TODAY = date(2014, 6, 2)  # a Monday
EPISODE = {"legal_status": LegalStatus.C2, "category_of_need": "N1", "placement_type": "U4"}


def _child_due_on(due: date, **episode):
    child = ChildFactory()
    review = child_come_into_care(child=child, start=date(2014, 3, 3), episode_fields={**EPISODE, **episode})
    Review.objects.filter(pk=review.pk).update(due_date=due)
    return child


def _states() -> dict[str, str]:
    return {child.local_id: child.review_state for child in children_with_next_review(today=TODAY)}


@pytest.mark.parametrize(
    ("due", "state"),
    [
        (date(2014, 5, 30), ReviewState.OVERDUE),
        (TODAY, ReviewState.DUE_SOON),
        (add_working_days(TODAY, 10), ReviewState.DUE_SOON),
        (add_working_days(TODAY, 11), ReviewState.ON_TRACK),
    ],
)
def test_state_against_the_due_date(due, state):
    child = _child_due_on(due)
    assert _states()[child.local_id] == state


def test_short_breaks_are_on_the_reg_48_clock_and_never_called_anything_else():
    child = ChildFactory()
    child_come_into_care(
        child=child, start=date(2014, 3, 3), episode_fields={**EPISODE, "legal_status": LegalStatus.V4}
    )
    [row] = [row for row in children_with_next_review(today=TODAY) if row.pk == child.pk]
    assert row.next_review_due == date(2014, 6, 3)  # 3 months after the first break
    assert row.review_state == ReviewState.DUE_SOON
    assert row.next_review_rule == "short breaks (reg 48): 3 months after the first break on Mon 3 Mar 2014"


def test_with_no_date_due_the_state_says_why():
    unknown = _child_due_on(date(2014, 7, 1))
    period = PeriodOfCare.objects.get(child=unknown)
    PeriodOfCare.objects.filter(pk=period.pk).update(began_before_records=True)
    review_due_dates_refresh(period_of_care=period)
    turning_18 = ChildFactory(date_of_birth=date(1996, 4, 1))  # 18 on 1 Apr 2014, before the first review
    child_come_into_care(child=turning_18, start=date(2014, 3, 10), episode_fields=EPISODE)
    states = _states()
    assert states[unknown.local_id] == ReviewState.CLOCK_UNKNOWN
    assert states[turning_18.local_id] == ReviewState.CARE_ENDS_AT_18
    assert ReviewState.CLOCK_UNKNOWN.label == "Clock unknown: check the last review date"
    assert all("short break" not in state.label.lower() for state in ReviewState)


def test_children_who_left_care_or_start_later_are_not_listed():
    left = ChildFactory()
    review = child_come_into_care(child=left, start=date(2014, 1, 6), episode_fields=EPISODE)
    child_leave_care(period_of_care=review.period_of_care, end=date(2014, 5, 1), reason_ended=ReasonEpisodeCeased.E4A)
    later = ChildFactory()
    child_come_into_care(child=later, start=date(2014, 6, 3), episode_fields=EPISODE)
    staying = _child_due_on(date(2014, 7, 1))
    assert set(_states()) == {staying.local_id}


def test_soonest_due_comes_first():
    late = _child_due_on(date(2014, 9, 1))
    soon = _child_due_on(date(2014, 6, 5))
    assert [child.local_id for child in children_with_next_review(today=TODAY)] == [soon.local_id, late.local_id]


def test_one_query_for_any_number_of_children(django_assert_num_queries):
    for day in range(1, 20):
        _child_due_on(date(2014, 7, day))
    with django_assert_num_queries(1):
        rows = list(children_with_next_review(today=TODAY))
    assert len(rows) == 19
