"""Who is looked after, and who is allocated, on a day or during a period: the one home of both
rules, for every page, report and check (docs/domain.md, "Report definitions").

Each is a query predicate. A prefix applies the same rule from another model:
`looked_after_on(day, "periods_of_care__")` on children, `allocated_on(day, "allocations__")`.
"""

from datetime import date

from django.db.models import Q

from .codes import AllocationKind


def looked_after_on(day: date, prefix: str = "") -> Q:
    """A period of care with start ≤ D and (no end, or end > D): the child leaves on the end date."""
    return Q(**{f"{prefix}start__lte": day}) & (Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gt": day}))


def looked_after_during(start: date, end: date, prefix: str = "") -> Q:
    """A period of care with start ≤ E and (no end, or end ≥ S)."""
    return Q(**{f"{prefix}start__lte": end}) & (Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": start}))


def allocation_covers(day: date, prefix: str = "") -> Q:
    """An allocation of either kind covering D (an allocation's "to" date is its last day)."""
    return Q(**{f"{prefix}start__lte": day}) & (Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": day}))


def allocated_on(day: date, prefix: str = "") -> Q:
    """A case-holding allocation covering D."""
    return Q(**{f"{prefix}kind": AllocationKind.CASE_HOLDING}) & allocation_covers(day, prefix)


def allocated_during(start: date, end: date, prefix: str = "") -> Q:
    """A case-holding allocation overlapping S to E."""
    return Q(**{f"{prefix}kind": AllocationKind.CASE_HOLDING, f"{prefix}start__lte": end}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": start})
    )
