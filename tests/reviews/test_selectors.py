"""The next review due for every child in care, and its state, from one query."""

from datetime import date

import pytest

from children.codes import LegalStatus, ReasonEpisodeCeased
from reviews.codes import ReviewState
from reviews.models import Review
from reviews.selectors import children_with_next_review
from reviews.services import child_come_into_care, child_leave_care
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


def test_short_breaks_show_as_not_on_the_clock():
    child = ChildFactory()
    child_come_into_care(
        child=child, start=date(2014, 3, 3), episode_fields={**EPISODE, "legal_status": LegalStatus.V4}
    )
    assert _states()[child.local_id] == ReviewState.NOT_ON_CLOCK


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
