from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_document(document_id: int) -> str:
    """Render a document version; the result (ready or failed) is stored on the row."""
    return services.document_produce(document_id=document_id).state
