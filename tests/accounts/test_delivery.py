"""Delivery with the real Redis and a real Celery worker in this process: each email once."""

import time
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from accounts.models import Notification
from audits.reminders import reminders_sweep
from children.codes import AllocationKind, LegalStatus
from children.models import Allocation
from iro_service.celery import app
from reviews.models import Review
from reviews.services import child_come_into_care
from tests import flaky_email
from tests.accounts.brokers import own_redis, start_redis, stop
from tests.factories import BusinessSupportFactory, ChildFactory, IROFactory, ManagerFactory

pytestmark = pytest.mark.django_db(transaction=True)

EPISODE = {"legal_status": LegalStatus.C2, "category_of_need": "N1", "placement_type": "U4"}
TODAY = date(2026, 5, 1)


def _reviews_needing_reminders() -> int:
    """Two children: one review due within 5 working days, one overdue. Returns the emails due."""
    iro = IROFactory(email="iro@example.org")
    BusinessSupportFactory(email="support@example.org")
    ManagerFactory(email="manager@example.org")
    for due in (date(2026, 5, 8), date(2026, 4, 28)):
        child = ChildFactory(date_of_birth=date(2012, 1, 1))
        review = child_come_into_care(child=child, start=due - timedelta(days=40), episode_fields=EPISODE)
        Allocation.objects.create(
            child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=due - timedelta(days=40)
        )
        Review.objects.filter(pk=review.pk).update(due_date=due)
    return 2 + 3  # due soon: IRO and support; overdue: IRO, support and the manager


def _wait_until_all_sent(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Notification.objects.filter(sent_at__isnull=True).exists():
            return
        time.sleep(0.2)
    unsent = Notification.objects.filter(sent_at__isnull=True).values(
        "pk", "queued_at", "queued_count", "sending_since", "send_attempts", "failed_at"
    )
    pytest.fail(f"{len(unsent)} notification(s) still unsent after {timeout} s: {list(unsent)}")


@contextmanager
def _worker():
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


def test_a_sweep_sends_each_email_once_and_a_second_sweep_adds_nothing(outbox):
    expected = _reviews_needing_reminders()
    with _worker():
        reminders_sweep(today=TODAY)
        _wait_until_all_sent()
        assert Notification.objects.count() == expected
        assert len(outbox) == expected
        reminders_sweep(today=TODAY)
        time.sleep(2)  # give any (wrong) second delivery time to happen
    assert Notification.objects.count() == expected
    assert len(outbox) == expected
    assert sorted(message.to[0] for message in outbox) == sorted(
        ["iro@example.org", "support@example.org"] * 2 + ["manager@example.org"]
    )


def test_a_delivery_that_fails_once_is_retried_and_still_sent_once(settings):
    settings.EMAIL_BACKEND = "tests.flaky_email.FailOnceBackend"
    flaky_email.failures.update(left=1, raised=0)
    mail.outbox = []
    expected = _reviews_needing_reminders()
    with _worker():
        reminders_sweep(today=TODAY)
        _wait_until_all_sent()
    assert flaky_email.failures["raised"] == 1
    assert len(mail.outbox) == expected
    # The refused send did not count against the bound of two possible deliveries.
    assert sorted(Notification.objects.values_list("send_attempts", flat=True)) == [1] * expected
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == expected


def test_with_the_broker_down_nothing_is_lost_and_all_is_sent_after_it_returns(outbox, caplog):
    with own_redis() as (port, redis):
        expected = _reviews_needing_reminders()
        with _worker():
            stop(redis["server"])
            started = time.monotonic()
            reminders_sweep(today=TODAY)
            # One failed publication stops the rest (each would wait as long for nothing).
            assert time.monotonic() - started < 5
            assert Notification.objects.count() == expected  # the reminders are in the database
            assert Notification.objects.filter(sent_at__isnull=True).count() == expected
            assert outbox == []
            # Publishing failed (and was logged), the sweep itself did not; none is left marked queued.
            assert any("Could not queue 5 notification(s)" in record.getMessage() for record in caplog.records)
            assert not Notification.objects.filter(queued_at__isnull=False).exists()
            redis["server"] = start_redis(port)  # the broker comes back
            reminders_sweep(today=TODAY)  # the next tick asks again for what is unsent
            _wait_until_all_sent(timeout=90)
            time.sleep(1)
        assert len(outbox) == expected
