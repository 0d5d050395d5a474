"""Code lists for reviews, defined once."""

from datetime import date

from django.db import models

from children.ages import age_on, birthday


class ParticipationCode(models.TextChoices):
    # SSDA903 REVIEW_CODE.
    PN0 = "PN0", "PN0: child aged under 4 at the time of the review"
    PN1 = "PN1", "PN1: child physically attends and speaks for themselves"
    PN2 = "PN2", "PN2: child physically attends and an advocate speaks on their behalf"
    PN3 = "PN3", "PN3: child attends and conveys their view symbolically (non-verbally)"
    PN4 = "PN4", "PN4: child physically attends but does not speak or convey a view, nor ask an advocate to"
    PN5 = "PN5", "PN5: child does not attend but briefs an advocate to speak for them"
    PN6 = "PN6", "PN6: child does not attend but conveys their feelings by a facilitative medium"
    PN7 = "PN7", "PN7: child does not attend nor are their views conveyed to the review"


class ChildChaired(models.TextChoices):
    # Whether the child chaired their own review (the chair's record). The seed's service offers it;
    # "My review" lets the child ask for it, and managers see how often it happens.
    NOT_RECORDED = "", "Not recorded"
    ALL = "all", "The child chaired all of the meeting"
    PART = "part", "The child chaired part of the meeting"
    NO = "no", "The child did not chair"


# "Participated" = the child's views reached the review: PN1–PN3, PN5, PN6 (docs/domain.md,
# "Participation codes"; the seed's 592 of 789). PN4 (attends but conveys no view) is not
# participation: reports show it on its own.
PARTICIPATED_CODES = frozenset(
    {
        ParticipationCode.PN1,
        ParticipationCode.PN2,
        ParticipationCode.PN3,
        ParticipationCode.PN5,
        ParticipationCode.PN6,
    }
)

# DfE rules 440/441: PN0 for a child under 4 on the review date, PN1–PN7 for a child aged 4 or over,
# and on the 4th birthday itself either is accepted. This module is the one home of that rule.
PN0_AGE_LIMIT = 4


def fourth_birthday(date_of_birth: date) -> date:
    """The day the child turns 4 (children.ages.birthday: a 29 February birthday falls on 1 March
    in a year without one)."""
    return birthday(date_of_birth, PN0_AGE_LIMIT)


def participation_codes_on(date_of_birth: date, on: date) -> list[ParticipationCode]:
    """The participation codes DfE rules 440/441 accept for a review held on `on`."""
    birthday = fourth_birthday(date_of_birth)
    if on < birthday:
        return [ParticipationCode.PN0]
    if on == birthday:
        return list(ParticipationCode)
    return [code for code in ParticipationCode if code != ParticipationCode.PN0]


def participation_code_problem(code: str, *, date_of_birth: date, on: date) -> str | None:
    """The message for a code that does not fit the child's age on the review date `on`, else None.
    A code that is not a participation code at all is left to the field's own list of choices."""
    if code not in ParticipationCode.values or code in participation_codes_on(date_of_birth, on):
        return None
    # What the row holds first, then what it should be.
    age = age_on(date_of_birth, on)
    if code == ParticipationCode.PN0:
        return f"REVIEW_CODE is PN0, but the child was {age} on the review date: PN0 is only for a child under 4"
    return f"REVIEW_CODE is {code}, but the child was {age} on the review date: a child under 4 is PN0"


# The codes for a child who was at their review (PN1–PN4): only such a child can have chaired it.
ATTENDED_CODES = frozenset({ParticipationCode.PN1, ParticipationCode.PN2, ParticipationCode.PN3, ParticipationCode.PN4})


def child_chaired_problem(child_chaired: str, *, participation_code: str) -> str | None:
    """The message when the record says the child chaired (all or part) but the participation code
    says they did not attend, else None. The one home of this rule (Review.clean asks it)."""
    if child_chaired not in (ChildChaired.ALL, ChildChaired.PART) or not participation_code:
        return None
    if participation_code in ATTENDED_CODES:
        return None
    return (
        f"The participation code is {participation_code}, but a child who chaired their review attended it: "
        "choose PN1, PN2, PN3 or PN4, or say the child did not chair."
    )


class ReviewSequence(models.TextChoices):
    FIRST = "first", "First review"
    SECOND = "second", "Second review"
    SUBSEQUENT = "subsequent", "Subsequent review"


class ReviewStatus(models.TextChoices):
    DUE = "due", "Due, not booked"
    BOOKED = "booked", "Booked"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Not needed"


OUTSTANDING_STATUSES = (ReviewStatus.DUE, ReviewStatus.BOOKED)


