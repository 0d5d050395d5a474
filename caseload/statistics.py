"""The figures of the annual IRO report, aggregated in the database (docs/domain.md,
"Report definitions").

Every function here runs one query whatever the number of children: counts are conditional
aggregates (`COUNT(*) FILTER (WHERE …)` on PostgreSQL), never a Python loop over rows. What each
figure counts is defined in `caseload.definitions`.

A `Scope` narrows the figures to some IROs: the children on their caseloads (case-holding
allocations on the day in question), the reviews they chaired and the escalations they raised.
No scope means the whole authority.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import IROProfile, Team, User
from accounts.roles import Role
from audits.models import Escalation
from children.models import Allocation, PeriodOfCare
from children.predicates import allocated_during, allocated_on
from reviews.codes import ParticipationCode, ReviewSequence
from reviews.models import Review

from .definitions import (
    AGED_UNDER_4,
    ATTENDED_NO_VIEW,
    COUNTED_REVIEW,
    IN_TIMESCALE,
    MINUTES_ON_TIME,
    MONITORING_FORM_COMPLETED,
    MY_REVIEW_MEASURES,
    ON_THE_CLOCK,
    OUTCOMES_ON_TIME,
    PARENTS_PARTICIPATED,
    PARTICIPATED,
    SHORT_BREAK_REVIEW,
    ReportPeriod,
    caseload_basis,
    child_short_breaks_only_during,
    counted_looked_after_during,
    counted_looked_after_on,
    escalated_to_management_by,
    escalation_outcome_at,
    escalation_raised_between,
    every_review_in_time,
    held_between,
    iro_active_on,
    looked_after_throughout,
    minutes_deadline_passed,
    minutes_not_yet_due,
    on_short_break_on,
    outcomes_deadline_passed,
    outcomes_not_yet_due,
    overdue_not_held_at,
)

MAX_MONTHS = 120  # ten years of months: one aggregate column each


def months(start: date, end: date) -> list[date]:
    """The first day of each calendar month that [start, end] touches."""
    first = start.replace(day=1)
    days: list[date] = []
    while first <= end and len(days) < MAX_MONTHS:
        days.append(first)
        first += relativedelta(months=1)
    return days


def quarters(start: date, end: date) -> list[date]:
    """The first day of each quarter that [start, end] touches: 1 April, 1 July, 1 October and
    1 January, the report year's quarters (as the QA report's)."""
    first = date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    days: list[date] = []
    while first <= end and len(days) < MAX_MONTHS // 3:
        days.append(first)
        first += relativedelta(months=3)
    return days


@dataclass(frozen=True)
class Scope:
    """Whose figures: `iro_ids` None is the whole authority."""

    iro_ids: tuple[int, ...] | None = None
    label: str = "Whole authority"

    @property
    def whole_authority(self) -> bool:
        return self.iro_ids is None

    def on_caseload(self, child_ref: str, *, on: date | None = None, during: tuple[date, date] | None = None) -> Q:
        """Children (by the outer `child_ref` field) on these IROs' caseloads on a day or during a period."""
        if self.iro_ids is None:
            return Q()
        allocations = Allocation.objects.filter(child_id=OuterRef(child_ref), iro_id__in=self.iro_ids)
        if on:
            allocations = allocations.filter(allocated_on(on))
        elif during:
            allocations = allocations.filter(allocated_during(*during))
        else:
            raise TypeError("on_caseload needs `on` or `during`.")
        return Q(Exists(allocations))

    def by(self, field: str) -> Q:
        """Rows whose `field` (a user) is one of these IROs."""
        return Q() if self.iro_ids is None else Q(**{f"{field}__in": self.iro_ids})


WHOLE_AUTHORITY = Scope()


