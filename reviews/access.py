"""Who may see and do what with a child's record: deny by default, object by object.

- An IRO works on the children they hold (case-holding today) and, for one review, on a
  child whose review they cover (from when cover is set until that review's minutes are due).
- Managers read everything and reassign; they do not edit the review record.
- Business support sees scheduling, allocation and demographics, never the child's views,
  visit notes, minutes or outcomes text.

Views ask these functions; the lists come from the querysets here, so a child the user may
not see is never fetched. A refused object is a 404 (its existence is not revealed); a
refused role is a 403.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from children.codes import AllocationKind
from children.models import Child
from children.selectors import current_allocations, iro_arriving_children

from .codes import ReviewStatus
from .models import Review
from .timescales import add_working_days


def _cover_active(*, today: date) -> Q:
    """Reviews whose cover still gives access: not cancelled, not past the end of cover set by
    business support, and not past the minutes deadline. `cover_is_active` is the same rule for
    one review in memory (a test holds the two to each other)."""
    # minutes_due(held_on) >= today  <=>  held_on >= the 20th working day before today.
    held_since = add_working_days(today, -20)
    return (
        ~Q(status=ReviewStatus.CANCELLED)
        & (Q(held_on__isnull=True) | Q(held_on__gte=held_since))
        & (Q(cover_ends_on__isnull=True) | Q(cover_ends_on__gte=today))
    )


def cover_is_active(*, review: Review, today: date) -> bool:
    """Whether the review's covering IRO (if any) may still work on it today."""
    if review.covering_iro_id is None or review.status == ReviewStatus.CANCELLED:
        return False
    if review.held_on is not None and review.held_on < add_working_days(today, -20):
        return False
    return review.cover_ends_on is None or review.cover_ends_on >= today


def _covers(*, user: User, review: Review, today: date) -> bool:
    return review.covering_iro_id == user.pk and cover_is_active(review=review, today=today)


def iro_children(*, iro: User, today: date) -> QuerySet[Child]:
    """The children an IRO works on today: those they hold, and those whose review they cover."""
    held = current_allocations(today=today).filter(iro=iro, kind=AllocationKind.CASE_HOLDING).values("child_id")
    covered = Review.objects.filter(_cover_active(today=today), covering_iro=iro).values("child_id")
    return Child.objects.filter(Q(pk__in=held) | Q(pk__in=covered))


def children_readable(*, user: User, today: date) -> QuerySet[Child]:
    """Children whose record (beyond a directory line) the user may open."""
    if user.is_manager or user.is_business_support:
        return Child.objects.all()
    if user.is_iro:
        # Also a child whose care has not started yet and who is allocated to this IRO from its
        # first day (*New child in care* with a future start): the IRO can read the record and
        # prepare, but works on it (visits, reviews) only from that day (iro_children).
        return Child.objects.filter(
            Q(pk__in=iro_children(iro=user, today=today).values("pk"))
            | Q(pk__in=iro_arriving_children(iro_id=user.pk, today=today))
        )
    return Child.objects.none()


def can_read_sensitive(*, user: User) -> bool:
    """Views, visit notes, minutes and outcomes text: IROs (on their children) and managers."""
    return user.is_iro or user.is_manager


def child_for(*, user: User, pk: int, today: date) -> Child:
    """The child, if the user may open their record; else 404."""
    try:
        return children_readable(user=user, today=today).get(pk=pk)
    except Child.DoesNotExist:
        raise Http404("No such child on your caseload.") from None


def child_for_iro_work(*, user: User, pk: int, today: date) -> Child:
    """The child, if the user is an IRO working on them (record visits, midway reviews)."""
    if not user.is_iro:
        raise PermissionDenied
    try:
        return iro_children(iro=user, today=today).get(pk=pk)
    except Child.DoesNotExist:
        raise Http404("No such child on your caseload.") from None


def iro_may_work_on_review(*, user: User, review: Review, today: date) -> bool:
    """The child's case-holding IRO, or the IRO covering this review."""
    if not user.is_iro:
        return False
    if _covers(user=user, review=review, today=today):
        return True
    return (
        current_allocations(today=today)
        .filter(child_id=review.child_id, iro=user, kind=AllocationKind.CASE_HOLDING)
        .exists()
    )


def review_for(*, user: User, pk: int, today: date) -> Review:
    """A review the user may read (its child readable by them); else 404."""
    try:
        review = Review.objects.select_related("child", "period_of_care", "covering_iro").get(pk=pk)
    except Review.DoesNotExist:
        raise Http404("No such review.") from None
    if user.is_manager or user.is_business_support:
        return review
    if user.is_iro and (
        _covers(user=user, review=review, today=today)
        or children_readable(user=user, today=today).filter(pk=review.child_id).exists()
    ):
        return review
    raise Http404("No such review on your caseload.")


def review_for_iro_work(*, user: User, pk: int, today: date) -> Review:
    """A review the user chairs or records: case-holding IRO or cover. Others: 403/404."""
    if not user.is_iro:
        raise PermissionDenied
    review = review_for(user=user, pk=pk, today=today)
    if not iro_may_work_on_review(user=user, review=review, today=today):
        raise Http404("No such review on your caseload.")
    return review
