"""reviews.my_review called directly: withdrawing an invitation, the memorable word (right,
wrong, locked after MAX_WRONG_WORDS and the IRO told), the version for the child's age, and when
answers may change or the link be renewed."""

from datetime import date, timedelta

import pytest

from accounts.models import Notification, NotificationKind
from reviews.codes import ReviewStatus
from reviews.models import MyReviewInvitation, Review
from reviews.my_review import (
    MAX_WRONG_WORDS,
    WordResult,
    invitation_create,
    invitation_withdraw,
    may_change,
    may_renew,
    version_for_age,
    word_check,
)
from reviews.my_review_models import MyReviewVersion
from reviews.services import child_come_into_care, review_record_held
from tests.factories import ChildFactory, child_in_care, names_word

pytestmark = pytest.mark.django_db

TODAY = date(2025, 1, 10)
WORD = "Pineapple"


@pytest.fixture
def review(iro):
    _child, review = child_in_care(iro, start=date(2025, 1, 6))
    return review


def _invite(review, user, word=WORD):
    return invitation_create(
        review=review, word=word, version=MyReviewVersion.OLDER, created_by=user, today=TODAY
    ).invitation


# --- invitation_withdraw ------------------------------------------------------------------------


def test_invitation_withdraw_stops_the_live_invitation_and_says_who_withdrew_it(review, iro, business_support):
    invitation = _invite(review, iro)
    assert invitation_withdraw(review=review, withdrawn_by=business_support) == 1
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    assert invitation.withdrawn_by == business_support
    assert not invitation.is_usable(today=TODAY)


def test_invitation_withdraw_with_no_live_invitation_changes_nothing(review, iro, business_support):
    assert invitation_withdraw(review=review, withdrawn_by=iro) == 0
    invitation = _invite(review, iro)
    invitation_withdraw(review=review, withdrawn_by=iro)
    invitation.refresh_from_db()
    withdrawn_at = invitation.withdrawn_at
    assert invitation_withdraw(review=review, withdrawn_by=business_support) == 0
    invitation.refresh_from_db()
    assert (invitation.withdrawn_at, invitation.withdrawn_by) == (withdrawn_at, iro)


def test_invitation_withdraw_leaves_other_reviews_invitations_alone(review, iro, other_iro):
    _other_child, other_review = child_in_care(other_iro, start=date(2025, 1, 6))
    mine, theirs = _invite(review, iro), _invite(other_review, other_iro)
    invitation_withdraw(review=review, withdrawn_by=iro)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.withdrawn_at is not None
    assert theirs.withdrawn_at is None


# --- word_check ---------------------------------------------------------------------------------


def _stored(invitation):
    return MyReviewInvitation.objects.get(pk=invitation.pk)


def test_the_right_word_opens_the_invitation_and_marks_its_first_use_once(review, iro):
    invitation = _invite(review, iro)
    assert word_check(invitation_id=invitation.pk, word=WORD, today=TODAY) == WordResult.RIGHT
    first_used_at = _stored(invitation).first_used_at
    assert first_used_at is not None
    assert word_check(invitation_id=invitation.pk, word=WORD, today=TODAY) == WordResult.RIGHT
    assert _stored(invitation).first_used_at == first_used_at
    assert _stored(invitation).failed_attempts == 0


def test_the_word_is_right_whatever_its_case_and_the_spaces_around_it(review, iro):
    invitation = _invite(review, iro, word="Blue  Whale")
    assert word_check(invitation_id=invitation.pk, word="  blue whale ", today=TODAY) == WordResult.RIGHT


def test_a_wrong_word_is_counted_and_does_not_open_the_invitation(review, iro):
    invitation = _invite(review, iro)
    assert word_check(invitation_id=invitation.pk, word="Banana", today=TODAY) == WordResult.WRONG
    stored = _stored(invitation)
    assert (stored.failed_attempts, stored.first_used_at, stored.locked_at) == (1, None, None)


def test_the_fifth_wrong_word_locks_the_invitation_and_tells_the_childs_iro(review, iro):
    invitation = _invite(review, iro)
    for attempt in range(1, MAX_WRONG_WORDS):
        assert word_check(invitation_id=invitation.pk, word="Banana", today=TODAY) == WordResult.WRONG
        assert _stored(invitation).failed_attempts == attempt
    assert not Notification.objects.exists()
    assert word_check(invitation_id=invitation.pk, word="Banana", today=TODAY) == WordResult.LOCKED
    stored = _stored(invitation)
    assert stored.failed_attempts == MAX_WRONG_WORDS
    assert stored.locked_at is not None
    alert = Notification.objects.get()
    assert (alert.recipient, alert.kind, alert.object_key, alert.deadline) == (
        iro,
        NotificationKind.MY_REVIEW_LOCKED,
        f"my_review:{invitation.pk}",
        TODAY,
    )
    assert review.child.local_id in alert.subject
    assert not names_word(review.child.first_name, alert.subject + alert.body)  # the child is named by ID only


