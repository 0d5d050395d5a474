"""The figures of the annual IRO report, aggregated in the database (issue #8).

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

from django.db.models import Count, DateField, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import IROProfile
from accounts.roles import Role
from audits.models import Escalation
from children.models import Allocation, PeriodOfCare
from reviews.codes import ParticipationCode, ReviewSequence, ReviewStatus
from reviews.models import Review, Visit

from .definitions import (
    AGED_UNDER_4,
    IN_TIMESCALE,
    MINUTES_ON_TIME,
    MONITORING_FORM_COMPLETED,
    ON_THE_CLOCK,
    OUTCOMES_ON_TIME,
    PARENTS_PARTICIPATED,
    PARTICIPATED,
    allocated_during,
    allocated_on,
    held_between,
    iro_active_on,
    looked_after_during,
    looked_after_on,
)


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
        allocations = allocations.filter(allocated_on(on) if on else allocated_during(*during))
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
    """Children looked after on the first day, on the last day, and at any time in between."""
    return PeriodOfCare.objects.aggregate(
        at_start=Count(
            "child_id", distinct=True, filter=looked_after_on(start) & scope.on_caseload("child_id", on=start)
        ),
        at_end=Count("child_id", distinct=True, filter=looked_after_on(end) & scope.on_caseload("child_id", on=end)),
        during=Count(
            "child_id",
            distinct=True,
            filter=looked_after_during(start, end) & scope.on_caseload("child_id", during=(start, end)),
        ),
    )


def reviews_held(*, start: date, end: date, scope: Scope = WHOLE_AUTHORITY):
    """Reviews held in [start, end] (chaired by the scope's IROs), each knowing whether the
    child had a pre-review visit: a visit after the previous held review of the same period of
    care (or from the period's first day) and on or before this one."""
    previous_held_on = (
        Review.objects.filter(
            period_of_care_id=OuterRef("period_of_care_id"), status=ReviewStatus.HELD, held_on__lt=OuterRef("held_on")
        )
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    # The previous review is never before the period's start, so "after the previous review, or
    # from the start" is: on or after the start, and after the previous review if there is one.
    visits = Visit.objects.filter(
        child_id=OuterRef("child_id"),
        visited_on__lte=OuterRef("held_on"),
        visited_on__gte=OuterRef("period_of_care__start"),
        visited_on__gt=OuterRef("previous_held_on"),
    )
    return (
        Review.objects.filter(held_between(start, end) & scope.by("chair_id"))
        .annotate(previous_held_on=Coalesce(Subquery(previous_held_on), Value(date.min, output_field=DateField())))
        .annotate(pre_review_visit=Exists(visits))
    )


def review_counts(*, start: date, end: date, scope: Scope = WHOLE_AUTHORITY) -> dict[str, int]:
    """Every count over the reviews held in the period, in one aggregate."""
    counts = {
        "held": Count("id"),
        "on_clock": Count("id", filter=ON_THE_CLOCK),
        "in_timescale": Count("id", filter=ON_THE_CLOCK & IN_TIMESCALE),
        "first": Count("id", filter=Q(sequence=ReviewSequence.FIRST)),
        "second": Count("id", filter=Q(sequence=ReviewSequence.SECOND)),
        "subsequent": Count("id", filter=Q(sequence=ReviewSequence.SUBSEQUENT)),
        "participated": Count("id", filter=PARTICIPATED),
        "aged_under_4": Count("id", filter=AGED_UNDER_4),
        "pre_review_visits": Count("id", filter=Q(pre_review_visit=True)),
        "parents_participated": Count("id", filter=PARENTS_PARTICIPATED),
        "monitoring_forms": Count("id", filter=MONITORING_FORM_COMPLETED),
        "outcomes_on_time": Count("id", filter=OUTCOMES_ON_TIME),
        "minutes_on_time": Count("id", filter=MINUTES_ON_TIME),
    }
    for code in ParticipationCode:
        counts[code.value] = Count("id", filter=Q(participation_code=code))
    return reviews_held(start=start, end=end, scope=scope).aggregate(**counts)


def iro_fte(*, on: date, scope: Scope = WHOLE_AUTHORITY) -> Decimal:
    """The summed FTE of the IROs active on the day."""
    total = IROProfile.objects.filter(iro_active_on(on) & scope.by("user_id"), user__groups__name=Role.IRO).aggregate(
        fte=Sum("fte")
    )["fte"]
    return total or Decimal(0)


def escalation_counts(*, start: date, end: date, scope: Scope = WHOLE_AUTHORITY) -> dict[str, int]:
    in_period = scope.by("raised_by_id")
    return Escalation.objects.filter(in_period).aggregate(
        raised=Count("id", filter=Q(raised_on__gte=start, raised_on__lte=end)),
        resolved=Count("id", filter=Q(outcome="resolved", closed_on__gte=start, closed_on__lte=end)),
        formal_dispute_resolution=Count("id", filter=Q(formal_started_on__gte=start, formal_started_on__lte=end)),
    )


def report_figures(
    *,
    looked: dict[str, int],
    reviews: dict[str, int],
    fte: Decimal,
    escalations: dict[str, int],
    start: date,
    end: date,
) -> dict:
    """The report's JSON, shaped exactly as issue #8 gives it, from the four aggregates."""
    held = reviews["held"]
    participation = {code.value: reviews[code.value] for code in ParticipationCode}
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "looked_after": {"at_start": looked["at_start"], "at_end": looked["at_end"], "during": looked["during"]},
        "reviews": {
            "held": held,
            "in_timescale": reviews["in_timescale"],
            "in_timescale_pct": percentage(reviews["in_timescale"], reviews["on_clock"]),
            "first": reviews["first"],
            "second": reviews["second"],
            "subsequent": reviews["subsequent"],
        },
        "participation": {
            **participation,
            "participated": reviews["participated"],
            "participated_pct": percentage(reviews["participated"], held),
            "participated_pct_aged_4_plus": percentage(reviews["participated"], held - reviews["aged_under_4"]),
        },
        "pre_review_visits_pct": percentage(reviews["pre_review_visits"], held),
        "parents_participated_pct": percentage(reviews["parents_participated"], held),
        "monitoring_forms": {
            "completed": reviews["monitoring_forms"],
            "completed_pct": percentage(reviews["monitoring_forms"], held),
        },
        "documents": {
            "outcomes_on_time_pct": percentage(reviews["outcomes_on_time"], held),
            "minutes_on_time_pct": percentage(reviews["minutes_on_time"], held),
        },
        "caseload": {"iro_fte": float(fte), "children_per_fte": ratio(looked["at_end"], fte)},
        "escalations": {
            "raised": escalations["raised"],
            "resolved": escalations["resolved"],
            "formal_dispute_resolution": escalations["formal_dispute_resolution"],
        },
    }


def annual_report(*, start: date, end: date, scope: Scope = WHOLE_AUTHORITY) -> dict:
    """The annual IRO report's figures for [start, end]: four queries at any size."""
    return report_figures(
        looked=looked_after(start=start, end=end, scope=scope),
        reviews=review_counts(start=start, end=end, scope=scope),
        fte=iro_fte(on=end, scope=scope),
        escalations=escalation_counts(start=start, end=end, scope=scope),
        start=start,
        end=end,
    )


def scope_for(*, user, team=None, iro=None) -> Scope:
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
