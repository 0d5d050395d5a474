"""Reads for quality assurance."""

from datetime import date

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncQuarter

from accounts.models import User
from reviews.codes import ReviewStatus

from .codes import RatingScheme
from .models import ParticipantFeedback, RatingSchemeSetting

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


def feedback_by_quarter(*, start: date, end: date) -> list[dict]:
    """Participant feedback per quarter (1 Apr, 1 Jul, 1 Oct, 1 Jan: the financial-year quarters): how many,
    the average rating, and the share who said the child's voice was central."""
    rows = (
        ParticipantFeedback.objects.filter(review__held_on__range=(start, end))
        .annotate(quarter=TruncQuarter("review__held_on"))
        .values("quarter")
        .annotate(
            responses=Count("pk"),
            average_rating=Avg("rating"),
            voice_central=Count("pk", filter=Q(child_voice_central=True)),
        )
        .order_by("quarter")
    )
    return [
        {
            "quarter_start": row["quarter"],
            "responses": row["responses"],
            "average_rating": round(row["average_rating"], 1),
            "voice_central_pct": round(100 * row["voice_central"] / row["responses"], 1),
        }
        for row in rows
    ]
