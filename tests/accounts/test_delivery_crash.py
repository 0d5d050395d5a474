"""The delivery guarantee over the real stack: a Celery worker process that is killed, a redis-server
that is stopped, sweeps with no worker at all.

The worker is `celery -A iro_service worker` run as a process (tests/accounts/brokers.py) on this
test's database and its own redis-server; its email backend writes each message to a file and
can be held just after sending, before the notification is marked sent (tests/flaky_email.py).
"""

import ast
import email
import json
import re
import time
from collections import defaultdict
from datetime import timedelta

import pytest
import redis as redis_client
from django.conf import settings
from django.utils import timezone

from accounts.models import Notification
from accounts.services import notification_deliver
from audits.reminders import reminders_sweep
from tests.accounts.brokers import WorkerProcess, own_redis, start_redis, stop, wait_for
from tests.accounts.test_delivery import TODAY, _reviews_needing_reminders
from tests.flaky_email import messages_in

pytestmark = pytest.mark.django_db(transaction=True)

LEASE_SECONDS = 5


@pytest.fixture
def lease(settings):
    settings.IRO_NOTIFICATION_LEASE = timedelta(seconds=LEASE_SECONDS)  # the sweeps run in this process
    return settings.IRO_NOTIFICATION_LEASE


def _emails_by_notification(folder) -> dict[int, list[str]]:
    """notification id -> the Message-ID of each email sent for it."""
    sent = defaultdict(list)
    for raw in messages_in(folder):
        message_id = email.message_from_bytes(raw)["Message-ID"]
        sent[int(re.fullmatch(r"<notification-(\d+)\.\d+@[^>]+>", message_id)[1])].append(message_id)
    return sent


def _all_sent() -> bool:
    return not Notification.objects.filter(sent_at__isnull=True).exists()


def _wait_out_the_leases(lease: timedelta) -> None:
    """Until every claim and every queued message of an unsent notification is older than the lease."""
    latest = max(
        [
            moment
            for pair in Notification.objects.filter(sent_at=None).values_list("sending_since", "queued_at")
            for moment in pair
            if moment is not None
        ],
        default=timezone.now(),
    )
    time.sleep(max(0.0, (latest + lease - timezone.now()).total_seconds()) + 0.2)


def _sweep_until_all_sent(lease: timedelta, timeout: float = 90) -> None:
    """Run the sweep as beat would (closer together), each once the leases have run out, until all is sent."""
    deadline = time.monotonic() + timeout
    while not _all_sent() and time.monotonic() < deadline:
        _wait_out_the_leases(lease)
        reminders_sweep(today=TODAY)
        for _ in range(20):
            if _all_sent():
                break
            time.sleep(0.25)
    assert _all_sent(), f"{Notification.objects.filter(sent_at=None).count()} notifications never sent"
    time.sleep(1)  # room for any (wrong) further delivery


def test_a_worker_killed_between_send_and_commit_sends_that_email_once_more_after_the_lease(tmp_path, lease):
    emails, pause = tmp_path / "emails", tmp_path / "pause"
    emails.mkdir()
    pause.touch()
    with own_redis() as (port, _redis):
        expected = _reviews_needing_reminders()
        worker = WorkerProcess(port=port, email_dir=emails, pause_file=pause, lease_seconds=LEASE_SECONDS)
        try:
            worker.start()
            assert reminders_sweep(today=TODAY) == expected
            wait_for(lambda: (tmp_path / "pause.paused").exists(), timeout=60, what="the first email to be sent")
            worker.kill()  # after the mail server accepted it, before it was marked sent
            [killed] = Notification.objects.filter(sending_since__isnull=False, sent_at=None)
            assert killed.send_attempts == 1
            assert len(messages_in(emails)) == 1
            # While its claim is live, another delivery of it (a redelivered task) does nothing.
            assert notification_deliver(notification_id=killed.pk) is False

            pause.unlink()
            # Restarted, it delivers what is still queued; messages the killed worker had taken are
            # unacknowledged until Redis's visibility timeout (an hour), so the sweeps ask again.
            worker.start()
            _sweep_until_all_sent(lease)
        finally:
            worker.stop()
    sent = _emails_by_notification(emails)
    assert set(sent) == set(Notification.objects.values_list("pk", flat=True))  # none lost
    assert len(sent[killed.pk]) == 2  # at most once more...
    assert len(set(sent[killed.pk])) == 1  # ...with the same Message-ID
    assert all(len(ids) == 1 for pk, ids in sent.items() if pk != killed.pk)
    killed_now = Notification.objects.get(pk=killed.pk)
    assert killed_now.send_attempts == 2
    assert killed_now.sent_at >= killed.sending_since + lease  # not before its claim ran out