class EarlyReviewReason(models.TextChoices):
    """Why a review is held before the time reg 33(1) or (2) sets (Care Planning, Placement and Case
    Review (England) Regulations 2010). The stored values are kept from earlier versions."""

    IRO_REQUEST = "iro_request", "The IRO asked for an early review (reg 33(3)(a))"
    REG30_VISIT = (
        "reg30_visit",
        "A visit found the placement is not safeguarding and promoting the child's welfare (reg 30, reg 33(3)(b))",
    )
    S21_ACCOMMODATION_ENDING = (
        "s21_ending",
        "Remand or PACE accommodation (section 21(2)(b) or (c) of the Children Act 1989) is ending (reg 33(3)(c))",
    )
    SECURE_DETENTION = (
        "secure",
        "Detention in a secure training centre or young offender institution is ending (reg 33(3)(d))",
    )
    ACCOMMODATION_CEASING = (
        "accommodation_ceasing",
        (
            "Section 20 accommodation is to stop and the child will not live with a parent or someone with "
            "parental responsibility (reg 33(3)(e))"
        ),
    )
    SIGNIFICANT_CHANGE = "significant_change", "A significant change to the care plan is proposed (reg 32(2))"
    OTHER = "other", "Other reason"


# The regulation behind each early-review reason (none for "other"); the labels name it too.
EARLY_REVIEW_REGULATION = {
    EarlyReviewReason.IRO_REQUEST: "reg 33(3)(a)",
    EarlyReviewReason.REG30_VISIT: "reg 33(3)(b)",
    EarlyReviewReason.S21_ACCOMMODATION_ENDING: "reg 33(3)(c)",
    EarlyReviewReason.SECURE_DETENTION: "reg 33(3)(d)",
    EarlyReviewReason.ACCOMMODATION_CEASING: "reg 33(3)(e)",
    EarlyReviewReason.SIGNIFICANT_CHANGE: "reg 32(2)",
}


class ReviewState(models.TextChoices):
    """Where the next review stands against its due date, for caseload lists and reminders."""

    OVERDUE = "overdue", "Overdue"
    DUE_SOON = "due_soon", "Due soon"
    ON_TRACK = "on_track", "On track"
    # No date can be due (reviews.timescales.Schedule): say why, never "short breaks".
    CLOCK_UNKNOWN = "clock_unknown", "Clock unknown: check the last review date"
    CARE_ENDS_AT_18 = "ends_at_18", "Care ends at 18"


# "Due soon" means due within this many working days (interpretation: docs/domain.md, "Which schedule wins").
DUE_SOON_WORKING_DAYS = 10


class ReportKind(models.TextChoices):
    """Reports the IRO reads before the review."""

    CARE_PLAN = "care_plan", "Care plan"
    PLACEMENT_PLAN = "placement_plan", "Placement plan"
    HEALTH_PLAN = "health_plan", "Health plan"
    PEP = "pep", "Personal education plan (PEP)"
    PATHWAY_PLAN = "pathway_plan", "Pathway plan (16+)"


# The pathway plan is for young people aged 16 and over.
PATHWAY_PLAN_FROM_AGE = 16


def reports_expected(*, date_of_birth: date, on: date) -> list[ReportKind]:
    """The reports the IRO expects before a review on `on` (interpretation): every plan in
    ReportKind, the pathway plan only for a young person aged 16 or over on that day. *Before the
    review* asks for these, the review page and the minutes say which were not received."""
    young_person = age_on(date_of_birth, on) >= PATHWAY_PLAN_FROM_AGE
    return [kind for kind in ReportKind if kind != ReportKind.PATHWAY_PLAN or young_person]


class BookingAction(models.TextChoices):
    BOOKED = "booked", "Booked"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED = "cancelled", "Booking cancelled"


# A review takes this long in the IRO's diary: two bookings of one IRO closer than this overlap
# (interpretation: docs/domain.md, "Outcomes, minutes and deadlines").
REVIEW_SLOT_MINUTES = 90

# The authority's usual venues, offered beside free text.
USUAL_VENUES = ["Child's placement", "School", "Civic offices", "Family centre", "Children's home"]

# Reviews to book: children whose next review is due within this many working days.
TO_BOOK_WORKING_DAYS = 30


class DocumentKind(models.TextChoices):
    OUTCOMES = "outcomes", "Outcomes"
    MINUTES = "minutes", "Minutes"
    LETTER = "letter", "Letter to the child"


class DocumentState(models.TextChoices):
    QUEUED = "queued", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class DistributionMethod(models.TextChoices):
    EMAIL = "email", "Secure email"
    POST = "post", "Post"
    HAND = "hand", "By hand"
    PORTAL = "portal", "Portal"
