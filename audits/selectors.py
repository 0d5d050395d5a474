"""Reads for quality assurance."""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, cast

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet, TextChoices
from django.db.models.functions import TruncQuarter

from accounts.models import User
from caseload.definitions import escalation_outcome_at, escalation_raised_between
from reviews.codes import ReviewStatus
from reviews.models import Review
from reviews.my_review_models import ListenedTo, MyReviewListenedTo
from reviews.timescales import add_working_days

from .codes import EscalationOutcome, EscalationStage, EscalationTheme, RatingScheme
from .models import Escalation, MonitoringForm, ParticipantFeedback, RatingSchemeSetting

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


def feedback_by_quarter(*, start: date, end: date) -> list[dict[str, Any]]:
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


def listened_to_by_quarter(*, start: date, end: date) -> list[dict[str, Any]]:
    """Children's answers to "Did you feel listened to?" in My review after their review, per
    quarter of the review (as feedback_by_quarter): how many answered, and how many said each
    face. Counted beside participant feedback, not as a row of it: the child answers one question
    with a face, not the form's preparation, venue and 1–5 rating, which would have to be made up."""
    rows = (
        MyReviewListenedTo.objects.filter(review__status=ReviewStatus.HELD, review__held_on__range=(start, end))
        .annotate(quarter=TruncQuarter("review__held_on"))
        .values("quarter")
        .annotate(answers=Count("pk"), **{value: Count("pk", filter=Q(answer=value)) for value in ListenedTo.values})
        .order_by("quarter")
    )
    return [
        {
            "quarter_start": row["quarter"],
            "answers": row["answers"],
            "counts": [(label, counts[value]) for value, label in ListenedTo.choices],
        }
        for row in rows
        for counts in [dict(row)]
    ]


PLAN_FIELDS = [
    ("care_plan_rating", "Care plan"),
    ("placement_plan_rating", "Placement plan"),
    ("health_plan_rating", "Health plan"),
    ("pep_rating", "PEP"),
    ("pathway_plan_rating", "Pathway plan"),
]


def quarterly_qa_report(*, start: date, end: date) -> dict[str, Any]:
    """The quarterly QA report's figures, aggregated in the database. Ratings are averaged per
    quarter and per scheme: numbers on different schemes are never combined."""
    held = Review.objects.filter(status=ReviewStatus.HELD, held_on__range=(start, end))
    completion = held.aggregate(reviews=Count("pk"), forms=Count("monitoring_form"))
    forms = MonitoringForm.objects.filter(review__held_on__range=(start, end))
    by_quarter_scheme = (
        forms.annotate(quarter=TruncQuarter("review__held_on"))
        .values("quarter", "scheme")
        .annotate(forms=Count("pk"), **{f"avg_{field}": Avg(field) for field, _label in PLAN_FIELDS})
        .order_by("quarter", "scheme")
    )
    ratings = [
        {
            "quarter_start": row["quarter"],
            "scheme": RatingScheme(row["scheme"]).label,
            "forms": row["forms"],
            "plans": [
                (label, round(row[f"avg_{field}"], 2) if row[f"avg_{field}"] is not None else None)
                for field, label in PLAN_FIELDS
            ],
        }
        # The averages' names are built in a loop, which the plugin's row type cannot list.
        for row in cast(Iterable[dict[str, Any]], by_quarter_scheme)
    ]
    # The escalations raised in the period, as the annual report counts them (one definition, in
    # caseload.definitions): their outcome is the one that stood at the period's end.
    escalations = Escalation.objects.filter(escalation_raised_between(start, end))

    def counts(field: str, codes: type[TextChoices]) -> list[tuple[str, int]]:
        found = dict(escalations.values_list(field).annotate(n=Count("pk")).order_by())
        return [(label, found.get(value, 0)) for value, label in codes.choices]

    at_end = escalation_outcome_at(end)
    outcomes = escalations.aggregate(**{value: Count("pk", filter=at_end[value]) for value in EscalationOutcome.values})

    reviews_held = completion["reviews"]
    return {
        "start": start,
        "end": end,
        "reviews_held": reviews_held,
        "forms_completed": completion["forms"],
        "forms_completed_pct": round(100 * completion["forms"] / reviews_held, 1) if reviews_held else None,
        "target_pct": MONITORING_FORM_TARGET_PCT,
        "per_iro": list(monitoring_form_completion(start=start, end=end)),
        "ratings": ratings,
        "escalations_by_theme": counts("theme", EscalationTheme),
        "escalations_by_stage": counts("stage", EscalationStage),
        "escalations_by_outcome": [(label, outcomes[value]) for value, label in EscalationOutcome.choices],
        "feedback": feedback_by_quarter(start=start, end=end),
        "listened_to": listened_to_by_quarter(start=start, end=end),
    }


def child_id_of_escalation(pk: int) -> int | None:
    """For the access log: whose record an escalation is."""
    return Escalation.objects.filter(pk=pk).values_list("child_id", flat=True).first()


# Monitoring forms missing from reviews held longer ago than this are no longer reminded of or
# listed as outstanding on the IRO's home page (they still count against the completion target).
MONITORING_FORM_LOOKBACK_MONTHS = 3


def monitoring_form_due(held_on: date) -> date:
    """A monitoring form is due IRO_MONITORING_FORM_WORKING_DAYS working days after the review."""
    return add_working_days(held_on, settings.IRO_MONITORING_FORM_WORKING_DAYS)


def held_on_latest_for_due_by(day: date) -> date:
    """The last review date whose monitoring form is due on or before `day` (due dates only grow
    with the review date, so every review held on or before it is due by `day`)."""
    held_on = day
    while monitoring_form_due(held_on) > day:
        held_on -= timedelta(days=1)
    return held_on


def monitoring_forms_outstanding(
    *, today: date, due_by: date | None = None, chair_id: int | None = None
) -> QuerySet[Review]:
    """Held reviews (within the look-back) with no monitoring form yet, oldest first, each with
    `form_due_on` set. One query. `due_by` keeps those due on or before it."""
    reviews = Review.objects.filter(
        status=ReviewStatus.HELD,
        monitoring_form__isnull=True,
        chair__isnull=False,
        held_on__gte=today - relativedelta(months=MONITORING_FORM_LOOKBACK_MONTHS),
    )
    if due_by is not None:
        reviews = reviews.filter(held_on__lte=held_on_latest_for_due_by(due_by))
    if chair_id is not None:
        reviews = reviews.filter(chair_id=chair_id)
    return reviews.order_by("held_on", "pk")
