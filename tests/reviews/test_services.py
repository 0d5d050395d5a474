"""The review clock as stored: due dates set when known and recomputed when corrected."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from children.codes import LegalStatus, ReasonEpisodeCeased
from reviews.codes import ParticipationCode, ReviewSequence, ReviewStatus
from reviews.models import Decision, Review
from reviews.services import (
    RowChange,
    child_come_into_care,
    child_leave_care,
    period_of_care_correct_start,
    review_correct_held_on,
    review_record_held,
    review_record_save,
)
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

EPISODE = {"legal_status": LegalStatus.C1, "category_of_need": "N1", "placement_type": "U6"}


@pytest.fixture
def first_review():
    child = ChildFactory(date_of_birth=date(2008, 6, 1))
    return child_come_into_care(child=child, start=date(2014, 4, 14), episode_fields=EPISODE)


def test_coming_into_care_stores_the_first_review_due(first_review):
    assert first_review.status == ReviewStatus.DUE
    assert first_review.sequence == ReviewSequence.FIRST
    assert first_review.due_date == date(2014, 5, 15)
    assert first_review.period_of_care.episodes.get().reason_new_episode == "S"


def test_holding_the_first_review_stores_the_second_due_three_months_later(first_review, iro):
    review_record_held(review=first_review, held_on=date(2014, 5, 13), chair=iro, participation_code="PN1")
    second = Review.objects.get(period_of_care=first_review.period_of_care, status=ReviewStatus.DUE)
    assert (second.sequence, second.due_date) == (ReviewSequence.SECOND, date(2014, 8, 13))


def test_holding_the_second_review_stores_the_third_due_six_months_later(first_review, iro):
    review_record_held(review=first_review, held_on=date(2014, 5, 13), chair=iro, participation_code="PN1")
    second = Review.objects.get(period_of_care=first_review.period_of_care, status=ReviewStatus.DUE)
    review_record_held(review=second, held_on=date(2014, 8, 1), chair=iro, participation_code="PN5")
    third = Review.objects.get(period_of_care=first_review.period_of_care, status=ReviewStatus.DUE)
    assert (third.sequence, third.due_date) == (ReviewSequence.SUBSEQUENT, date(2015, 2, 1))


def test_correcting_the_period_start_recomputes_the_first_review_due(first_review):
    period_of_care_correct_start(period_of_care=first_review.period_of_care, start=date(2014, 4, 7))
    first_review.refresh_from_db()
    # 7 Apr 2014 + 20 working days, skipping Good Friday and Easter Monday.
    assert first_review.due_date == date(2014, 5, 8)


def test_correcting_a_held_date_recomputes_the_next_due(first_review, iro):
    held = review_record_held(
        review=first_review, held_on=date(2014, 5, 13), chair=iro, participation_code=ParticipationCode.PN1
    )
    review_correct_held_on(review=held, held_on=date(2014, 5, 20))
    second = Review.objects.get(period_of_care=first_review.period_of_care, status=ReviewStatus.DUE)
    assert second.due_date == date(2014, 8, 20)
    held.refresh_from_db()
    assert held.due_date == date(2014, 5, 15)
    assert held.in_timescale is False


def test_leaving_care_cancels_the_review_that_was_due(first_review):
    child_leave_care(
        period_of_care=first_review.period_of_care, end=date(2014, 5, 1), reason_ended=ReasonEpisodeCeased.E4A
    )
    first_review.refresh_from_db()
    assert first_review.status == ReviewStatus.CANCELLED
    assert not Review.objects.filter(status__in=["due", "booked"]).exists()


def test_a_new_period_of_care_restarts_the_cycle(first_review, iro):
    review_record_held(review=first_review, held_on=date(2014, 5, 13), chair=iro, participation_code="PN1")
    child_leave_care(
        period_of_care=first_review.period_of_care, end=date(2014, 6, 30), reason_ended=ReasonEpisodeCeased.E4A
    )
    again = child_come_into_care(child=first_review.child, start=date(2014, 9, 1), episode_fields=EPISODE)
    assert (again.sequence, again.due_date) == (ReviewSequence.FIRST, date(2014, 9, 29))


def test_short_breaks_are_on_the_reg48_clock_not_reg33():
    child = ChildFactory(date_of_birth=date(2008, 6, 1))
    review = child_come_into_care(
        child=child, start=date(2014, 4, 14), episode_fields={**EPISODE, "legal_status": LegalStatus.V3}
    )
    assert review.due_date == date(2014, 7, 14)  # 3 months after the first break, not 20 working days
    assert review.due_schedule == "reg48"


def _decision_on(review: Review) -> Decision:
    review_record_save(
        review=review, claim=None, values={}, decisions=[RowChange(pk=None, values={"text": "PEP.", "owner": "SW"})]
    )
    return review.decisions.get()


def test_the_record_service_writes_a_new_decision_and_removes_it_from_a_draft(first_review):
    decision = _decision_on(first_review)
    assert (decision.text, decision.owner) == ("PEP.", "SW")
    review_record_save(review=first_review, claim=None, values={}, decisions=[RowChange(pk=decision.pk, delete=True)])
    assert not first_review.decisions.exists()


def test_the_record_service_keeps_the_decisions_of_a_held_review(first_review, iro):
    decision = _decision_on(first_review)
    review_record_held(review=first_review, held_on=date(2014, 5, 13), chair=iro, participation_code="PN1")
    with pytest.raises(ValidationError, match="are kept"):
        review_record_save(
            review=first_review, claim=None, values={}, decisions=[RowChange(pk=decision.pk, delete=True)]
        )
    assert first_review.decisions.get() == decision


def test_the_record_service_refuses_a_decision_of_another_review(first_review):
    others = child_come_into_care(
        child=ChildFactory(date_of_birth=date(2010, 1, 1)), start=date(2014, 4, 14), episode_fields=EPISODE
    )
    theirs = _decision_on(others)
    with pytest.raises(ValidationError, match="no longer part of the review"):
        review_record_save(
            review=first_review, claim=None, values={}, decisions=[RowChange(pk=theirs.pk, values={"text": "Mine."})]
        )
    theirs.refresh_from_db()
    assert theirs.text == "PEP."
    assert theirs.review_id == others.pk
