"""Reads about children that pages and reports share."""

from datetime import date
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Round

from accounts.models import User
from accounts.roles import Role

from .codes import AllocationKind
from .models import Allocation, Child, Episode, PeriodOfCare
from .predicates import allocated_on, allocation_covers, looked_after_on


def current_allocations(*, today: date) -> QuerySet[Allocation]:
    return Allocation.objects.filter(allocation_covers(today))


def allocation_history(*, child: Child) -> QuerySet[Allocation]:
    """The child's IROs, case-holding and cover, latest first, with why each change was made."""
    return Allocation.objects.filter(child=child).select_related("iro").order_by("-start", "-pk")


def children_looked_after(*, today: date, iro_id: int | None = None) -> QuerySet[Child]:
    """Children looked after on `today`, with their current period, episode and case-holding IRO.

    One query however many children: the period and the allocation are joined (a child has
    at most one of each on a day, by the model rules), the current episode is a subquery.
    """
    children = Child.objects.annotate(
        current_period=FilteredRelation("periods_of_care", condition=looked_after_on(today, "periods_of_care__")),
        case_holding=FilteredRelation("allocations", condition=allocated_on(today, "allocations__")),
    ).filter(current_period__isnull=False)
    if iro_id is not None:
        children = children.filter(case_holding__iro_id=iro_id)
    current_episode = Episode.objects.filter(period_of_care_id=OuterRef("period_id")).order_by("-start")
    return children.annotate(
        period_id=F("current_period__id"),
        period_start=F("current_period__start"),
        iro_id=F("case_holding__iro_id"),
        iro_first_name=F("case_holding__iro__first_name"),
        iro_last_name=F("case_holding__iro__last_name"),
    ).annotate(
        legal_status=Subquery(current_episode.values("legal_status")[:1]),
        placement_type=Subquery(current_episode.values("placement_type")[:1]),
    )


def children_looked_after_count(*, today: date, iro_id: int | None = None) -> int:
    """How many children `children_looked_after` lists, counted from the periods of care (a child
    has at most one on a day, by the model rules) without that list's joins."""
    periods = PeriodOfCare.objects.filter(looked_after_on(today))
    if iro_id is not None:
        holder = Allocation.objects.filter(allocated_on(today), iro_id=iro_id, child_id=OuterRef("child_id"))
        periods = periods.filter(Exists(holder))
    return periods.count()


def iro_caseloads(*, today: date) -> QuerySet[User]:
    """Each active IRO with their FTE, team and the children they hold today (for allocating)."""
    holding = allocated_on(today, "allocations__") & looked_after_on(today, "allocations__child__periods_of_care__")
    return (
        User.objects.filter(groups__name=Role.IRO, iro_profile__isnull=False)
        .filter(Q(iro_profile__active_to__isnull=True) | Q(iro_profile__active_to__gte=today))
        .select_related("iro_profile__team")
        .annotate(children_held=Count("allocations__child", filter=holding, distinct=True))
        .annotate(
            # One decimal, as everywhere children per FTE is shown (66.7, not 66.6666666666667).
            children_per_fte=Round(
                ExpressionWrapper(
                    F("children_held") * 1.0 / F("iro_profile__fte"),
                    output_field=DecimalField(max_digits=12, decimal_places=6),
                ),
                1,
            )
        )
        .order_by("last_name", "first_name")
    )


def children_arriving(*, today: date, iro_id: int | None = None) -> QuerySet[Child]:
    """Children whose care starts after `today` (not looked after yet, so in no caseload list),
    with the day it starts and the IRO allocated to hold them from then. One query.

    The IRO is the open case-holding allocation's (the one *New child in care* made, starting on
    the first day of care); with `iro_id`, only that IRO's arriving children.
    """
    upcoming = PeriodOfCare.objects.filter(child_id=OuterRef("pk"), start__gt=today).order_by("start")
    current = PeriodOfCare.objects.filter(looked_after_on(today), child_id=OuterRef("pk"))
    holder = Allocation.objects.filter(
        child_id=OuterRef("pk"), kind=AllocationKind.CASE_HOLDING, end__isnull=True
    ).order_by("-start")
    # From the periods that start after today (few, by an index), not from every child.
    later = PeriodOfCare.objects.filter(start__gt=today).values("child_id")
    children = (
        Child.objects.filter(pk__in=later)
        .annotate(arriving_on=Subquery(upcoming.values("start")[:1]))
        .exclude(Exists(current))
        .annotate(
            iro_id=Subquery(holder.values("iro_id")[:1]),
            iro_first_name=Subquery(holder.values("iro__first_name")[:1]),
            iro_last_name=Subquery(holder.values("iro__last_name")[:1]),
        )
    )
    if iro_id is not None:
        children = children.filter(iro_id=iro_id)
    return children.order_by("arriving_on", "last_name", "first_name", "pk")


def iro_arriving_children(*, iro_id: int, today: date) -> QuerySet[Child, Any]:
    """For access: the children not in care yet whose open case-holding allocation (from the day
    their care starts) is to this IRO."""
    return children_arriving(today=today, iro_id=iro_id).values("pk")
