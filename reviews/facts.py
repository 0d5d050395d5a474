"""Facts about each review that the statistics count, stored on the review rather than worked
out on every read (issue #19: the pre-review visit was most of the dashboard's SQL).

- `previous_held_on`: the latest review held before this one in the same period of care, if any.
- `pre_review_visit`: the child had a pre-review visit (docs/domain.md) for this review: a visit
  on or before the day it was held, after the previous held review of the same period of care
  (or from the period's first day when there is none).

A review's facts rest on its own held date and period, the held dates of the other reviews of
its period, the period's start and the child's visits: every service that changes one of these
calls `review_facts_refresh` for the child in the same transaction (the clock's refresh,
reviews.services.review_due_dates_refresh, does so for every change to reviews and periods).
"""

from collections.abc import Callable, Iterable
from datetime import date

from django.db.models import DateField, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from children.models import PeriodOfCare

from .codes import ReviewStatus
from .models import Review, Visit

Ref = Callable[[str], OuterRef]


def _previous_held_on(ref: Ref) -> Subquery:
    """The latest review held before the review `ref` points at, in the same period of care."""
    return Subquery(
        Review.objects.filter(
            period_of_care_id=ref("period_of_care_id"), status=ReviewStatus.HELD, held_on__lt=ref("held_on")
        )
        .order_by("-held_on")
        .values("held_on")[:1],
        output_field=DateField(),
    )


def _deeper(name: str) -> OuterRef:
    return OuterRef(OuterRef(name))


def review_facts() -> dict[str, Subquery | Exists]:
    """The stored facts as expressions over a review row: usable in an UPDATE (no joins)."""
    # The previous review is never before the period's start, so "after the previous review, or
    # from the start" is: on or after the start, and after the previous review if there is one.
    period_start = Subquery(PeriodOfCare.objects.filter(pk=_deeper("period_of_care_id")).values("start")[:1])
    visits = Visit.objects.filter(
        child_id=OuterRef("child_id"),
        visited_on__lte=OuterRef("held_on"),
        visited_on__gte=period_start,
        visited_on__gt=Coalesce(_previous_held_on(_deeper), Value(date.min, output_field=DateField())),
    )
    return {"previous_held_on": _previous_held_on(OuterRef), "pre_review_visit": Exists(visits)}


def review_facts_refresh(*, child_ids: Iterable[int] | None = None) -> int:
    """Store the facts of every review of these children (of every child with None), in one
    UPDATE; returns the number of reviews. Call within the transaction that changed them."""
    reviews = Review.objects.all()
    if child_ids is not None:
        reviews = reviews.filter(child_id__in=list(child_ids))
    return int(reviews.update(**review_facts()))
