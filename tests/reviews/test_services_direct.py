"""reviews.services called directly: a new child in care (all or nothing), cancelling a booking,
and the clock's helpers (a review's sequence, a short-break series going on)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from children.codes import AllocationKind, Ethnicity, LegalStatus, ReasonEpisodeCeased, Sex
from children.models import Allocation, Child, Episode, PeriodOfCare
from reviews import claims
from reviews.claims import ReviewChanged
from reviews.codes import BookingAction, ReviewSequence, ReviewStatus
from reviews.models import Booking, Review
from reviews.services import (
    child_new_in_care,
    review_book,
    review_cancel_booking,
    sequence_for,
    short_break_series_continues,
)
from reviews.timescales import Spell
from tests.factories import ChildFactory, PeriodOfCareFactory, child_in_care

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
EPISODE = {"legal_status": LegalStatus.C2, "category_of_need": "N1", "placement_type": "U4"}
DETAILS = {
    "local_id": "N100",
    "first_name": "Ruby",
    "last_name": "Lane",
    "date_of_birth": date(2013, 5, 6),
    "sex": Sex.FEMALE,
    "ethnicity": Ethnicity.WBRI,
}


# --- child_new_in_care --------------------------------------------------------------------------


def test_child_new_in_care_writes_the_child_the_period_its_first_episode_the_first_review_and_the_iro(iro):
    child, review = child_new_in_care(
        details=DETAILS, looked_after_from=date(2025, 1, 6), episode_fields=EPISODE, iro=iro
    )
    assert Child.objects.get() == child
    assert (child.local_id, child.first_name, child.date_of_birth) == ("N100", "Ruby", date(2013, 5, 6))
    period = PeriodOfCare.objects.get(child=child)
    assert (period.start, period.end) == (date(2025, 1, 6), None)
    episode = period.episodes.get()
    assert (episode.start, episode.reason_new_episode, episode.legal_status) == (date(2025, 1, 6), "S", "C2")
    assert Review.objects.get() == review
    assert (review.period_of_care, review.status, review.sequence, review.due_date) == (
        period,
        ReviewStatus.DUE,
        ReviewSequence.FIRST,
        date(2025, 2, 3),  # 20 working days
    )
    allocation = Allocation.objects.get(child=child)
    assert (allocation.iro, allocation.kind, allocation.start, allocation.end) == (
        iro,
        AllocationKind.CASE_HOLDING,
        date(2025, 1, 6),
        None,
    )


def test_child_new_in_care_without_an_iro_allocates_no_one():
    child, review = child_new_in_care(details=DETAILS, looked_after_from=date(2025, 1, 6), episode_fields=EPISODE)
    assert review.status == ReviewStatus.DUE
    assert not Allocation.objects.filter(child=child).exists()


def _nothing_written():
    return not (
        Child.objects.exists()
        or PeriodOfCare.objects.exists()
        or Episode.objects.exists()
        or Review.objects.exists()
        or Allocation.objects.exists()
    )


def test_child_new_in_care_with_a_bad_childs_record_writes_nothing(iro):
    with pytest.raises(ValidationError) as refused:
        child_new_in_care(
            details={**DETAILS, "local_id": "N 100"},
            looked_after_from=date(2025, 1, 6),
            episode_fields=EPISODE,
            iro=iro,
        )
    assert "local_id" in refused.value.message_dict
    assert _nothing_written()


def test_child_new_in_care_before_the_child_was_born_writes_nothing(iro):
    with pytest.raises(ValidationError) as refused:
        child_new_in_care(details=DETAILS, looked_after_from=date(2013, 5, 5), episode_fields=EPISODE, iro=iro)
    assert "start" in refused.value.message_dict
    assert _nothing_written()


def test_child_new_in_care_with_a_bad_episode_writes_nothing(iro):
    with pytest.raises(ValidationError) as refused:
        child_new_in_care(
            details=DETAILS,
            looked_after_from=date(2025, 1, 6),
            episode_fields={**EPISODE, "placement_type": "ZZZ"},
            iro=iro,
        )
    assert "placement_type" in refused.value.message_dict
    assert _nothing_written()


def test_child_new_in_care_with_someone_who_is_not_an_iro_writes_nothing(manager):
    with pytest.raises(ValidationError) as refused:
        child_new_in_care(details=DETAILS, looked_after_from=date(2025, 1, 6), episode_fields=EPISODE, iro=manager)
    assert "iro" in refused.value.message_dict
    assert _nothing_written()


# --- review_cancel_booking ----------------------------------------------------------------------

BOOKED_FOR = datetime(2025, 1, 20, 10, 0, tzinfo=LONDON)


@pytest.fixture
def booked(iro, business_support):
    _child, review = child_in_care(iro, start=date(2025, 1, 6))
    return review_book(
        review=review,
        booked_for=BOOKED_FOR,
        venue="Foster home",
        venue_chosen_by_child=True,
        booked_by=business_support,
    )


def test_review_cancel_booking_makes_the_review_due_again_and_keeps_the_booking_in_its_history(
    booked, iro, business_support
):
    version = booked.version
    cancelled = review_cancel_booking(review=booked, reason="Child unwell.", cancelled_by=iro)
    stored = Review.objects.get(pk=booked.pk)
    assert stored.pk == cancelled.pk
    assert (stored.status, stored.booked_for, stored.version) == (ReviewStatus.DUE, None, version + 1)
    assert list(
        stored.bookings.order_by("pk").values_list("action", "booked_for", "venue", "reason", "recorded_by")
    ) == [
        (BookingAction.BOOKED, BOOKED_FOR, "Foster home", "", business_support.pk),
        (BookingAction.CANCELLED, BOOKED_FOR, "Foster home", "Child unwell.", iro.pk),
    ]


def test_a_cancelled_review_may_be_booked_again(booked, iro, business_support):
    review_cancel_booking(review=booked, reason="Child unwell.", cancelled_by=iro)
    again = review_book(
        review=booked,
        booked_for=datetime(2025, 1, 27, 10, 0, tzinfo=LONDON),
        venue="School",
        venue_chosen_by_child=False,
        booked_by=business_support,
    )
    assert again.status == ReviewStatus.BOOKED
    assert list(again.bookings.order_by("pk").values_list("action", flat=True)) == ["booked", "cancelled", "booked"]


@pytest.mark.parametrize("reason", ["", "   "])
def test_review_cancel_booking_needs_a_reason_and_writes_nothing_without_one(booked, iro, reason):
    with pytest.raises(ValidationError) as refused:
        review_cancel_booking(review=booked, reason=reason, cancelled_by=iro)
    assert "reason" in refused.value.message_dict
    stored = Review.objects.get(pk=booked.pk)
    assert (stored.status, stored.booked_for, stored.version) == (ReviewStatus.BOOKED, BOOKED_FOR, booked.version)
    assert stored.bookings.count() == 1


def test_review_cancel_booking_refuses_a_review_that_is_not_booked(iro):
    _child, due = child_in_care(iro)
    with pytest.raises(ValidationError, match="Only a booked review"):
        review_cancel_booking(review=due, reason="Child unwell.", cancelled_by=iro)
    assert Review.objects.get(pk=due.pk).status == ReviewStatus.DUE
    assert not Booking.objects.exists()


def test_review_cancel_booking_refuses_a_claim_from_before_the_booking_moved(booked, iro, business_support):
    stale = claims.CANCEL.claim(Review.objects.get(pk=booked.pk))
    moved_to = datetime(2025, 1, 21, 14, 0, tzinfo=LONDON)
    review_book(
        review=booked,
        booked_for=moved_to,
        venue="Foster home",
        venue_chosen_by_child=True,
        booked_by=business_support,
        reschedule_reason="Carer away.",
    )
    with pytest.raises(ReviewChanged):
        review_cancel_booking(review=booked, reason="Child unwell.", cancelled_by=iro, claim=stale)
    stored = Review.objects.get(pk=booked.pk)
    assert (stored.status, stored.booked_for) == (ReviewStatus.BOOKED, moved_to)
    assert not stored.bookings.filter(action=BookingAction.CANCELLED).exists()
    fresh = claims.CANCEL.claim(stored)
    review_cancel_booking(review=booked, reason="Child unwell.", cancelled_by=iro, claim=fresh)
    assert Review.objects.get(pk=booked.pk).status == ReviewStatus.DUE


# --- sequence_for -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "sequence"),
    [
        (0, ReviewSequence.FIRST),
        (1, ReviewSequence.SECOND),
        (2, ReviewSequence.SUBSEQUENT),
        (9, ReviewSequence.SUBSEQUENT),
    ],
)
def test_sequence_for_is_first_then_second_then_subsequent(position, sequence):
    assert sequence_for(position) == sequence


# --- short_break_series_continues ---------------------------------------------------------------


def _spells(*statuses):
    return [Spell(start=date(2025, 1, 6), legal_status=status, placement_type="U4") for status in statuses]


def _short_break(end=date(2025, 1, 8), reason_ended=ReasonEpisodeCeased.E4A):
    child = ChildFactory(date_of_birth=date(2015, 1, 1))
    return PeriodOfCareFactory(child=child, start=date(2025, 1, 6), end=end, reason_ended=reason_ended)


def test_a_short_break_that_ended_as_planned_continues_the_series():
    assert short_break_series_continues(_short_break(), _spells(LegalStatus.V3)) is True
    assert short_break_series_continues(_short_break(), _spells(LegalStatus.V3, LegalStatus.V4)) is True


def test_a_short_break_that_ended_any_other_way_ends_the_series():
    assert short_break_series_continues(_short_break(reason_ended=ReasonEpisodeCeased.E13), _spells("V3")) is False


def test_a_period_still_open_does_not_continue_a_series():
    assert short_break_series_continues(_short_break(end=None, reason_ended=""), _spells(LegalStatus.V3)) is False


def test_a_period_with_any_spell_that_is_not_a_short_break_does_not_continue_the_series():
    assert short_break_series_continues(_short_break(), _spells(LegalStatus.V3, LegalStatus.C2)) is False


def test_a_period_with_no_spells_does_not_continue_a_series():
    assert short_break_series_continues(_short_break(), []) is False
