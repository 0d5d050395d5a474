from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def make_report_pdf(report_pdf_id: int) -> str:
    """Make a report PDF (annual or QA); its progress, file or failure are stored on the row."""
    return services.report_pdf_produce(report_pdf_id=report_pdf_id)
