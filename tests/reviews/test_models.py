"""Model rules for reviews (the model's full_clean, which every form and service calls), with
clear messages."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from reviews.codes import ParticipationCode, ReviewStatus
from reviews.forms import DecisionForm
from reviews.models import Decision
from tests.factories import ChildFactory, PeriodOfCareFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def _review_for(date_of_birth: date, period_start: date = date(2014, 4, 14)):
    child = ChildFactory(date_of_birth=date_of_birth)
    period = PeriodOfCareFactory(child=child, start=period_start)
    return ReviewFactory(period_of_care=period)


def _held(review, held_on: str, code: str, **dates: str) -> dict[str, list[str]]:
    """What the model's rules say of the review recorded as held: {} when it may be saved."""
    review.status, review.held_on, review.participation_code = ReviewStatus.HELD, date.fromisoformat(held_on), code
    for name, value in dates.items():
        setattr(review, name, date.fromisoformat(value))
    try:
        review.full_clean()
    except ValidationError as refusal:
        return refusal.message_dict
    return {}


def test_review_cannot_be_before_the_childs_birth():
    review = _review_for(date(2014, 5, 1), period_start=date(2014, 5, 1))
    problems = _held(review, "2014-04-20", ParticipationCode.PN0)
    assert problems["held_on"] == ["A review cannot be before the child's date of birth."]


def test_review_cannot_be_before_the_period_of_care_started():
    review = _review_for(date(2008, 6, 1), period_start=date(2014, 4, 14))
    problems = _held(review, "2014-04-01", ParticipationCode.PN1)
    assert problems["held_on"] == ["A review cannot be before the period of care started (Mon 14 Apr 2014)."]


def test_pn0_is_refused_for_a_ten_year_old():
    review = _review_for(date(2004, 3, 1))
    problems = _held(review, "2014-05-14", ParticipationCode.PN0)
    assert problems["participation_code"] == [
        "REVIEW_CODE is PN0, but the child was 10 on the review date: PN0 is only for a child under 4"
    ]


def test_pn1_is_refused_for_a_two_year_old():
    review = _review_for(date(2012, 3, 1))
    problems = _held(review, "2014-05-14", ParticipationCode.PN1)
    assert problems["participation_code"] == [
        "REVIEW_CODE is PN1, but the child was 2 on the review date: a child under 4 is PN0"
    ]


def test_pn0_is_right_the_day_before_the_fourth_birthday():
    review = _review_for(date(2010, 5, 15))
    assert _held(review, "2014-05-14", ParticipationCode.PN0) == {}
    assert _held(review, "2014-05-15", ParticipationCode.PN0) == {}  # the birthday: either (rules 440/441)
    assert _held(review, "2014-05-15", ParticipationCode.PN7) == {}
    assert "participation_code" in _held(review, "2014-05-16", ParticipationCode.PN0)


def test_a_leap_day_child_turns_four_on_the_first_of_march():
    review = _review_for(date(2012, 2, 29), period_start=date(2016, 2, 1))
    assert _held(review, "2016-02-28", ParticipationCode.PN0) == {}
    assert _held(review, "2016-02-29", ParticipationCode.PN1) == {}


def test_a_held_review_needs_a_participation_code():
    review = _review_for(date(2008, 6, 1))
    problems = _held(review, "2014-05-14", "")
    assert problems == {"__all__": ["A held review needs the date it was held and a participation code."]}


def test_a_decision_needs_an_owner():
    form = DecisionForm(data={"text": "Arrange a health assessment.", "owner": ""})
    assert not form.is_valid()
    assert form.errors["owner"] == ["This field is required."]


def test_the_database_refuses_a_decision_without_an_owner():
    review = _review_for(date(2008, 6, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(review=review, text="Arrange a health assessment.", owner="")


def test_the_pre_review_visit_cannot_be_after_the_review():
    review = _review_for(date(2008, 6, 1))
    problems = _held(review, "2014-05-14", "PN1", child_visited_on="2014-05-20")
    assert problems["child_visited_on"] == ["The pre-review visit must be on or before the review."]
