"""Writes for reviews, and the orchestration of care events that move the review clock."""

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from children import services as children_services
from children.codes import SHORT_BREAK_LEGAL_STATUSES
from children.models import Child, PeriodOfCare

from .codes import OUTSTANDING_STATUSES, ReviewSequence, ReviewStatus
from .models import Review
from .timescales import review_due_dates

User = get_user_model()


def sequence_for(position: int) -> ReviewSequence:
    """reg 33: the first review, the second, then subsequent ones (position counts from 0)."""
    if position == 0:
        return ReviewSequence.FIRST
    if position == 1:
        return ReviewSequence.SECOND
    return ReviewSequence.SUBSEQUENT


def period_is_on_reg33_clock(period: PeriodOfCare) -> bool:
    """Short breaks (V3/V4, reg 48) have their own review pattern: no reg 33 dates for them."""
    latest = period.episodes.order_by("-start").values_list("legal_status", flat=True).first()
    return latest not in SHORT_BREAK_LEGAL_STATUSES


@transaction.atomic
def review_due_dates_refresh(*, period_of_care: PeriodOfCare) -> Review | None:
    """Store every review's due date and sequence from the period's start and the reviews held.

    Called whenever a date the clock rests on is set or corrected. Keeps exactly one
    outstanding review while the period is open and cancels it once care has ended.
    Returns the outstanding review, if any.
    """
    period = PeriodOfCare.objects.select_for_update().get(pk=period_of_care.pk)
    reviews = list(period.reviews.exclude(status=ReviewStatus.CANCELLED).order_by("held_on", "pk"))
    held = [review for review in reviews if review.status == ReviewStatus.HELD]
    outstanding = next((review for review in reviews if review.status in OUTSTANDING_STATUSES), None)
    on_clock = period_is_on_reg33_clock(period)
    due_dates = review_due_dates(period.start, [review.held_on for review in held])

    if period.end is not None:
        if outstanding is not None:
            outstanding.status = ReviewStatus.CANCELLED
            outstanding.save(update_fields=["status"])
        outstanding = None
    elif outstanding is None:
        outstanding = Review(child_id=period.child_id, period_of_care=period, status=ReviewStatus.DUE)

    to_update = held + ([outstanding] if outstanding is not None else [])
    for position, review in enumerate(to_update):
        review.sequence = sequence_for(position)
        review.due_date = due_dates[position] if on_clock else None
    if outstanding is not None and outstanding.pk is None:
        outstanding.full_clean()
        outstanding.save()
    Review.objects.bulk_update([r for r in to_update if r.pk], ["sequence", "due_date"])
    return outstanding


@transaction.atomic
def child_come_into_care(*, child: Child, start: date, episode_fields: dict) -> Review | None:
    """A child starts to be looked after: the period, its first episode, and the first review due."""
    period = children_services.period_of_care_start(child=child, start=start, episode_fields=episode_fields)
    return review_due_dates_refresh(period_of_care=period)


@transaction.atomic
def child_leave_care(*, period_of_care: PeriodOfCare, end: date, reason_ended: str) -> None:
    """Care ends: the period closes and the review that was due is no longer needed."""
    children_services.period_of_care_end(period_of_care=period_of_care, end=end, reason_ended=reason_ended)
    review_due_dates_refresh(period_of_care=period_of_care)


@transaction.atomic
def period_of_care_correct_start(*, period_of_care: PeriodOfCare, start: date) -> PeriodOfCare:
    """Correct the date a child became looked after; the first review's due date follows."""
    first_episode = period_of_care.episodes.order_by("start").first()
    period_of_care.start = start
    period_of_care.full_clean()
    period_of_care.save(update_fields=["start"])
    if first_episode is not None:
        first_episode.start = start
        first_episode.full_clean()
        first_episode.save(update_fields=["start"])
    review_due_dates_refresh(period_of_care=period_of_care)
    return period_of_care


@transaction.atomic
def review_record_held(
    *,
    review: Review,
    held_on: date,
    chair: User,
    participation_code: str,
    parents_participated: bool | None = None,
) -> Review:
    """Mark a review held: stores its date and code, and the next review's due date."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    review.status = ReviewStatus.HELD
    review.held_on = held_on
    review.chair = chair
    review.participation_code = participation_code
    review.parents_participated = parents_participated
    review.full_clean()
    review.save()
    review_due_dates_refresh(period_of_care=review.period_of_care)
    review.refresh_from_db()
    return review


@transaction.atomic
def review_correct_held_on(*, review: Review, held_on: date) -> Review:
    """Correct the date a review was held; the due dates that follow from it are recomputed."""
    review.held_on = held_on
    review.full_clean()
    review.save(update_fields=["held_on"])
    review_due_dates_refresh(period_of_care=review.period_of_care)
    review.refresh_from_db()
    return review
