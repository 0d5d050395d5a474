"""Figures at month ends, counted once and kept (issue #19): the dashboards' caseload trend and
children-in-care panels ask for every month end of the period, and counting every allocation and
period of care at each of them took seconds at national scale.

A figure at a month end before today is kept in `MonthEndCount` once counted, per IRO (and for
the whole authority, `AUTHORITY`, which also marks the month end as kept). On PostgreSQL, a change
to an allocation, a period of care or an episode deletes the kept figures from the earliest date
it mentions on, in the writer's own transaction (triggers, migration caseload 0003), so a kept
figure is never older than the data. On other databases (`make run`'s SQLite) nothing is kept.

Keeping races with writing: a figure counted while another transaction's change is not yet
committed would be kept wrong. Every writer takes the advisory lock `LOCK_KEY` in shared mode
(in the trigger, until its commit); a page keeps what it counted only if it can take that lock
exclusively at once (no write in flight, and none can start until the page's transaction ends).
If it cannot, it shows the figures counted now and keeps nothing. The nightly
`month_end_counts_refresh` waits for the lock and counts the last three years again.
"""

from collections.abc import Callable
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.db.models import Count, Q

from children.models import Allocation, PeriodOfCare
from children.predicates import allocated_on

from .definitions import child_on_short_break_on, counted_looked_after_on
from .models import AUTHORITY, MonthEndCount, MonthEndMeasure
from .statistics import Scope

LOCK_KEY = 7_403_112_019  # the same key as the triggers in migration caseload 0003
REFRESH_MONTHS = 36


def allocated_counted_on(day: date) -> Q:
    """On Allocation: case-holding on D, the child not on a short break that day (the caseload
    trend's numerator, and an IRO's "children in care")."""
    return allocated_on(day) & ~child_on_short_break_on(day)


# Per measure: the rows counted and the condition on a day.
_MEASURES: dict[str, tuple[Callable[[], object], Callable[[date], Q]]] = {
    MonthEndMeasure.ALLOCATED: (lambda: Allocation.objects.all(), allocated_counted_on),
    MonthEndMeasure.LOOKED_AFTER: (lambda: PeriodOfCare.objects.all(), counted_looked_after_on),
}


def _count_live(measure: str, days: list[date], scope: Scope) -> dict[date, int]:
    """The scope's figure on each day, counted now: one query."""
    if not days:
        return {}
    rows, condition = _MEASURES[measure]
    queryset = rows()
    if measure == MonthEndMeasure.ALLOCATED:
        queryset = queryset.filter(scope.by("iro_id"))  # type: ignore[attr-defined]
    counts = queryset.aggregate(  # type: ignore[attr-defined]
        **{f"m{i}": Count("id", filter=condition(day)) for i, day in enumerate(days)}
    )
    return {day: counts[f"m{i}"] for i, day in enumerate(days)}


def _count_to_keep(measure: str, days: list[date]) -> list[MonthEndCount]:
    """Every IRO's figure (allocations) and the authority's on each day, as rows to keep: one query."""
    rows, condition = _MEASURES[measure]
    aggregates = {f"m{i}": Count("id", filter=condition(day)) for i, day in enumerate(days)}
    if measure == MonthEndMeasure.ALLOCATED:
        grouped = list(rows().values("iro_id").annotate(**aggregates).order_by())  # type: ignore[attr-defined]
    else:
        grouped = [{"iro_id": None, **rows().aggregate(**aggregates)}]  # type: ignore[attr-defined]
    kept = []
    for i, day in enumerate(days):
        kept.append(
            MonthEndCount(month_end=day, measure=measure, iro_id=AUTHORITY, count=sum(row[f"m{i}"] for row in grouped))
        )
        kept += [
            MonthEndCount(month_end=day, measure=measure, iro_id=row["iro_id"], count=row[f"m{i}"])
            for row in grouped
            if row["iro_id"] is not None and row[f"m{i}"]
        ]
    return kept


def _scope_figure(rows: list[MonthEndCount], scope: Scope) -> int:
    if scope.iro_ids is None:
        return next(row.count for row in rows if row.iro_id == AUTHORITY)
    wanted = set(scope.iro_ids)
    return sum(row.count for row in rows if row.iro_id in wanted)


def _keep_lock_taken() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return bool(cursor.fetchone()[0])


def month_end_counts(*, measure: str, days: list[date], today: date, scope: Scope) -> dict[str, int]:
    """The scope's figure at each of `days` as {"m0": ..., "m1": ...}: kept figures where there
    are some, the rest counted now (and kept, for month ends before today, when no write is in
    flight). At most four queries, whatever the number of days or of rows."""
    if measure == MonthEndMeasure.LOOKED_AFTER and not scope.whole_authority:
        raise ValueError("Children looked after are kept for the whole authority only.")
    keepable = [day for day in days if day < today] if connection.vendor == "postgresql" else []
    by_day: dict[date, list[MonthEndCount]] = {}
    if keepable:
        wanted = Q() if scope.iro_ids is None else Q(iro_id__in=scope.iro_ids)
        for row in MonthEndCount.objects.filter(Q(iro_id=AUTHORITY) | wanted, measure=measure, month_end__in=keepable):
            by_day.setdefault(row.month_end, []).append(row)
    kept_days = {day for day, rows in by_day.items() if any(row.iro_id == AUTHORITY for row in rows)}
    figures = {day: _scope_figure(by_day[day], scope) for day in kept_days}
    missing = [day for day in keepable if day not in kept_days]
    if missing:
        with transaction.atomic():
            if _keep_lock_taken():
                counted = _count_to_keep(measure, missing)
                MonthEndCount.objects.bulk_create(counted, ignore_conflicts=True)
                for day in missing:
                    figures[day] = _scope_figure([row for row in counted if row.month_end == day], scope)
    figures.update(_count_live(measure, [day for day in days if day not in figures], scope))
    return {f"m{i}": figures[day] for i, day in enumerate(days)}


def month_end_counts_refresh(*, today: date, months: int = REFRESH_MONTHS) -> int:
    """Count every kept figure again for the last `months` month ends before today (nightly):
    waits for writes in flight, and holds writers back while it counts. The number of rows kept."""
    this_month = today.replace(day=1)
    days = sorted(this_month - relativedelta(months=n, day=31) for n in range(1, months + 1))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        MonthEndCount.objects.all().delete()
        rows = [row for measure in MonthEndMeasure for row in _count_to_keep(measure, days)]
        MonthEndCount.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
