"""The delivery guarantee, one rule at a time: claim (committed) -> send with a stable Message-ID -> mark sent.

A live claim blocks a second delivery; an expired one allows exactly one more; after two claims
that may have reached the mail server it is given up, never sent a third time. A crash between
send and commit is played by an email backend that raises a BaseException after "sending" (as
SIGKILL would, nothing in the service gets to run after it).
"""

import re
import threading
from datetime import date, timedelta
from smtplib import SMTPSenderRefused, SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connections

from accounts import services
from accounts.models import Notification, NotificationKind
from tests.factories import IROFactory

# Each step runs in its own transaction in a worker; here in savepoints, except where a test
# looks from another connection (the claim must be committed before the email goes out).
pytestmark = pytest.mark.django_db

LEASE = timedelta(minutes=10)


class WorkerKilled(BaseException):
    """What the service sees of SIGKILL: nothing after this point runs."""


class CrashAfterSendBackend(EmailBackend):
    def send_messages(self, messages):
        super().send_messages(messages)
        raise WorkerKilled


class RefusedBackend(EmailBackend):
    def send_messages(self, messages):
        raise SMTPSenderRefused(451, b"Try again later", "iro-service@localhost")


class DroppedMidMessageBackend(EmailBackend):
    def send_messages(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


seen_from_another_connection: list = []


class SeesTheClaimBackend(EmailBackend):
    """While sending, look at the row from another connection: only committed data is visible there."""

    def send_messages(self, messages):
        def look():
            seen_from_another_connection.append(
                Notification.objects.values_list("sending_since", "send_attempts").get(
                    pk=int(re.search(r"<notification-(\d+)\.", messages[0].extra_headers["Message-ID"])[1])
                )
            )
            connections.close_all()

        thread = threading.Thread(target=look)
        thread.start()
        thread.join()
        return super().send_messages(messages)


@pytest.fixture
def notification(settings):
    settings.IRO_NOTIFICATION_LEASE = LEASE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return Notification.objects.create(
        recipient=IROFactory(email="iro@example.org"),
        kind=NotificationKind.REVIEW_DUE_5,
        object_key="review:1",
        deadline=date(2026, 5, 8),
        subject="Review to book",
        url="/reviews/1/",
    )


def _expire_the_claim(notification: Notification) -> None:
    """As if the lease had run out: the claim is made older than the lease."""
    row = Notification.objects.get(pk=notification.pk)
    Notification.objects.filter(pk=notification.pk).update(
        sending_since=row.sending_since - LEASE - timedelta(seconds=1)
    )


def _crash_after_sending(settings, notification: Notification) -> None:
    settings.EMAIL_BACKEND = "tests.accounts.test_delivery_claims.CrashAfterSendBackend"
    with pytest.raises(WorkerKilled):
        services.notification_deliver(notification_id=notification.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_one_delivery_sends_once_with_the_notifications_own_message_id_and_marks_it_sent(notification):
    assert services.notification_deliver(notification_id=notification.pk) is True
    assert services.notification_deliver(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
    message_id = mail.outbox[0].message()["Message-ID"]
    assert message_id == services.notification_message_id(notification)
    assert message_id.startswith(f"<notification-{notification.pk}.")
    assert message_id.endswith("@127.0.0.1>")
    row = Notification.objects.get(pk=notification.pk)
    assert row.sent_at is not None
    assert row.sending_since is None
    assert row.send_attempts == 1  # released for the retry, but counted


@pytest.mark.django_db(transaction=True)
def test_the_claim_is_committed_before_the_email_goes_out(notification, settings):
    settings.EMAIL_BACKEND = "tests.accounts.test_delivery_claims.SeesTheClaimBackend"
    seen_from_another_connection.clear()
    assert services.notification_deliver(notification_id=notification.pk) is True
    [(sending_since, attempts)] = seen_from_another_connection
    assert sending_since is not None
    assert attempts == 1


def test_a_live_claim_blocks_a_second_delivery(notification, settings):
    _crash_after_sending(settings, notification)
    assert len(mail.outbox) == 1
    assert services.notification_deliver(notification_id=notification.pk) is False  # the lease is live
    assert len(mail.outbox) == 1
    row = Notification.objects.get(pk=notification.pk)
    assert row.sent_at is None
    assert row.sending_since is not None
    assert row.send_attempts == 1


def test_an_expired_claim_allows_exactly_one_more_with_the_same_message_id(notification, settings):
    _crash_after_sending(settings, notification)
    _expire_the_claim(notification)
    assert services.notification_deliver(notification_id=notification.pk) is True
    assert services.notification_deliver(notification_id=notification.pk) is False
    assert len(mail.outbox) == 2
    assert len({message.message()["Message-ID"] for message in mail.outbox}) == 1
    row = Notification.objects.get(pk=notification.pk)
    assert row.sent_at is not None
    assert row.send_attempts == 2
    assert row.failed_at is None


def test_after_two_claims_that_may_have_sent_it_is_given_up_never_sent_a_third_time(notification, settings, caplog):
    _crash_after_sending(settings, notification)
    _expire_the_claim(notification)
    _crash_after_sending(settings, notification)
    assert services.notification_deliver(notification_id=notification.pk) is False  # second lease still live
    assert Notification.objects.get(pk=notification.pk).failed_at is None
    _expire_the_claim(notification)
    for _ in range(3):  # however often it is asked for again: a redelivered task, a sweep
        assert services.notification_deliver(notification_id=notification.pk) is False
    assert len(mail.outbox) == 2
    assert len({message.message()["Message-ID"] for message in mail.outbox}) == 1
    row = Notification.objects.get(pk=notification.pk)
    assert row.sent_at is None
    assert row.failed_at is not None
    assert row.send_attempts == 2
    assert any("not emailing it again" in record.getMessage() for record in caplog.records)
    # A sweep no longer asks for it.
    assert services.notifications_enqueue_unsent() == 0


def test_a_send_the_server_refused_does_not_count_and_is_retried_at_once(notification, settings):
    settings.EMAIL_BACKEND = "tests.accounts.test_delivery_claims.RefusedBackend"
    for _ in range(3):  # more refusals than the bound: none of them counts
        with pytest.raises(SMTPSenderRefused):
            services.notification_deliver(notification_id=notification.pk)
        row = Notification.objects.get(pk=notification.pk)
        assert row.sending_since is None
        assert row.send_attempts == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.notification_deliver(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


def test_no_connection_to_the_mail_server_does_not_count(notification, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with pytest.raises(ConnectionRefusedError):  # nothing was sent
        services.notification_deliver(notification_id=notification.pk)
    row = Notification.objects.get(pk=notification.pk)
    assert row.sending_since is None
    assert row.send_attempts == 0
    assert row.sent_at is None


def test_a_connection_dropped_mid_message_counts_so_only_one_more_try(notification, settings):
    settings.EMAIL_BACKEND = "tests.accounts.test_delivery_claims.DroppedMidMessageBackend"
    with pytest.raises(SMTPServerDisconnected):
        services.notification_deliver(notification_id=notification.pk)
    row = Notification.objects.get(pk=notification.pk)
    assert row.sending_since is None
    assert row.send_attempts == 1
    with pytest.raises(SMTPServerDisconnected):
        services.notification_deliver(notification_id=notification.pk)
    assert services.notification_deliver(notification_id=notification.pk) is False
    row = Notification.objects.get(pk=notification.pk)
    assert row.failed_at is not None
    assert row.send_attempts == 2


def test_someone_without_an_email_address_is_marked_sent_without_a_message(notification):
    notification.recipient.email = ""
    notification.recipient.save(update_fields=["email"])
    assert services.notification_deliver(notification_id=notification.pk) is True
    assert mail.outbox == []
    assert Notification.objects.get(pk=notification.pk).sent_at is not None


def _more_notifications(recipient, count: int) -> None:
    Notification.objects.bulk_create(
        Notification(
            recipient=recipient,
            kind=NotificationKind.REVIEW_DUE_5,
            object_key=f"review:{number}",
            deadline=date(2026, 5, 8),
            subject="Review to book",
        )
        for number in range(2, 2 + count)
    )


def test_a_sweep_queues_at_most_the_limit_and_the_next_sweeps_the_rest(notification, settings):
    settings.IRO_NOTIFICATION_PUBLISH_LIMIT = 2
    _more_notifications(notification.recipient, 3)
    assert [services.notifications_enqueue_unsent() for _ in range(4)] == [2, 2, 0, 0]
    assert not Notification.objects.filter(queued_at=None).exists()
    assert set(Notification.objects.values_list("queued_count", flat=True)) == {1}


def test_a_sweep_does_not_queue_what_a_worker_is_sending(notification, settings):
    _crash_after_sending(settings, notification)
    assert services.notifications_enqueue_unsent() == 0
    _expire_the_claim(notification)
    assert services.notifications_enqueue_unsent() == 1


def test_a_sweep_queues_in_one_query_whatever_the_number(notification, django_assert_num_queries):
    _more_notifications(notification.recipient, 200)
    with django_assert_num_queries(1):
        assert services.notifications_enqueue_unsent() == 201
