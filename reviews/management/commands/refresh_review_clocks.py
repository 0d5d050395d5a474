"""Store every open period's review due dates and rules again (after a change to the clock's rules)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q

from children.models import PeriodOfCare
from reviews.codes import OUTSTANDING_STATUSES
from reviews.services import review_due_dates_refresh


class Command(BaseCommand):
    help = "Recompute the due date and rule of every outstanding review (open periods, and short-break series)."

    def handle(self, *args: Any, **options: Any) -> None:
        periods = (
            PeriodOfCare.objects.filter(Q(end__isnull=True) | Q(reviews__status__in=OUTSTANDING_STATUSES))
            .distinct()
            .order_by("child_id", "start")
        )
        count = 0
        for period in periods.iterator(chunk_size=2000):
            with transaction.atomic():
                review_due_dates_refresh(period_of_care=period)
            count += 1
        self.stdout.write(f"Review clocks stored again for {count} period(s) of care.")
