"""Thin Celery wrappers: take ids, call a service. Retries live here."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=8,
)
def deliver_notification(notification_id: int) -> bool:
    """Email one notification (accounts/services.py: claim, send, mark sent).

    A retry after a refused send claims it afresh; after a failure that may have delivered it, a
    retry is the one further attempt the service allows. Redelivered or duplicate messages are
    harmless: a live claim, `sent_at` or `failed_at` makes them do nothing.
    """
    return services.notification_deliver(notification_id=notification_id)


# A notification in a batch whose send failed in a way a retry may mend goes to its own task
# `deliver_notification` (retries with back-off) after this many seconds.
HAND_OVER_COUNTDOWN = 2


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_notifications(notification_ids: list[int]) -> int:
    """Email a batch of notifications, one by one (each claim, send, mark sent as in
    `deliver_notification`). One that fails with a refused or dropped send is handed to
    `deliver_notification`, which retries it with back-off; any other failure is logged and
    left for the sweep to queue again after the lease. The rest of the batch goes on either
    way. A redelivered batch (a worker that died) does nothing for what was sent or is being
    sent. Returns how many were sent now."""
    sent = 0
    for notification_id in notification_ids:
        try:
            sent += services.notification_deliver(notification_id=notification_id)
        except (SMTPException, OSError):
            deliver_notification.apply_async((notification_id,), countdown=HAND_OVER_COUNTDOWN)
        except Exception:
            logger.exception("Notification %s was not delivered; the sweep asks again after the lease", notification_id)
    return sent


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_daily_digest() -> int:
    """Beat runs this at 07:00 Europe/London."""
    return services.daily_digest_create(today=timezone.localdate())
