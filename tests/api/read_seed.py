"""Records for the read side's tests (api/views_read.py): a child in care with an IRO, a held
review with decisions and issued documents (a PDF in the private folder), the next review due;
and, carrying a marker, everything the API must never show: the child's own words."""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from children.models import Child
from reviews.codes import DocumentKind, DocumentState, ParticipationCode, ReviewSequence, ReviewStatus
from reviews.documents import private_storage
from reviews.models import Decision, Document, Review, Visit
from reviews.my_review_models import MyReviewResponse
from reviews.timescales import add_working_days
from tests.factories import IROFactory, child_in_care

HELD_ON = date(2025, 1, 20)
PDF = b"%PDF-1.4\n% a test document\n%%EOF\n"


@dataclass
class Seeded:
    child: Child
    iro: User
    held: Review
    next_review: Review
    document: Document


def seed_child(*, marker: str = "", iro: User | None = None) -> Seeded:
    """A child in care since 6 Jan 2025, their first review held on 20 Jan 2025 (PN1, outcomes
    out on time, minutes late, two decisions, the outcomes PDF issued) and the second review due.
    With `marker`, the child's words, private note, visit notes and the review's private text all
    contain it."""
    iro = iro or IROFactory()
    child, first = child_in_care(iro, start=date(2025, 1, 6))
    assert first is not None
    outcomes_due, minutes_due = add_working_days(HELD_ON, 5), add_working_days(HELD_ON, 20)
    words = f"in my words {marker}" if marker else ""
    Review.objects.filter(pk=first.pk).update(
        status=ReviewStatus.HELD,
        held_on=HELD_ON,
        participation_code=ParticipationCode.PN1,
        chair=iro,
        outcomes_due_on=outcomes_due,
        minutes_due_on=minutes_due,
        outcomes_issued_on=outcomes_due,
        minutes_issued_on=minutes_due + timedelta(days=3),
        child_views=words,
        child_own_words=words,
        worried_about=words,
        working_well=words,
        needs_to_happen=words,
        lateness_reason=words,
    )
    held = Review.objects.get(pk=first.pk)
    Decision.objects.create(review=held, text="Arrange contact with mum.", owner="Social worker", deadline=HELD_ON)
    Decision.objects.create(
        review=held, text="Update the PEP.", owner="Designated teacher", for_child=words or "You will see your mum."
    )
    next_review = Review.objects.create(
        child=child,
        period_of_care=held.period_of_care,
        sequence=ReviewSequence.SECOND,
        status=ReviewStatus.DUE,
        due_date=date(2025, 4, 20),
        due_schedule="reg33",
        due_rule="second review: within three months of the first on Mon 20 Jan 2025",
    )
    name = private_storage().save(f"{held.pk}/outcomes-v1.pdf", ContentFile(PDF))
    document = Document.objects.create(
        review=held,
        kind=DocumentKind.OUTCOMES,
        version=1,
        state=DocumentState.READY,
        file_name=name,
        sha256=hashlib.sha256(PDF).hexdigest(),
        created_by=iro,
        issued_on=outcomes_due,
        issued_on_time=True,
        letter_html=words,
    )
    if marker:
        Visit.objects.create(child=child, iro=iro, visited_on=HELD_ON - timedelta(days=2), notes=words)
        MyReviewResponse.objects.create(
            review=next_review,
            where_i_live=words,
            school=words,
            family_time=words,
            worries=words,
            going_well=words,
            next_steps=words,
            want_there=words,
            private_note=f"just for my IRO {marker}",
            submitted_at=timezone.now(),
            sent_answers={"where_i_live": words, "private_note": words},
        )
    return Seeded(child=child, iro=iro, held=held, next_review=next_review, document=document)
