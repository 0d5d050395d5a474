"""Reads for quality assurance."""

from datetime import date

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from reviews.codes import ReviewStatus

from .codes import RatingScheme
from .models import RatingSchemeSetting

# The seed's target: a monitoring form for 80% of reviews.
MONITORING_FORM_TARGET_PCT = 80.0


def scheme_on(day: date) -> str:
    """The rating scheme in force on `day` (Ofsted 1–4 unless the authority set another)."""
    setting = RatingSchemeSetting.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    return setting.scheme if setting else RatingScheme.OFSTED_4


def monitoring_form_completion(*, start: date, end: date) -> QuerySet[User]:
    """Per chairing IRO: reviews held in [start, end] and how many have a monitoring form."""
    held = Q(reviews_chaired__status=ReviewStatus.HELD, reviews_chaired__held_on__range=(start, end))
    return (
        User.objects.annotate(
            reviews_held=Count("reviews_chaired", filter=held),
            forms_completed=Count("reviews_chaired__monitoring_form", filter=held),
        )
        .filter(reviews_held__gt=0)
        .order_by("last_name", "first_name")
    )