def percentage(part: int | None, whole: int | None) -> float | None:
    """part/whole as a percentage to one decimal (halves rounded up); None when whole is 0."""
    if not whole:
        return None
    value = (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


def ratio(part: int | Decimal | None, whole: int | Decimal | None) -> float | None:
    if not whole:
        return None
    return float((Decimal(part or 0) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def looked_after(*, start: date, end: date, scope: Scope = WHOLE_AUTHORITY) -> dict[str, int]:
    """Children looked after on the first day, on the last day, at any time in between (none of
    them counting a child on short breaks only), the children on short breaks only, and the
    children looked after throughout and how many of them had every review in time: one query."""
    throughout = (
        looked_after_throughout(start, end)
        & ~on_short_break_on(start)
        & ~on_short_break_on(end)
        & scope.on_caseload("child_id", on=end)
    )
    return PeriodOfCare.objects.aggregate(
        at_start=Count(
            "child_id", distinct=True, filter=counted_looked_after_on(start) & scope.on_caseload("child_id", on=start)
        ),
        at_end=Count(
            "child_id", distinct=True, filter=counted_looked_after_on(end) & scope.on_caseload("child_id", on=end)
        ),
        during=Count(
            "child_id",
            distinct=True,
            filter=counted_looked_after_during(start, end) & scope.on_caseload("child_id", during=(start, end)),
        ),
        short_breaks_only=Count(
            "child_id",
            distinct=True,
            filter=child_short_breaks_only_during(start, end) & scope.on_caseload("child_id", during=(start, end)),
        ),
        throughout=Count("child_id", distinct=True, filter=throughout),
        throughout_all_in_time=Count("child_id", distinct=True, filter=throughout & every_review_in_time(start, end)),
    )


def reviews_held(*, start: date, end: date, scope: Scope = WHOLE_AUTHORITY) -> QuerySet[Review]:
    """Reviews held in [start, end] (chaired by the scope's IROs), short-break reviews included
    (the counts separate them). Each stores whether the child had a pre-review visit
    (`pre_review_visit`, kept by reviews.facts.review_facts_refresh)."""
    return Review.objects.filter(held_between(start, end) & scope.by("chair_id"))


def review_counts(*, start: date, end: date, scope: Scope = WHOLE_AUTHORITY) -> dict[str, int]:
    """Every count over the reviews held in the period, in one aggregate: short-break reviews are
    counted only in `short_break_reviews_held`; `m{i}_on_clock` and `m{i}_in_timescale` are the
    timeliness of each calendar month of the period."""
    counted = COUNTED_REVIEW
    clock = counted & ON_THE_CLOCK
    counts = {
        "held": Count("id", filter=counted),
        "short_break_reviews_held": Count("id", filter=SHORT_BREAK_REVIEW),
        "on_clock": Count("id", filter=clock),
        "in_timescale": Count("id", filter=clock & IN_TIMESCALE),
        "first": Count("id", filter=counted & Q(sequence=ReviewSequence.FIRST)),
        "second": Count("id", filter=counted & Q(sequence=ReviewSequence.SECOND)),
        "subsequent": Count("id", filter=counted & Q(sequence=ReviewSequence.SUBSEQUENT)),
        "participated": Count("id", filter=counted & PARTICIPATED),
        "attended_no_view": Count("id", filter=counted & ATTENDED_NO_VIEW),
        "aged_under_4": Count("id", filter=counted & AGED_UNDER_4),
        "pre_review_visits": Count("id", filter=counted & Q(pre_review_visit=True)),
        "parents_participated": Count("id", filter=counted & PARENTS_PARTICIPATED),
        "monitoring_forms": Count("id", filter=counted & MONITORING_FORM_COMPLETED),
        "outcomes_due": Count("id", filter=counted & outcomes_deadline_passed(end)),
        "outcomes_on_time": Count("id", filter=counted & outcomes_deadline_passed(end) & OUTCOMES_ON_TIME),
        "outcomes_not_yet_due": Count("id", filter=counted & outcomes_not_yet_due(end)),
        "minutes_due": Count("id", filter=counted & minutes_deadline_passed(end)),
        "minutes_on_time": Count("id", filter=counted & minutes_deadline_passed(end) & MINUTES_ON_TIME),
        "minutes_not_yet_due": Count("id", filter=counted & minutes_not_yet_due(end)),
    }
    for code in ParticipationCode:
        counts[code.value] = Count("id", filter=counted & Q(participation_code=code))
    for i, first in enumerate(months(start, end)):
        in_month = Q(held_on__gte=first, held_on__lt=first + relativedelta(months=1))
        counts[f"m{i}_held"] = Count("id", filter=counted & in_month)
        counts[f"m{i}_on_clock"] = Count("id", filter=clock & in_month)
        counts[f"m{i}_in_timescale"] = Count("id", filter=clock & in_month & IN_TIMESCALE)
    result: dict[str, int] = reviews_held(start=start, end=end, scope=scope).aggregate(**counts)
    return result


def my_review_counts(*, start: date, end: date, scope: Scope = WHOLE_AUTHORITY) -> dict[str, int]:
    """Of the reviews held in the period (chaired by the scope's IROs; short-break reviews left
    out), per quarter: `q{i}_held` and `q{i}_<measure>` for each of `MY_REVIEW_MEASURES`. Counts
    only: one aggregate query whatever the number of reviews."""
    measures = {"held": Q(), **MY_REVIEW_MEASURES}
    counts: dict[str, Count] = {}
    for i, first in enumerate(quarters(start, end)):
        in_quarter = Q(held_on__gte=first, held_on__lt=first + relativedelta(months=3))
        for name, measure in measures.items():
            counts[f"q{i}_{name}"] = Count("id", filter=in_quarter & measure)
    return Review.objects.filter(held_between(start, end) & COUNTED_REVIEW & scope.by("chair_id")).aggregate(**counts)


def my_review_figures(counts: dict[str, int], start: date, end: date) -> dict[str, Any]:
    """The period's My review counts and shares (of the reviews held), then each quarter's; a
    quarter cut by the period's first or last day gives the days it covers."""
    names = ["held", *MY_REVIEW_MEASURES]

    def shares(values: dict[str, int]) -> dict[str, Any]:
        figures: dict[str, Any] = {"held": values["held"]}
        for name in MY_REVIEW_MEASURES:
            figures[name] = values[name]
            figures[f"{name}_pct"] = percentage(values[name], values["held"])
        return figures

    rows = []
    for i, first in enumerate(quarters(start, end)):
        last = first + relativedelta(months=3, days=-1)
        rows.append(
            {
                "start": max(first, start).isoformat(),
                "end": min(last, end).isoformat(),
                **shares({name: counts[f"q{i}_{name}"] for name in names}),
            }
        )
    total = {name: sum(row[name] for row in rows) for name in names}
    return {**shares(total), "quarters": rows}


def overdue_reviews(*, end: date, scope: Scope = WHOLE_AUTHORITY) -> int:
    """Reviews overdue and not held at the period end (of the children on the scope's caseloads
    that day): one query."""
    return Review.objects.filter(overdue_not_held_at(end) & scope.on_caseload("child_id", on=end)).count()


def month_on_month_pct(reviews: dict[str, int], start: date, end: date) -> float | None:
    """The mean of the monthly in-timescale shares (months with a review on the clock), each month
    weighing the same, to one decimal (halves up): the seed's "on a month on month basis"."""
    shares = [
        Fraction(reviews[f"m{i}_in_timescale"], reviews[f"m{i}_on_clock"])
        for i in range(len(months(start, end)))
        if reviews[f"m{i}_on_clock"]
    ]
    if not shares:
        return None
    mean = sum(shares, Fraction(0)) / len(shares) * 100
    value = (Decimal(mean.numerator) / Decimal(mean.denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


def iro_fte(*, on: date, scope: Scope = WHOLE_AUTHORITY) -> Decimal:
    """The summed FTE of the IROs active on the day."""
    total = IROProfile.objects.filter(iro_active_on(on) & scope.by("user_id"), user__groups__name=Role.IRO).aggregate(
        fte=Sum("fte")
    )["fte"]
    return total or Decimal(0)


def caseload_divisor(fte: Decimal, scope: Scope = WHOLE_AUTHORITY) -> tuple[str, Decimal | None, Decimal]:
    """(basis, funded posts, divisor) for children per FTE: the authority's funded posts when it
    chose them (whole authority only: a team or an IRO has no funded-post figure), else FTE in post."""
    basis = caseload_basis()
    # (caseload_basis() gives the funded posts whenever that is the basis.)
    if basis.name == "funded_posts" and basis.funded_posts is not None and scope.whole_authority:
        return basis.name, basis.funded_posts, basis.funded_posts
    return "fte", basis.funded_posts, fte


def escalation_counts(*, start: date, end: date, scope: Scope = WHOLE_AUTHORITY) -> dict[str, int]:
    """Of the escalations raised in the period (by the scope's IROs): all, those taken to
    management level, and their outcome at the period end; and those that first reached a formal
    stage in the period. One query."""
    raised = escalation_raised_between(start, end)
    outcome = escalation_outcome_at(end)
    return Escalation.objects.filter(scope.by("raised_by_id")).aggregate(
        raised=Count("id", filter=raised),
        escalated_to_management=Count("id", filter=raised & escalated_to_management_by(end)),
        resolved=Count("id", filter=raised & outcome["resolved"]),
        formal_dispute_resolution=Count("id", filter=Q(formal_started_on__gte=start, formal_started_on__lte=end)),
    )


def report_figures(
    *,
    looked: dict[str, int],
    reviews: dict[str, int],
    fte: Decimal,
    escalations: dict[str, int],
    overdue: int,
    my_review: dict[str, int],
    start: date,
    end: date,
    period: ReportPeriod | None = None,
    scope: Scope = WHOLE_AUTHORITY,
) -> dict[str, Any]:
    """The report's JSON: the first keys, with the later ones added beside them (the README,
    "Dashboards and the annual IRO report")."""
    held = reviews["held"]
    participation = {code.value: reviews[code.value] for code in ParticipationCode}
    basis, funded_posts, divisor = caseload_divisor(fte, scope)
    return {
        "period": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "to_date": bool(period and period.to_date),
            "asked_end": (period.asked_end if period else end).isoformat(),
        },
        "looked_after": {
            "at_start": looked["at_start"],
            "at_end": looked["at_end"],
            "during": looked["during"],
            "short_breaks_only": looked["short_breaks_only"],
            "throughout": looked["throughout"],
        },
        "reviews": {
            "held": held,
            "in_timescale": reviews["in_timescale"],
            "in_timescale_pct": percentage(reviews["in_timescale"], reviews["on_clock"]),
            "first": reviews["first"],
            "second": reviews["second"],
            "subsequent": reviews["subsequent"],
            "on_clock": reviews["on_clock"],
            "in_timescale_month_on_month_pct": month_on_month_pct(reviews, start, end),
            "overdue_not_held": overdue,
            "children_all_in_time": looked["throughout_all_in_time"],
            "children_all_in_time_pct": percentage(looked["throughout_all_in_time"], looked["throughout"]),
            "short_break_reviews_held": reviews["short_break_reviews_held"],
        },
        "participation": {
            **participation,
            "participated": reviews["participated"],
            "participated_pct": percentage(reviews["participated"], held),
            "participated_pct_aged_4_plus": percentage(reviews["participated"], held - reviews["aged_under_4"]),
            "attended_no_view": reviews["attended_no_view"],
        },
        "pre_review_visits_pct": percentage(reviews["pre_review_visits"], held),
        "parents_participated_pct": percentage(reviews["parents_participated"], held),
        "monitoring_forms": {
            "completed": reviews["monitoring_forms"],
            "completed_pct": percentage(reviews["monitoring_forms"], held),
        },
        "documents": {
            "outcomes_on_time_pct": percentage(reviews["outcomes_on_time"], reviews["outcomes_due"]),
            "minutes_on_time_pct": percentage(reviews["minutes_on_time"], reviews["minutes_due"]),
            "outcomes_on_time": reviews["outcomes_on_time"],
            "outcomes_due": reviews["outcomes_due"],
            "outcomes_not_yet_due": reviews["outcomes_not_yet_due"],
            "minutes_on_time": reviews["minutes_on_time"],
            "minutes_due": reviews["minutes_due"],
            "minutes_not_yet_due": reviews["minutes_not_yet_due"],
        },
        "caseload": {
            "iro_fte": float(fte),
            "children_per_fte": ratio(looked["at_end"], divisor),
            "basis": basis,
            "funded_posts": float(funded_posts) if funded_posts is not None else None,
        },
        "escalations": {
            "raised": escalations["raised"],
            "resolved": escalations["resolved"],
            "formal_dispute_resolution": escalations["formal_dispute_resolution"],
            "escalated_to_management": escalations["escalated_to_management"],
        },
        "my_review": my_review_figures(my_review, start, end),
    }


def annual_report(
    *, start: date, end: date, scope: Scope = WHOLE_AUTHORITY, today: date | None = None
) -> dict[str, Any]:
    """The annual IRO report's figures for [start, end], stopping at today (reported "to date")
    when the period reaches past it: six queries at any size."""
    period = ReportPeriod(start, end, today or timezone.localdate())
    end = period.end
    return report_figures(
        looked=looked_after(start=start, end=end, scope=scope),
        reviews=review_counts(start=start, end=end, scope=scope),
        fte=iro_fte(on=end, scope=scope),
        escalations=escalation_counts(start=start, end=end, scope=scope),
        overdue=overdue_reviews(end=end, scope=scope),
        my_review=my_review_counts(start=start, end=end, scope=scope),
        start=start,
        end=end,
        period=period,
        scope=scope,
    )


def scope_for(*, user: User, team: Team | None = None, iro: User | None = None) -> Scope:
    """Whose figures a user may see: an IRO only their own; a manager the whole authority, or
    one team's IROs, or one IRO."""
    if not user.is_manager:
        return Scope((user.pk,), user.get_full_name() or user.username)
    if iro is not None:
        return Scope((iro.pk,), iro.get_full_name() or iro.username)
    if team is not None:
        ids = tuple(IROProfile.objects.filter(team=team).order_by("user_id").values_list("user_id", flat=True))
        return Scope(ids, f"Team: {team.name}")
    return WHOLE_AUTHORITY
