from celery import shared_task
from django.utils import timezone

from . import services
from .month_ends import month_end_counts_refresh


@shared_task(acks_late=True, reject_on_worker_lost=True)
def make_report_pdf(report_pdf_id: int) -> str:
    """Make a report PDF (annual or QA); its progress, file or failure are stored on the row."""
    return services.report_pdf_produce(report_pdf_id=report_pdf_id)


@shared_task(acks_late=True)
def refresh_month_end_counts() -> int:
    """Nightly: count the kept month-end figures again (caseload.month_ends)."""
    return month_end_counts_refresh(today=timezone.localdate())
