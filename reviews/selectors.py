"""Reads about reviews that pages, reminders and reports share."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from children.codes import AllocationKind
from children.models import Allocation, Child, PeriodOfCare
from children.predicates import allocated_on, looked_after_on
from children.selectors import children_looked_after, current_allocations
from iro_service.keyset import Group, key_date, key_int, key_str

from . import access, my_review
from .codes import DUE_SOON_WORKING_DAYS, OUTSTANDING_STATUSES, ReviewState, ReviewStatus
from .models import Decision, Document, Review, Visit
from .timescales import Schedule, add_working_days, minutes_due, outcomes_due


def review_state_expression(
    *, today: date, due_field: str = "next_review_due", schedule_field: str = "next_review_schedule"
) -> Case:
    """overdue / due soon (within 10 working days) / on track, computed in the database; with
    no due date, why: care ends at 18 first, or the clock is unknown."""
    due_soon_until = add_working_days(today, DUE_SOON_WORKING_DAYS)
    return Case(
        When(
            **{f"{due_field}__isnull": True, schedule_field: Schedule.ENDS_AT_18},
            then=Value(ReviewState.CARE_ENDS_AT_18),
        ),
        When(**{f"{due_field}__isnull": True}, then=Value(ReviewState.CLOCK_UNKNOWN)),
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
            next_review_schedule=F("next_review__due_schedule"),
            next_review_rule=F("next_review__due_rule"),
            next_review_booked_for=F("next_review__booked_for"),
            last_review_held_on=Subquery(last_held.values("held_on")[:1]),
        )
        .annotate(review_state=review_state_expression(today=today))
        .order_by(F("next_review_due").asc(nulls_last=True), "last_name", "first_name", "pk")
    )


# The caseload lists' order, as keyset groups (iro_service.keyset): the children with a next review
# due date, soonest first, then by name; then those with none (the clock unknown, care ending at
# 18 first), by name. The first group's order comes from the partial index on outstanding reviews'
# due dates (review_outstanding_due_idx), so a page of the country's caseload reads ~50 rows.
NAME_KEYS = (("last_name", key_str), ("first_name", key_str), ("pk", key_int))


def caseload_groups(children: QuerySet[Child]) -> list[Group]:
    """`children_with_next_review` (or a narrowing of it) as the caseload lists page it."""
    # next_review_due: an annotation through a FilteredRelation join (see reviews_to_book).
    return [
        Group(
            children.filter(next_review_due__isnull=False),  # type: ignore[misc]
            keys=(("next_review_due", key_date), *NAME_KEYS),
        ),
        Group(children.filter(next_review_due__isnull=True), keys=NAME_KEYS),  # type: ignore[misc]
    ]


def reviews_to_book(
    *, today: date, within_working_days: int, iro_id: int | None = None, team_id: int | None = None
) -> QuerySet[Child]:
    """Children in care whose next review is due within `within_working_days` and not booked,
    soonest first (overdue ones at the top)."""
    # next_review and case_holding are FilteredRelation joins: django-stubs checks a lookup against
    # the model's own fields and cannot follow one through an annotated join (here and below).
    children = children_with_next_review(today=today, iro_id=iro_id).filter(  # type: ignore[misc]
        next_review__status=ReviewStatus.DUE,
        next_review__due_date__lte=add_working_days(today, within_working_days),
    )
    if team_id is not None:
        children = children.filter(case_holding__iro__iro_profile__team_id=team_id)  # type: ignore[misc]
    return children


def reviews_to_book_count(
    *, today: date, within_working_days: int, iro_id: int | None = None, team_id: int | None = None
) -> int:
    """How many children `reviews_to_book` lists, counted from their outstanding reviews (one per
    child in care, by reviews.services) without that list's joins."""
    reviews = Review.objects.filter(
        status=ReviewStatus.DUE, due_date__lte=add_working_days(today, within_working_days)
    ).filter(Exists(PeriodOfCare.objects.filter(looked_after_on(today), child_id=OuterRef("child_id"))))
    if iro_id is not None or team_id is not None:
        holder = Allocation.objects.filter(allocated_on(today), child_id=OuterRef("child_id"))
        if iro_id is not None:
            holder = holder.filter(iro_id=iro_id)
        if team_id is not None:
            holder = holder.filter(iro__iro_profile__team_id=team_id)
        reviews = reviews.filter(Exists(holder))
    return reviews.count()


CLOCK_UNKNOWN_LISTED = 100