def test_once_locked_even_the_right_word_is_refused_and_nothing_more_is_counted(review, iro):
    invitation = _invite(review, iro)
    for _ in range(MAX_WRONG_WORDS):
        word_check(invitation_id=invitation.pk, word="Banana", today=TODAY)
    assert word_check(invitation_id=invitation.pk, word=WORD, today=TODAY) == WordResult.LOCKED
    assert word_check(invitation_id=invitation.pk, word="Banana", today=TODAY) == WordResult.LOCKED
    stored = _stored(invitation)
    assert (stored.failed_attempts, stored.first_used_at) == (MAX_WRONG_WORDS, None)
    assert Notification.objects.count() == 1  # told once


def test_a_right_word_between_wrong_ones_does_not_reset_the_count(review, iro):
    invitation = _invite(review, iro)
    for _ in range(MAX_WRONG_WORDS - 1):
        word_check(invitation_id=invitation.pk, word="Banana", today=TODAY)
    assert word_check(invitation_id=invitation.pk, word=WORD, today=TODAY) == WordResult.RIGHT
    assert word_check(invitation_id=invitation.pk, word="Banana", today=TODAY) == WordResult.LOCKED


def test_with_no_iro_on_the_case_the_managers_are_told_of_the_lock(business_support, manager):
    unallocated = child_come_into_care(
        child=ChildFactory(date_of_birth=date(2012, 1, 1)),
        start=date(2025, 1, 6),
        episode_fields={"legal_status": "C2", "category_of_need": "N1", "placement_type": "U4"},
    )
    invitation = _invite(unallocated, business_support)
    for _ in range(MAX_WRONG_WORDS):
        word_check(invitation_id=invitation.pk, word="Banana", today=TODAY)
    assert list(Notification.objects.values_list("recipient", "kind")) == [
        (manager.pk, NotificationKind.MY_REVIEW_LOCKED)
    ]


def test_a_withdrawn_or_expired_invitation_refuses_even_the_right_word_without_counting(review, iro):
    invitation = _invite(review, iro)
    expires_on = _stored(invitation).expires_on
    assert word_check(invitation_id=invitation.pk, word=WORD, today=expires_on) == WordResult.RIGHT
    after = expires_on + timedelta(days=1)
    assert word_check(invitation_id=invitation.pk, word=WORD, today=after) == WordResult.LOCKED
    assert word_check(invitation_id=invitation.pk, word="Banana", today=after) == WordResult.LOCKED
    invitation_withdraw(review=review, withdrawn_by=iro)
    assert word_check(invitation_id=invitation.pk, word=WORD, today=TODAY) == WordResult.LOCKED
    stored = _stored(invitation)
    assert (stored.failed_attempts, stored.locked_at) == (0, None)
    assert not Notification.objects.exists()


# --- version_for_age ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "version"),
    [
        (date(2014, 6, 1), date(2025, 5, 31), MyReviewVersion.YOUNGER),  # the day before turning 11
        (date(2014, 6, 1), date(2025, 6, 1), MyReviewVersion.OLDER),  # the 11th birthday
        (date(2020, 1, 1), date(2025, 1, 1), MyReviewVersion.YOUNGER),
        (date(2008, 1, 1), date(2025, 1, 1), MyReviewVersion.OLDER),
        (date(2012, 2, 29), date(2023, 2, 28), MyReviewVersion.YOUNGER),  # 29 February: 11 on 1 March
        (date(2012, 2, 29), date(2023, 3, 1), MyReviewVersion.OLDER),
    ],
)
def test_version_for_age_is_younger_under_11_and_older_from_the_11th_birthday(born, on, version):
    assert version_for_age(date_of_birth=born, on=on) == version


# --- may_change and may_renew -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (ReviewStatus.DUE, True),
        (ReviewStatus.BOOKED, True),
        (ReviewStatus.HELD, False),
        (ReviewStatus.CANCELLED, False),
    ],
)
def test_may_change_until_the_review_is_held_or_no_longer_happening(status, allowed):
    assert may_change(review=Review(status=status)) is allowed


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (ReviewStatus.DUE, False),
        (ReviewStatus.BOOKED, False),
        (ReviewStatus.HELD, True),
        (ReviewStatus.CANCELLED, False),
    ],
)
def test_may_renew_only_once_the_review_is_held(status, allowed):
    assert may_renew(review=Review(status=status)) is allowed


def test_holding_the_review_ends_changes_and_allows_renewal(review, iro):
    assert (may_change(review=review), may_renew(review=review)) == (True, False)
    held = review_record_held(review=review, held_on=date(2025, 1, 20), chair=iro, participation_code="PN1")
    assert (may_change(review=held), may_renew(review=held)) == (False, True)