def test_redis_stopped_mid_delivery_each_email_is_sent_at_most_twice_with_one_message_id(tmp_path, lease):
    emails, pause = tmp_path / "emails", tmp_path / "pause"
    emails.mkdir()
    pause.touch()
    with own_redis() as (port, redis):
        expected = _reviews_needing_reminders()
        # The prefork pool, as in production: on losing the broker the worker cancels running tasks.
        worker = WorkerProcess(
            port=port, email_dir=emails, pause_file=pause, lease_seconds=LEASE_SECONDS, pool="prefork"
        )
        try:
            worker.start()
            assert reminders_sweep(today=TODAY) == expected
            wait_for(lambda: (tmp_path / "pause.paused").exists(), timeout=60, what="the first email to be sent")
            stop(redis["server"])  # the queued messages go with it (it keeps nothing on disk)
            time.sleep(1)
            pause.unlink()  # the delivery that was under way carries on, or is cancelled
            redis["server"] = start_redis(port)  # the broker comes back, empty
            _sweep_until_all_sent(lease)
        finally:
            worker.stop()
    sent = _emails_by_notification(emails)
    assert set(sent) == set(Notification.objects.values_list("pk", flat=True))  # none lost
    assert all(1 <= len(ids) <= 2 and len(set(ids)) == 1 for ids in sent.values()), sent
    assert sum(len(ids) for ids in sent.values()) <= expected + 1  # only the one under way could go twice


def _queued_batches(port: int) -> list[list[int]]:
    """The notification ids of each delivery message (a batch) waiting in the broker's list for this run's queue."""
    broker = redis_client.Redis(host="127.0.0.1", port=port, db=0)
    try:
        batches = []
        for raw in broker.lrange(settings.CELERY_TASK_DEFAULT_QUEUE, 0, -1):
            headers = json.loads(raw)["headers"]
            assert headers["task"] == "accounts.tasks.deliver_notifications"
            [batch] = ast.literal_eval(headers["argsrepr"])
            batches.append(batch)
        return batches
    finally:
        broker.close()


def _queued_notification_ids(port: int) -> list[int]:
    """The notification id in every delivery message waiting in the broker."""
    return sorted(pk for batch in _queued_batches(port) for pk in batch)


def test_three_sweeps_with_no_worker_queue_each_notification_once(lease):
    with own_redis() as (port, _redis):
        expected = _reviews_needing_reminders()
        for _ in range(3):
            reminders_sweep(today=TODAY)
        ids = sorted(Notification.objects.values_list("pk", flat=True))
        assert len(ids) == expected
        assert _queued_notification_ids(port) == ids
        assert len(_queued_batches(port)) == 1  # one message for the sweep's five, not five

        # A message lost (a broker that lost its data) is replaced after the lease, once per sweep...
        Notification.objects.update(queued_at=timezone.now() - lease * 1.5)
        reminders_sweep(today=TODAY)
        reminders_sweep(today=TODAY)
        assert _queued_notification_ids(port) == sorted(ids * 2)
        # ...and then only after twice as long: with no worker for a day, about 8 messages each, not 96.
        Notification.objects.update(queued_at=timezone.now() - lease * 1.5)
        reminders_sweep(today=TODAY)
        assert len(_queued_notification_ids(port)) == 2 * expected
        Notification.objects.update(queued_at=timezone.now() - lease * 2.5)
        reminders_sweep(today=TODAY)
        assert _queued_notification_ids(port) == sorted(ids * 3)


def test_a_sweep_publishes_one_message_per_batch_of_notifications(settings, lease):
    settings.IRO_NOTIFICATION_BATCH_SIZE = 2
    with own_redis() as (port, _redis):
        expected = _reviews_needing_reminders()
        reminders_sweep(today=TODAY)
        batches = _queued_batches(port)
        assert sorted(len(batch) for batch in batches) == [1, 2, 2]  # five notifications, three messages
        assert sorted(pk for batch in batches for pk in batch) == sorted(
            Notification.objects.values_list("pk", flat=True)
        )
        assert len(batches[0]) + len(batches[1]) + len(batches[2]) == expected
