"""Thin Celery wrappers for webhooks (api/webhooks.py): take ids, call the service. Retries live here."""

from typing import Any

from celery import Task, shared_task

from iro_service.queue import task_send

from . import webhooks


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_webhook(self: Task[Any, Any], delivery_id: int) -> bool:
    """One attempt at one delivery; a failed attempt is tried again after the service's back-off
    (1 min, 5 min, 30 min, 2 h, 6 h, then given up). A repeated message does nothing: the
    service's claim lets one attempt through at a time, and none after delivery."""
    attempt = webhooks.webhook_deliver(delivery_id=delivery_id)
    if attempt is not None and attempt.retry_in is not None:
        raise self.retry(countdown=attempt.retry_in.total_seconds())
    return bool(attempt and attempt.delivered)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_webhook_deliveries() -> int:
    """Beat runs this every minute: queue again what a lost message or a dead worker left behind."""
    due = webhooks.webhook_deliveries_due()
    for delivery_id in due:
        task_send(webhooks.DELIVER_TASK, delivery_id)
    return len(due)
