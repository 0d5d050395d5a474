"""Review documents as PDFs: rendered from Django templates (iro_service.pdf, which fetches
safely), kept privately with their SHA-256, never overwritten."""

import hashlib
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.template.loader import render_to_string
from django.utils import timezone

from children.ages import age_on
from iro_service.pdf import pdf_render

from .codes import DocumentKind, ReportKind, ReviewStatus, reports_expected
from .models import Document, Review


def private_storage() -> FileSystemStorage:
    """Where PDFs live: not under any URL that the web server serves."""
    return FileSystemStorage(location=settings.IRO_PRIVATE_DOCUMENTS_ROOT, base_url=None)


def chair_phone(review: Review) -> str:
    """The chair's work telephone, from their IRO profile (blank if they have none)."""
    profile = getattr(review.chair, "iro_profile", None) if review.chair_id else None
    return profile.work_phone if profile else ""


def document_context(review: Review) -> dict[str, Any]:
    """What every document shows. One place, so the three documents agree."""
    child = review.child
    next_review = (
        Review.objects.filter(period_of_care_id=review.period_of_care_id, status__in=["due", "booked"])
        .only("due_date")
        .first()
    )
    held_on = review.held_on
    # The monitoring form (audits) grades the plans; asked through the relation, not imported.
    monitoring = getattr(review, "monitoring_form", None)
    decisions = list(review.decisions.all())
    return {
        "review": review,
        "child": child,
        "first_name": child.preferred_name or child.first_name,
        "age": age_on(child.date_of_birth, held_on) if held_on else None,
        "shows_pathway_plan": held_on is not None
        and ReportKind.PATHWAY_PLAN in reports_expected(date_of_birth=child.date_of_birth, on=held_on),
        "decisions": decisions,
        # The letter to the child: each decision as said to the child, and how to reach the chair.
        "decisions_for_child": [decision.wording_for(child) for decision in decisions],
        "chair_phone": chair_phone(review),
        "service_phone": settings.IRO_SERVICE_PHONE,
        "attendees": list(review.invitees.all()),
        # Every report expected before the review, received or not: the minutes say which were not.
        "report_checklist": review.reports_checklist(today=held_on or timezone.localdate()),
        "monitoring": monitoring,
        "next_review_due": next_review.due_date if next_review else None,
    }


def render_pdf(kind: str, review: Review, context: dict[str, Any] | None = None) -> bytes:
    return pdf_render(f"reviews/pdf/{kind}.html", context or document_context(review))


def letter_html(context: dict[str, Any]) -> str:
    """The letter to the child as the HTML the child's own page shows after the review (My review),
    from the same template part and context as the PDF: the same wording."""
    return render_to_string("reviews/_letter_to_child.html", {**context, "online": True})


def document_render(document: Document) -> Document:
    """Render one queued document version and store it; never replaces an existing file."""
    if document.review.status != ReviewStatus.HELD:
        raise ValueError("Documents are produced from a held review.")
    context = document_context(document.review)
    pdf = render_pdf(document.kind, document.review, context)
    if document.kind == DocumentKind.LETTER:  # kept with the version, for the child's page once issued
        document.letter_html = letter_html(context)
    name = f"{document.review_id}/{document.kind}-v{document.version}-{hashlib.sha256(pdf).hexdigest()[:16]}.pdf"
    storage = private_storage()
    if storage.exists(name):
        raise FileExistsError(f"{name} exists already; documents are never overwritten.")
    document.file_name = storage.save(name, ContentFile(pdf))
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    return document


def issued_on_time(kind: str, review: Review, issued_on: date) -> bool | None:
    """Outcomes within 5 and minutes within 20 working days of the review (the stored deadlines)."""
    deadlines: dict[str, date | None] = {
        DocumentKind.OUTCOMES: review.outcomes_due_on,
        DocumentKind.MINUTES: review.minutes_due_on,
    }
    deadline = deadlines.get(kind)
    return None if deadline is None else issued_on <= deadline
