"""Thin Celery wrappers: take ids, call a service. Retries live here."""

from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from . import services


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


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_daily_digest() -> int:
    """Beat runs this at 07:00 Europe/London."""
    return services.daily_digest_create(today=timezone.localdate())
