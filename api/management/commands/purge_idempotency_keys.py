"""Delete the answers kept for Idempotency-Keys once they are older than IRO_API_IDEMPOTENCY_HOURS
(api.idempotency). Run it hourly (cron, or the scheduler that runs the other commands)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from api.idempotency import idempotent_requests_purge


class Command(BaseCommand):
    help = "Delete the answers kept for Idempotency-Keys older than IRO_API_IDEMPOTENCY_HOURS."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted, hours = idempotent_requests_purge(), settings.IRO_API_IDEMPOTENCY_HOURS
        answers = f"{deleted} kept answer{'s' if deleted != 1 else ''}"
        self.stdout.write(f"Deleted {answers} older than {hours} hour{'s' if hours != 1 else ''}.")
