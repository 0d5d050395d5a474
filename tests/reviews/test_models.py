"""Model rules for reviews, shown as clear form messages."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from reviews.codes import ParticipationCode, ReviewStatus
from reviews.forms import DecisionForm, ReviewHeldForm
from reviews.models import Decision
from tests.factories import ChildFactory, PeriodOfCareFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def _review_for(date_of_birth: date, period_start: date = date(2014, 4, 14)):
    child = ChildFactory(date_of_birth=date_of_birth)
    period = PeriodOfCareFactory(child=child, start=period_start)
    return ReviewFactory(period_of_care=period)


def _held_form(review, held_on, code):
    return ReviewHeldForm(instance=review, data={"held_on": held_on, "participation_code": code})


def test_review_cannot_be_before_the_childs_birth():
    review = _review_for(date(2014, 5, 1), period_start=date(2014, 5, 1))
    form = _held_form(review, "2014-04-20", ParticipationCode.PN0)
    assert not form.is_valid()
    assert form.errors["held_on"] == ["A review cannot be before the child's date of birth."]


def test_review_cannot_be_before_the_period_of_care_started():
    review = _review_for(date(2008, 6, 1), period_start=date(2014, 4, 14))
    form = _held_form(review, "2014-04-01", ParticipationCode.PN1)
    assert not form.is_valid()
    assert form.errors["held_on"] == ["A review cannot be before the period of care started (Mon 14 Apr 2014)."]


def test_pn0_is_refused_for_a_ten_year_old():
    review = _review_for(date(2004, 3, 1))
    form = _held_form(review, "2014-05-14", ParticipationCode.PN0)
    assert not form.is_valid()
    assert form.errors["participation_code"] == [
        "REVIEW_CODE is PN0, but the child was 10 on the review date: PN0 is only for a child under 4"
    ]


def test_pn1_is_refused_for_a_two_year_old():
    review = _review_for(date(2012, 3, 1))
    form = _held_form(review, "2014-05-14", ParticipationCode.PN1)
    assert not form.is_valid()
    assert form.errors["participation_code"] == [
        "REVIEW_CODE is PN1, but the child was 2 on the review date: a child under 4 is PN0"
    ]


def test_pn0_is_right_the_day_before_the_fourth_birthday():
    review = _review_for(date(2010, 5, 15))
    assert _held_form(review, "2014-05-14", ParticipationCode.PN0).is_valid()
    assert _held_form(review, "2014-05-15", ParticipationCode.PN0).is_valid()  # the birthday: either (rules 440/441)
    assert _held_form(review, "2014-05-15", ParticipationCode.PN7).is_valid()
    assert not _held_form(review, "2014-05-16", ParticipationCode.PN0).is_valid()


def test_a_leap_day_child_turns_four_on_the_first_of_march():
    review = _review_for(date(2012, 2, 29), period_start=date(2016, 2, 1))
    assert _held_form(review, "2016-02-28", ParticipationCode.PN0).is_valid()
    assert _held_form(review, "2016-02-29", ParticipationCode.PN1).is_valid()


def test_a_held_review_needs_a_participation_code():
    review = _review_for(date(2008, 6, 1))
    form = _held_form(review, "2014-05-14", "")
    assert not form.is_valid()
    assert "participation_code" in form.errors


def test_saving_the_held_form_marks_the_review_held():
    review = _review_for(date(2008, 6, 1))
    form = _held_form(review, "2014-05-14", ParticipationCode.PN1)
    assert form.is_valid(), form.errors
    form.save()
    review.refresh_from_db()
    assert review.status == ReviewStatus.HELD and review.held_on == date(2014, 5, 14)


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
    form = ReviewHeldForm(
        instance=review,
        data={"held_on": "2014-05-14", "participation_code": "PN1", "child_visited_on": "2014-05-20"},
    )
    assert not form.is_valid()
    assert form.errors["child_visited_on"] == ["The pre-review visit must be on or before the review."]
