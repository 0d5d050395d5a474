"""accounts.services called directly: notifications written once and marked read, and a
manager's authenticator app (the device made once, codes checked and throttled)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Notification, NotificationKind
from accounts.services import (
    TokenCheck,
    notifications_create,
    notifications_mark_read,
    totp_device_for,
    totp_token_check,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _unsaved(user, *, key="review:1", kind=NotificationKind.REVIEW_DUE_5, deadline=date(2026, 5, 8), subject="Book"):
    return Notification(
        recipient=user, kind=kind, object_key=key, deadline=deadline, subject=subject, body="Body", url="/reviews/1/"
    )


# --- notifications_create -----------------------------------------------------------------------


def test_notifications_create_writes_each_new_notification_with_its_fields(iro, other_iro):
    notifications_create(notifications=[_unsaved(iro, key="review:1"), _unsaved(other_iro, key="review:2")])
    rows = Notification.objects.order_by("object_key")
    assert [(n.recipient, n.kind, n.object_key, n.deadline, n.subject, n.body, n.url) for n in rows] == [
        (iro, NotificationKind.REVIEW_DUE_5, "review:1", date(2026, 5, 8), "Book", "Body", "/reviews/1/"),
        (other_iro, NotificationKind.REVIEW_DUE_5, "review:2", date(2026, 5, 8), "Book", "Body", "/reviews/1/"),
    ]
    assert all(n.created_at is not None and n.read_at is None and n.sent_at is None for n in rows)


def test_notifications_create_skips_one_that_exists_already_and_keeps_the_first(iro):
    notifications_create(notifications=[_unsaved(iro, subject="First")])
    notifications_create(notifications=[_unsaved(iro, subject="Second"), _unsaved(iro, key="review:2")])
    assert Notification.objects.count() == 2
    assert Notification.objects.get(object_key="review:1").subject == "First"


def test_notifications_create_treats_another_deadline_kind_or_recipient_as_a_new_notification(iro, other_iro):
    notifications_create(
        notifications=[
            _unsaved(iro),
            _unsaved(iro, deadline=date(2026, 5, 9)),
            _unsaved(iro, kind=NotificationKind.REVIEW_OVERDUE),
            _unsaved(other_iro),
        ]
    )
    assert Notification.objects.count() == 4


def test_notifications_create_with_none_writes_nothing(iro):
    notifications_create(notifications=[])
    assert not Notification.objects.exists()


# --- notifications_mark_read --------------------------------------------------------------------


def test_notifications_mark_read_with_no_ids_marks_all_of_the_users_unread_and_no_one_elses(iro, other_iro):
    notifications_create(
        notifications=[_unsaved(iro, key="review:1"), _unsaved(iro, key="review:2"), _unsaved(other_iro)]
    )
    assert notifications_mark_read(user=iro) == 2
    assert not Notification.objects.filter(recipient=iro, read_at=None).exists()
    assert Notification.objects.get(recipient=other_iro).read_at is None


def test_notifications_mark_read_with_ids_marks_only_those(iro):
    notifications_create(notifications=[_unsaved(iro, key="review:1"), _unsaved(iro, key="review:2")])
    first = Notification.objects.get(object_key="review:1")
    assert notifications_mark_read(user=iro, notification_ids=[first.pk]) == 1
    first.refresh_from_db()
    assert first.read_at is not None
    assert Notification.objects.get(object_key="review:2").read_at is None


def test_notifications_mark_read_ignores_another_users_ids_and_keeps_the_first_read_time(iro, other_iro):
    notifications_create(notifications=[_unsaved(iro), _unsaved(other_iro)])
    theirs = Notification.objects.get(recipient=other_iro)
    assert notifications_mark_read(user=iro, notification_ids=[theirs.pk]) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    notifications_mark_read(user=iro)
    read_at = Notification.objects.get(recipient=iro).read_at
    assert notifications_mark_read(user=iro) == 0  # already read: not read again
    assert Notification.objects.get(recipient=iro).read_at == read_at


# --- totp_device_for ----------------------------------------------------------------------------


def _token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _wrong(device: TOTPDevice) -> str:
    return "000000" if _token(device) != "000000" else "111111"


def test_totp_device_for_makes_one_unconfirmed_device_and_gives_the_same_one_again(manager):
    device = totp_device_for(user=manager)
    assert (device.user, device.name, device.confirmed) == (manager, "Authenticator app", False)
    again = totp_device_for(user=manager)
    assert again.pk == device.pk
    assert again.key == device.key  # the QR code stays the same
    assert TOTPDevice.objects.filter(user=manager).count() == 1


def test_totp_device_for_prefers_the_confirmed_device(manager):
    TOTPDevice.objects.create(user=manager, name="Being set up", confirmed=False)
    confirmed = TOTPDevice.objects.create(user=manager, name="Phone", confirmed=True)
    assert totp_device_for(user=manager).pk == confirmed.pk
    assert TOTPDevice.objects.filter(user=manager).count() == 2


def test_totp_device_for_is_each_users_own(manager, iro):
    assert totp_device_for(user=manager).pk != totp_device_for(user=iro).pk


# --- totp_token_check ---------------------------------------------------------------------------


@pytest.fixture
def nine_oclock():
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), tick=False) as traveller:
        yield traveller


def test_a_right_code_confirms_the_device_being_set_up(manager, nine_oclock):
    device = totp_device_for(user=manager)
    assert totp_token_check(device=device, token=_token(device)) == TokenCheck.RIGHT
    device.refresh_from_db()
    assert device.confirmed


def test_a_right_code_with_spaces_around_it_is_right(manager, nine_oclock):
    device = totp_device_for(user=manager)
    assert totp_token_check(device=device, token=f"  {_token(device)} ") == TokenCheck.RIGHT


def test_a_wrong_code_is_wrong_leaves_the_device_unconfirmed_and_counts_a_failure(manager, nine_oclock):
    device = totp_device_for(user=manager)
    assert totp_token_check(device=device, token=_wrong(device)) == TokenCheck.WRONG
    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_count == 1  # kept: the check reports rather than raises


def test_after_a_wrong_code_even_the_right_one_is_throttled_until_the_wait_is_over(manager, nine_oclock):
    device = totp_device_for(user=manager)
    totp_token_check(device=device, token=_wrong(device))
    assert totp_token_check(device=device, token=_token(device)) == TokenCheck.THROTTLED
    device.refresh_from_db()
    assert not device.confirmed
    nine_oclock.move_to(datetime(2026, 3, 2, 9, 0, 10, tzinfo=LONDON))
    device.refresh_from_db()
    assert totp_token_check(device=device, token=_token(device)) == TokenCheck.RIGHT
    device.refresh_from_db()
    assert device.confirmed
    assert device.throttling_failure_count == 0


def test_a_code_already_used_is_not_accepted_again(manager, nine_oclock):
    device = totp_device_for(user=manager)
    token = _token(device)
    assert totp_token_check(device=device, token=token) == TokenCheck.RIGHT
    assert totp_token_check(device=device, token=token) == TokenCheck.WRONG
