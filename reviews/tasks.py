from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_document(document_id: int) -> str:
    """Render a document version; the result (ready or failed) is stored on the row."""
    return services.document_produce(document_id=document_id).state


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_return_check(check_id: int) -> str:
    """Run an SSDA903 return check (export and validator); its state and results are on the row."""
    from .return_check import return_check_run  # noqa: PLC0415 - the export is loaded only by the worker

    return return_check_run(check_id)
