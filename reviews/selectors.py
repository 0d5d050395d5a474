"""Reads about reviews that pages, reminders and reports share."""

from datetime import date

from django.db.models import Case, CharField, F, OuterRef, QuerySet, Subquery, Value, When

from children.models import Child
from children.selectors import children_looked_after

from .codes import DUE_SOON_WORKING_DAYS, OUTSTANDING_STATUSES, ReviewState, ReviewStatus
from .models import Review
from .timescales import add_working_days


def review_state_expression(*, today: date, due_field: str = "next_review_due") -> Case:
    """overdue / due soon (within 10 working days) / on track, computed in the database."""
    due_soon_until = add_working_days(today, DUE_SOON_WORKING_DAYS)
    return Case(
        When(**{f"{due_field}__isnull": True}, then=Value(ReviewState.NOT_ON_CLOCK)),
        When(**{f"{due_field}__lt": today}, then=Value(ReviewState.OVERDUE)),
        When(**{f"{due_field}__lte": due_soon_until}, then=Value(ReviewState.DUE_SOON)),
        default=Value(ReviewState.ON_TRACK),
        output_field=CharField(),
    )


def children_with_next_review(*, today: date, iro_id: int | None = None) -> QuerySet[Child]:
    """Every child looked after on `today` (or on one IRO's caseload) with the next review due
    and its state, the last review held and the current episode. One query for any number."""
    outstanding = Review.objects.filter(period_of_care_id=OuterRef("period_id"), status__in=OUTSTANDING_STATUSES)
    last_held = Review.objects.filter(child_id=OuterRef("pk"), status=ReviewStatus.HELD).order_by("-held_on")
    return (
        children_looked_after(today=today, iro_id=iro_id)
        .annotate(
            next_review_id=Subquery(outstanding.values("pk")[:1]),
            next_review_due=Subquery(outstanding.values("due_date")[:1]),
            next_review_booked_for=Subquery(outstanding.values("booked_for")[:1]),
            last_review_held_on=Subquery(last_held.values("held_on")[:1]),
        )
        .annotate(review_state=review_state_expression(today=today))
        .order_by(F("next_review_due").asc(nulls_last=True), "last_name", "first_name", "pk")
    )
