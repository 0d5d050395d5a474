from celery import shared_task
from django.utils import timezone

from .reminders import reminders_sweep


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_reminders() -> int:
    """Beat runs this every 15 minutes (django-celery-beat, editable in the admin)."""
    return reminders_sweep(today=timezone.localdate())
