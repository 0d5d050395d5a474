"""Reads about children that pages and reports share."""

from datetime import date

from django.db.models import OuterRef, Q, QuerySet, Subquery

from .models import Allocation, AllocationKind, Child, Episode, PeriodOfCare


def current_allocations(*, today: date) -> QuerySet[Allocation]:
    return Allocation.objects.filter(Q(end__isnull=True) | Q(end__gte=today), start__lte=today)


def children_looked_after(*, today: date, iro_id: int | None = None) -> QuerySet[Child]:
    """Children looked after on `today`, annotated with their current period, episode and IRO.

    One query, however many children: every figure comes from a correlated subquery.
    """
    open_periods = PeriodOfCare.objects.looked_after_on(today).filter(child=OuterRef("pk"))
    current_episode = Episode.objects.filter(
        period_of_care__child=OuterRef("pk"), period_of_care__in=PeriodOfCare.objects.looked_after_on(today)
    ).order_by("-start")
    case_holder = current_allocations(today=today).filter(child=OuterRef("pk"), kind=AllocationKind.CASE_HOLDING)
    children = Child.objects.filter(pk__in=PeriodOfCare.objects.looked_after_on(today).values("child_id"))
    if iro_id is not None:
        children = children.filter(
            pk__in=current_allocations(today=today)
            .filter(iro_id=iro_id, kind=AllocationKind.CASE_HOLDING)
            .values("child_id")
        )
    return children.annotate(
        period_id=Subquery(open_periods.values("pk")[:1]),
        period_start=Subquery(open_periods.values("start")[:1]),
        legal_status=Subquery(current_episode.values("legal_status")[:1]),
        placement_type=Subquery(current_episode.values("placement_type")[:1]),
        placement_postcode=Subquery(current_episode.values("placement_postcode")[:1]),
        iro_id=Subquery(case_holder.values("iro_id")[:1]),
        iro_first_name=Subquery(case_holder.values("iro__first_name")[:1]),
        iro_last_name=Subquery(case_holder.values("iro__last_name")[:1]),
    )