def reviews_clock_unknown(*, today: date, iro_id: int | None = None) -> QuerySet[Child]:
    """Children whose next review has no known clock (imported mid-period with no review held):
    business support's worklist, to find and enter the last review date."""
    # next_review: a FilteredRelation join, which django-stubs cannot follow (see reviews_to_book).
    return children_with_next_review(today=today, iro_id=iro_id).filter(  # type: ignore[misc]
        next_review__status__in=OUTSTANDING_STATUSES,
        # An unknown clock gives no date (reviews.timescales); said here too, so the few undated
        # outstanding reviews are read from their index, not every child in care.
        next_review__due_date__isnull=True,
        next_review__due_schedule=Schedule.UNKNOWN,
    )


def iro_home_caseload(*, today: date, iro_id: int) -> QuerySet[Child]:
    """An IRO's caseload with, for each child, the last visit and the decisions overdue."""
    last_visit = Visit.objects.filter(child_id=OuterRef("pk")).order_by("-visited_on").values("visited_on")[:1]
    overdue = (
        Decision.objects.filter(review__child_id=OuterRef("pk"), completed_on__isnull=True, deadline__lt=today)
        .order_by()
        .values("review__child_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return children_with_next_review(today=today, iro_id=iro_id).annotate(
        last_visit_on=Subquery(last_visit), overdue_decisions=Coalesce(Subquery(overdue), 0)
    )


def iro_booked_reviews(*, iro_id: int, start: date, end: date) -> QuerySet[Review]:
    """Reviews booked for [start, end] that this IRO will chair (case-holding or covering)."""
    start_at = timezone.make_aware(datetime.combine(start, time.min))
    end_at = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    holds = current_allocations(today=start).filter(iro_id=iro_id, kind=AllocationKind.CASE_HOLDING)
    return (
        Review.objects.filter(status=ReviewStatus.BOOKED, booked_for__gte=start_at, booked_for__lt=end_at)
        .filter(Q(covering_iro_id=iro_id) | Q(covering_iro__isnull=True, child_id__in=holds.values("child_id")))
        .select_related("child")
        .order_by("booked_for")
    )


def child_id_of_review(pk: int) -> int | None:
    """For the access log: whose record a review is."""
    return Review.objects.filter(pk=pk).values_list("child_id", flat=True).first()


def child_id_of_document(pk: int) -> int | None:
    return Document.objects.filter(pk=pk).values_list("review__child_id", flat=True).first()


def _my_review_parts(*, review: Review, show_sensitive: bool, may_record: bool) -> dict[str, Any]:
    """What the child sent in My review, for those who read the record; the note "just for my
    IRO" only for the IRO working on the review (may_record). None where not shown."""
    response = my_review.sent_response(review=review) if show_sensitive else None
    return {
        "may_invite": may_record and my_review.may_change(review=review),
        "my_review": response,
        "my_review_how": (
            my_review.sent_answers_rows(response=response, fields=my_review.HOW_THINGS_ARE_FIELDS) if response else None
        ),
        "my_review_meeting": (
            my_review.sent_answers_rows(response=response, fields=my_review.MEETING_FIELDS) if response else None
        ),
        "my_review_private": my_review.sent_private_note(response=response) if response and may_record else None,
        # After the review: the child's "Did you feel listened to?" (for those who read the record).
        "my_review_listened": (
            my_review.listened_to_for(review=review) if show_sensitive and review.status == ReviewStatus.HELD else None
        ),
    }


def review_page_context(*, review: Review, user: User, today: date, may_record: bool) -> dict[str, Any]:
    """What the review page reads, the same for every way it is rendered (the page; the record
    again after an invalid, refused or conflicting save): the booking for everyone who may see the
    review; the decisions, *Before the review* and, once held, the documents for those who read
    the child's record. `may_record`: reviews.access.iro_may_work_on_review, asked by the caller.
    A part the user may not see is None, so the page's names are the same for everyone."""
    show_sensitive = access.can_read_sensitive(user=user)
    held = review.status == ReviewStatus.HELD
    return {
        **_my_review_parts(review=review, show_sensitive=show_sensitive, may_record=may_record),
        "review": review,
        "today": today,
        "bookings": review.bookings.select_related("recorded_by"),
        "invitees": review.invitees.all(),
        "may_record": may_record,
        "may_book": user.is_business_support,
        "may_set_cover": user.is_business_support or user.is_manager,
        "show_sensitive": show_sensitive,
        "outcomes_due": outcomes_due(review.held_on) if review.held_on else None,
        "minutes_due": minutes_due(review.held_on) if review.held_on else None,
        "decisions": review.decisions.all() if show_sensitive else None,
        # *Before the review*: read by those who read the record; changed on its own page, like
        # its button, until the review is held.
        "report_checklist": review.reports_checklist(today=today) if show_sensitive else None,
        "may_prepare": show_sensitive and may_record and not held,
        "documents": (
            review.documents.prefetch_related("distributions").order_by("kind", "-version")
            if show_sensitive and held
            else None
        ),
    }
