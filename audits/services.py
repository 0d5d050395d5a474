from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from children.ages import age_on
from children.models import Child
from reviews.codes import ReviewStatus
from reviews.models import Review

from .models import MidwayReview, MonitoringForm
from .selectors import scheme_on


@transaction.atomic
def midway_review_record(*, child: Child, author: User, held_on: date, note: str) -> MidwayReview:
    """The IRO's midway look at the care plan, kept as a dated case note."""
    midway = MidwayReview(child=child, author=author, held_on=held_on, note=note)
    midway.full_clean()
    midway.save()
    return midway


@transaction.atomic
def monitoring_form_record(*, review: Review, completed_by: User, ratings: dict, comments: dict, shared_on=None):
    """The IRO's grading of the plans after a held review, on the scheme in force that day."""
    if review.status != ReviewStatus.HELD:
        raise ValidationError("A monitoring form follows a held review.")
    if MonitoringForm.objects.filter(review=review).exists():
        raise ValidationError("This review already has a monitoring form.")
    if ratings.get("pathway_plan_rating") is not None and age_on(review.child.date_of_birth, review.held_on) < 16:
        raise ValidationError({"pathway_plan_rating": "The pathway plan is graded for young people aged 16 and over."})
    form = MonitoringForm(
        review=review,
        completed_by=completed_by,
        completed_on=timezone.localdate(),
        scheme=scheme_on(review.held_on),
        shared_on=shared_on,
        **ratings,
        **comments,
    )
    form.full_clean()
    form.save()
    return form
