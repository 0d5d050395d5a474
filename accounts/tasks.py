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
    return services.notification_deliver(notification_id=notification_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_daily_digest() -> int:
    """Beat runs this at 07:00 Europe/London."""
    return services.daily_digest_create(today=timezone.localdate())
