"""Reads about reviews that pages, reminders and reports share."""

from datetime import date

from django.db.models import Case, CharField, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery, Value, When

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
    and its state, the last review held and the current episode. One query for any number.

    The outstanding review is joined: reviews.services keeps exactly one per open period of
    care and none for an ended one.
    """
    last_held = Review.objects.filter(child_id=OuterRef("pk"), status=ReviewStatus.HELD).order_by("-held_on")
    return (
        children_looked_after(today=today, iro_id=iro_id)
        .annotate(next_review=FilteredRelation("reviews", condition=Q(reviews__status__in=OUTSTANDING_STATUSES)))
        .annotate(
            next_review_id=F("next_review__id"),
            next_review_due=F("next_review__due_date"),
            next_review_booked_for=F("next_review__booked_for"),
            last_review_held_on=Subquery(last_held.values("held_on")[:1]),
        )
        .annotate(review_state=review_state_expression(today=today))
        .order_by(F("next_review_due").asc(nulls_last=True), "last_name", "first_name", "pk")
    )
