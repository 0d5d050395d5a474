from datetime import date

from django.db import transaction

from accounts.models import User
from children.models import Child

from .models import MidwayReview


@transaction.atomic
def midway_review_record(*, child: Child, author: User, held_on: date, note: str) -> MidwayReview:
    """The IRO's midway look at the care plan, kept as a dated case note."""
    midway = MidwayReview(child=child, author=author, held_on=held_on, note=note)
    midway.full_clean()
    midway.save()
    return midway
