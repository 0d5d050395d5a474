"""Code lists for reviews, defined once."""

from django.db import models


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


# "Participated" = PN1–PN6 (DOMAIN.md; the seed's 75%).
PARTICIPATED_CODES = frozenset(
    {
        ParticipationCode.PN1,
        ParticipationCode.PN2,
        ParticipationCode.PN3,
        ParticipationCode.PN4,
        ParticipationCode.PN5,
        ParticipationCode.PN6,
    }
)

# DfE rules 440/441: PN0 only for a child under 4 on the review date; PN1–PN7 only from 4.
PN0_AGE_LIMIT = 4


def participation_codes_for_age(age: int) -> list[ParticipationCode]:
    if age < PN0_AGE_LIMIT:
        return [ParticipationCode.PN0]
    return [code for code in ParticipationCode if code != ParticipationCode.PN0]


def participation_code_problem(code: str, age: int) -> str | None:
    """The message for a code that does not fit the child's age on the review date, else None."""
    if code == ParticipationCode.PN0 and age >= PN0_AGE_LIMIT:
        return f"PN0 is only for a child under 4 on the review date; this child was {age}."
    if code and code != ParticipationCode.PN0 and age < PN0_AGE_LIMIT:
        return f"A child under 4 on the review date is recorded as PN0; this child was {age}."
    return None


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
    # reg 33(3): a review before the time in paragraph (1) or (2).
    IRO_REQUEST = "iro_request", "The IRO requested it (reg 33(3)(a))"
    SIGNIFICANT_CHANGE = "significant_change", "Significant change to the care plan (reg 30)"
    S21_ACCOMMODATION_ENDING = "s21_ending", "Accommodation under section 21 ending"
    SECURE_DETENTION = "secure", "Detention in secure accommodation"
    ACCOMMODATION_CEASING = "accommodation_ceasing", "Accommodation ceasing"
    OTHER = "other", "Other reason"


class ReviewState(models.TextChoices):
    """Where the next review stands against its due date, for caseload lists and reminders."""

    OVERDUE = "overdue", "Overdue"
    DUE_SOON = "due_soon", "Due soon"
    ON_TRACK = "on_track", "On track"
    NOT_ON_CLOCK = "not_on_clock", "Short breaks (reg 48): not on the reg 33 clock"


# "Due soon" means due within this many working days (interpretation: issue #2).
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


class BookingAction(models.TextChoices):
    BOOKED = "booked", "Booked"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED = "cancelled", "Booking cancelled"


# A review takes this long in the IRO's diary: two bookings of one IRO closer than this overlap
# (interpretation: issue #3).
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
