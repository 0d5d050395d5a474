"""What each figure of the dashboards and the annual IRO report counts: one home for the
definitions (issue #8). Each is a query predicate, and its words, in DEFINITIONS, go on the
report's last page, so what is printed is what is counted.

Prefixes let the same rule apply from another model: `looked_after_on(day, "periods_of_care__")`.
"""

from datetime import date

from django.db.models import F, Q

from children.models import AllocationKind
from reviews.codes import PARTICIPATED_CODES, ParticipationCode, ReviewStatus
from reviews.timescales import MINUTES_WORKING_DAYS, OUTCOMES_WORKING_DAYS


def looked_after_on(day: date, prefix: str = "") -> Q:
    """A period of care with start ≤ D and (no end, or end > D): the child leaves on the end date."""
    return Q(**{f"{prefix}start__lte": day}) & (Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gt": day}))


def looked_after_during(start: date, end: date, prefix: str = "") -> Q:
    """A period of care with start ≤ E and (no end, or end ≥ S)."""
    return Q(**{f"{prefix}start__lte": end}) & (Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": start}))


def episode_open_on(day: date, prefix: str = "") -> Q:
    """An episode in force on D: a new episode starts on the day the last one ends (DEC = DECOM)."""
    return looked_after_on(day, prefix)


def allocated_on(day: date, prefix: str = "") -> Q:
    """A case-holding allocation covering D (an allocation's "to" date is its last day)."""
    return Q(**{f"{prefix}kind": AllocationKind.CASE_HOLDING, f"{prefix}start__lte": day}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": day})
    )


def allocated_during(start: date, end: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}kind": AllocationKind.CASE_HOLDING, f"{prefix}start__lte": end}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": start})
    )


def iro_active_on(day: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}active_from__lte": day}) & (
        Q(**{f"{prefix}active_to__isnull": True}) | Q(**{f"{prefix}active_to__gte": day})
    )


def held_between(start: date, end: date) -> Q:
    """A review is in the period if it was held on a date in [S, E]."""
    return Q(status=ReviewStatus.HELD, held_on__gte=start, held_on__lte=end)


# Held on or before its due date (DOMAIN.md "Statutory clocks"). Reviews with no due date (short
# breaks, and a first known review whose period began before the records) are not on the clock.
ON_THE_CLOCK = Q(due_date__isnull=False)
IN_TIMESCALE = Q(held_on__lte=F("due_date"))
PARTICIPATED = Q(participation_code__in=sorted(PARTICIPATED_CODES))
AGED_UNDER_4 = Q(participation_code=ParticipationCode.PN0)
PARENTS_PARTICIPATED = Q(parents_participated=True)
MONITORING_FORM_COMPLETED = Q(monitoring_form__isnull=False)
OUTCOMES_ON_TIME = Q(outcomes_issued_on__lte=F("outcomes_due_on"))
MINUTES_ON_TIME = Q(minutes_issued_on__lte=F("minutes_due_on"))

# Caseload guidance (IRO Handbook 2010): between 50 and 70 children per full-time IRO.
CASELOAD_GUIDANCE = (50, 70)

# Age bands of the dashboards: (label, youngest, oldest or None).
AGE_BANDS = [("0–4", 0, 4), ("5–9", 5, 9), ("10–15", 10, 15), ("16+", 16, None)]

DEFINITIONS: list[tuple[str, str]] = [
    ("Looked after on a date", "A period of care that started on or before the date and had not ended by it."),
    (
        "Looked after during the period",
        "A period of care that started on or before the last day and had not ended before the first day; "
        "a child with two such periods counts once.",
    ),
    ("Reviews held", "Reviews held on a date within the period."),
    ("First, second, subsequent", "A review's place among the reviews of its own period of care."),
    (
        "In timescale",
        "Held on or before its due date: 20 working days after the child came into care for the first review, "
        "3 months after the first for the second, 6 months after the previous one for the rest. The share is of "
        "the reviews on that clock (short breaks and reviews whose due date is not known are left out).",
    ),
    (
        "Participated",
        "Participation codes PN1 to PN6, as a share of all reviews held; the share aged 4 and over leaves PN0 "
        "(under 4 at the time of the review) out of the count.",
    ),
    (
        "Pre-review visit",
        "The IRO recorded a visit to the child after the previous review in the period of care (or, for the "
        "first, on or after the day the period began) and on or before the review.",
    ),
    ("Parents participated", "The review record says the parents participated."),
    ("Monitoring form completed", "The IRO completed a monitoring form for the review."),
    (
        "Outcomes and minutes on time",
        f"Issued within {OUTCOMES_WORKING_DAYS} (outcomes) and {MINUTES_WORKING_DAYS} (minutes) working days of "
        "the review, bank holidays in England excluded.",
    ),
    (
        "IRO FTE and children per FTE",
        "The summed full-time equivalence of the IROs active on the last day; the children looked after on the "
        "last day divided by it.",
    ),
    (
        "Escalations",
        "Raised: raised in the period. Resolved: closed as resolved in the period. Formal dispute resolution: "
        "first reached a formal stage (service manager or above) in the period.",
    ),
    (
        "IRO continuity",
        "Children looked after during the period who had more than one case-holding IRO in it.",
    ),
    ("Percentages", "Shares of reviews held in the period unless named otherwise, to one decimal place."),
]
