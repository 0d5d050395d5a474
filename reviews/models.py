from datetime import date
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.models import HistoricalRecords

from children.models import Child, PeriodOfCare
from children.records import KeptQuerySet, KeptRecord, NeverDeleted

from .codes import (
    OUTSTANDING_STATUSES,
    BookingAction,
    ChildChaired,
    DistributionMethod,
    DocumentKind,
    DocumentState,
    EarlyReviewReason,
    ParticipationCode,
    ReportKind,
    ReviewSequence,
    ReviewStatus,
    child_chaired_problem,
    participation_code_problem,
    reports_expected,
)
from .timescales import is_in_timescale
from .wording import child_names, for_child_draft

if TYPE_CHECKING:
    from accounts.models import User


class Review(KeptRecord):
    """A statutory looked-after child review (reg 33), from due through booked to held.

    Each period of care has at most one outstanding (due or booked) review: the next one.
    Its due date is stored when it becomes known and recomputed by
    `reviews.services.review_due_dates_refresh` when the dates it rests on are corrected.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="reviews")
    period_of_care = models.ForeignKey(PeriodOfCare, on_delete=models.PROTECT, related_name="reviews")
    sequence = models.CharField(max_length=10, choices=ReviewSequence.choices)
    due_date = models.DateField(
        null=True,
        blank=True,
        help_text="Blank when no date can be due: the clock is unknown (imported mid-period with no review "
        "known), or it would fall after the 18th birthday.",
    )
    # Which schedule set the due date (reviews.timescales.Schedule) and the rule in words, e.g.
    # "adoption review: 28 days after placement on Mon 3 Mar 2025" (set with the due date by
    # reviews.services.review_due_dates_refresh and the SSDA903 import).
    due_schedule = models.CharField(max_length=12, blank=True, editable=False)
    due_rule = models.CharField(max_length=200, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DUE)
    booked_for = models.DateTimeField(null=True, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    held_on = models.DateField(null=True, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews_chaired",
    )
    participation_code = models.CharField(max_length=3, choices=ParticipationCode.choices, blank=True)
    parents_participated = models.BooleanField(null=True, blank=True)
    child_visited_on = models.DateField("child visited before the review on", null=True, blank=True)
    wishes_and_feelings_received = models.BooleanField(default=False)
    early_review_reason = models.CharField(
        "early review reason (reg 33(3))", max_length=30, choices=EarlyReviewReason.choices, blank=True
    )
    # The deadlines of a held review, stored so that reminders and reports query them directly
    # (set by reviews.services.review_due_dates_refresh from reviews.timescales).
    outcomes_due_on = models.DateField(null=True, blank=True, editable=False)
    minutes_due_on = models.DateField(null=True, blank=True, editable=False)
    outcomes_issued_on = models.DateField(null=True, blank=True)
    minutes_issued_on = models.DateField(null=True, blank=True)
    # Booking
    venue_chosen_by_child = models.BooleanField("the child chose the venue", default=False)
    lateness_reason = models.TextField(
        "reason for booking after the due date",
        blank=True,
        help_text="Needed when booked after the statutory due date.",
    )
    covering_iro = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews_covered",
        verbose_name="covering IRO",
        help_text="An IRO covering this one review while the case-holding IRO is away.",
    )
    cover_ends_on = models.DateField(
        "cover ends on",
        null=True,
        blank=True,
        help_text="The last day the covering IRO may work on this review. Left blank, cover ends when the "
        "minutes are due (20 working days after the review).",
    )
    # Before the review
    wishes_and_feelings_received_on = models.DateField(null=True, blank=True)
    child_own_words = models.TextField("the child's own words", blank=True)
    # The review itself (Signs of Safety)
    worried_about = models.TextField("what are we worried about?", blank=True)
    working_well = models.TextField("what is working well?", blank=True)
    needs_to_happen = models.TextField("what needs to happen?", blank=True)
    child_views = models.TextField("the child's views, in their words", blank=True)
    child_chaired = models.CharField(
        "did the child chair the meeting?", max_length=10, choices=ChildChaired.choices, blank=True
    )
    plan_of_adoption_confirmed = models.BooleanField(default=False)
    # Counts the writes to the review (every service bumps it). Two people editing at once are
    # kept apart by the claim each page carries (reviews/claims.py: a digest of the fields it
    # showed, checked with the row locked), not by this number.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Stored facts the statistics count, kept by reviews.facts.review_facts_refresh whenever a
    # review is held or corrected or a visit recorded or corrected: the review held before this
    # one in the same period of care, and whether the child had a pre-review visit.
    previous_held_on = models.DateField(null=True, blank=True, editable=False)
    pre_review_visit = models.BooleanField(default=False, editable=False)
    # When this review or its decisions last changed, for the API's changed-since
    # (api/views_read.py): stamped by the database on every write to the row and to its decisions
    # (triggers, reviews migration 0020), so writes through queryset.update() move it too.
    updated_at = models.DateTimeField(db_default=Now(), editable=False)

    objects: ClassVar = KeptQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["child_id", "period_of_care_id", "due_date"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="review_status_due_idx"),
            # An IRO's booked reviews for the weeks ahead (reviews.selectors.iro_booked_reviews).
            models.Index(fields=["booked_for"], name="review_booked_for_idx", condition=Q(status="booked")),
            # The caseload lists, soonest due first, a page at a time (reviews.selectors.caseload_groups).
            models.Index(
                fields=["due_date", "child"],
                name="review_outstanding_due_idx",
                condition=Q(status__in=OUTSTANDING_STATUSES),
            ),
            models.Index(fields=["child", "status", "held_on"], name="review_child_held_idx"),
            # The previous held review of a period (pre-review visits in the annual report).
            models.Index(
                fields=["period_of_care", "held_on"], name="review_period_held_idx", condition=Q(status="held")
            ),
            models.Index(
                fields=["outcomes_due_on"], name="review_outcomes_pending_idx", condition=Q(outcomes_issued_on=None)
            ),
            models.Index(
                fields=["minutes_due_on"], name="review_minutes_pending_idx", condition=Q(minutes_issued_on=None)
            ),
            # The API's changed-since: reviews in the order it pages them, and each child's latest change.
            models.Index(fields=["updated_at", "id"], name="review_updated_idx"),
            models.Index(fields=["child", "updated_at"], name="review_child_updated_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["period_of_care"],
                condition=Q(status__in=["due", "booked"]),
                name="review_one_outstanding_per_period",
                violation_error_message="This period of care already has a review due or booked.",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | (Q(held_on__isnull=False) & ~Q(participation_code="")),
                name="review_held_has_date_and_code",
                violation_error_message="A held review needs the date it was held and a participation code.",
            ),
            models.CheckConstraint(
                condition=Q(status="held") | Q(held_on__isnull=True),
                name="review_held_on_only_when_held",
                violation_error_message="Only a held review has a held date.",
            ),
            models.CheckConstraint(
                condition=~Q(status="booked") | Q(booked_for__isnull=False),
                name="review_booked_has_time",
                violation_error_message="A booked review needs a date and time.",
            ),
            models.CheckConstraint(
                condition=Q(outcomes_issued_on__isnull=True) | Q(outcomes_issued_on__gte=models.F("held_on")),
                name="review_outcomes_after_held",
                violation_error_message="Outcomes cannot be issued before the review was held.",
            ),
            models.CheckConstraint(
                condition=Q(minutes_issued_on__isnull=True) | Q(minutes_issued_on__gte=models.F("held_on")),
                name="review_minutes_after_held",
                violation_error_message="Minutes cannot be issued before the review was held.",
            ),
        ]

    def __str__(self) -> str:
        when = self.held_on or self.due_date
        suffix = f" ({when:%d/%m/%Y})" if when else ""
        return f"{self.get_sequence_display()} for {self.child.local_id}{suffix}"

    @property
    def review_date(self) -> date | None:
        """The day the review happens: held, else booked."""
        if self.held_on:
            return self.held_on
        if self.booked_for:
            return self.booked_for.date()
        return None

    @property
    def in_timescale(self) -> bool | None:
        if self.held_on is None or self.due_date is None:
            return None
        return is_in_timescale(self.held_on, self.due_date)

    def reports_checklist(self, *, today: date) -> list[tuple[ReportKind, date | None]]:
        """Each report expected before this review (reviews.codes.reports_expected, on the day of
        the review, else today) with the day it was received, None if it was not; and any other
        report recorded as received. In ReportKind's order. Reads `reports_received` once."""
        received = {report.kind: report.received_on for report in self.reports_received.all()}
        expected = reports_expected(date_of_birth=self.child.date_of_birth, on=self.review_date or today)
        return [(kind, received.get(kind.value)) for kind in ReportKind if kind in expected or kind.value in received]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.child_id and self.period_of_care_id and self.period_of_care.child_id != self.child_id:
            errors["period_of_care"] = "That period of care belongs to another child."
        day = self.review_date
        if day and self.child_id:
            dob = self.child.date_of_birth
            field = "held_on" if self.held_on else "booked_for"
            if day < dob:
                errors[field] = "A review cannot be before the child's date of birth."
            elif self.period_of_care_id and day < self.period_of_care.start:
                errors[field] = (
                    f"A review cannot be before the period of care started ({date_format(self.period_of_care.start)})."
                )
            elif (
                self.period_of_care_id
                and self.period_of_care.end
                and day > self.period_of_care.end
                and not self.period_of_care.continues_short_breaks()
            ):
                errors[field] = "A review cannot be after the period of care ended."
            if self.child_visited_on and self.child_visited_on > day:
                errors["child_visited_on"] = "The pre-review visit must be on or before the review."
            elif self.child_visited_on and self.period_of_care_id and self.child_visited_on < self.period_of_care.start:
                errors["child_visited_on"] = "The pre-review visit must be after the child came into care."
            if self.participation_code:
                problem = participation_code_problem(self.participation_code, date_of_birth=dob, on=day)
                if problem:
                    errors["participation_code"] = problem
        chaired = child_chaired_problem(self.child_chaired, participation_code=self.participation_code)
        if chaired and "participation_code" not in errors:
            errors["child_chaired"] = chaired
        if errors:
            raise ValidationError(errors)


class Decision(models.Model):
    """A decision or action from a review: what, who owns it, by when."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="decisions")
    text = models.TextField("decision")
    owner = models.CharField(max_length=200, help_text="Who will do it (name or role).")
    deadline = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    # The decision said to the child, for the letter to the child (reviews.wording): blank until
    # the IRO writes it, and the letter then uses the draft the record page offers.
    for_child = models.TextField(
        "for the letter to the child",
        blank=True,
        help_text="Write this as you would say it to the child, e.g. ‘You will see your mum every Saturday’.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["review_id", "deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(owner=""),
                name="decision_has_owner",
                violation_error_message="Every decision needs an owner.",
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="decision_has_text",
                violation_error_message="Write the decision.",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    def wording_for(self, child: Child) -> str:
        """What the letter to `child` says of this decision: the IRO's wording, else the draft."""
        return self.for_child or for_child_draft(self.text, child_names(child))


class Booking(NeverDeleted):
    """One entry in a review's booking history: booked, rescheduled or cancelled."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="bookings")
    action = models.CharField(max_length=12, choices=BookingAction.choices)
    booked_for = models.DateTimeField(null=True, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review_id", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action="booked") | ~Q(reason=""),
                name="booking_change_has_reason",
                violation_error_message="Give a reason for rescheduling or cancelling.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.booked_for or ''}"


class Invitee(NeverDeleted):
    """Someone invited to a review, and whether they attended."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="invitees")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=100, help_text="For example: mother, foster carer, social worker.")
    email = models.EmailField(blank=True)
    attended = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["review_id", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class ReportReceived(models.Model):
    """A report the IRO received before the review (care plan, PEP, ...)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="reports_received")
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    received_on = models.DateField()

    class Meta:
        ordering = ["review_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["review", "kind"], name="report_received_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} received {self.received_on}"


class Visit(NeverDeleted):
    """The IRO sees the child before the review (alone where appropriate)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="visits")
    iro = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits_made")
    visited_on = models.DateField()
    seen_alone = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()
    # Set before a correction's save (services.visit_correct); django-simple-history reads them
    # into the history row it writes.
    _change_reason: str
    _history_user: "User"

    class Meta:
        ordering = ["child_id", "visited_on", "pk"]
        indexes = [models.Index(fields=["child", "visited_on"], name="visit_child_day_idx")]

    def __str__(self) -> str:
        return f"Visit to {self.child.local_id} on {self.visited_on:%d/%m/%Y}"

    def clean(self) -> None:
        if self.child_id and self.visited_on and self.visited_on < self.child.date_of_birth:
            raise ValidationError({"visited_on": "A visit cannot be before the child's date of birth."})
        if self.visited_on and self.visited_on > timezone.localdate():
            raise ValidationError({"visited_on": "Record a visit once it has happened: this date is in the future."})


class Document(KeptRecord):
    """One version of a review document (outcomes, minutes, letter). Never overwritten: a new
    version is a new row with its own file, and every version stays retrievable."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=10, choices=DocumentKind.choices)
    version = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=DocumentState.choices, default=DocumentState.QUEUED)
    failure_reason = models.TextField(blank=True)
    reason = models.TextField("reason for a new version", blank=True)
    file_name = models.CharField(max_length=200, blank=True, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    issued_on = models.DateField(null=True, blank=True)
    issued_on_time = models.BooleanField(null=True, blank=True, editable=False)
    # A letter to the child as HTML, rendered with its PDF from the same context
    # (reviews.documents.letter_html): the child's page after the review shows the issued version's.
    letter_html = models.TextField(blank=True, editable=False)
    # When this row last changed, for the API's changed-since (api/views_read.py): stamped by the
    # database on every insert and update (a trigger, reviews migration 0020).
    updated_at = models.DateTimeField(db_default=Now(), editable=False)

    objects: ClassVar = KeptQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["review_id", "kind", "version"]
        indexes = [models.Index(fields=["updated_at", "id"], name="document_updated_idx")]
        constraints = [
            models.UniqueConstraint(fields=["review", "kind", "version"], name="document_version_once"),
            models.CheckConstraint(
                condition=Q(issued_on__isnull=True) | Q(state="ready"),
                name="document_issued_only_when_ready",
                violation_error_message="Only a ready document can be issued.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version} for {self.review}"

    @property
    def download_name(self) -> str:
        return f"{self.kind}-{self.review.child.local_id}-v{self.version}.pdf"


class Distribution(NeverDeleted):
    """To whom, how and when a document went."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="distributions")
    recipient = models.CharField(max_length=200)
    method = models.CharField(max_length=10, choices=DistributionMethod.choices)
    sent_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["document_id", "sent_on", "pk"]

    def __str__(self) -> str:
        return f"{self.document} to {self.recipient} ({self.get_method_display()}, {self.sent_on})"

    def clean(self) -> None:
        if self.document_id and self.document.issued_on is None:
            raise ValidationError("Issue the document before recording where it went.")
        if self.sent_on and self.document_id and self.document.issued_on and self.sent_on < self.document.issued_on:
            raise ValidationError({"sent_on": "It cannot have gone out before it was issued."})


# Care events live in their own module; imported here so Django registers the model.
from .care_event_models import CareEvent  # noqa: E402, F401

# "My review", the child's own voice: its own module, imported here so Django registers the models.
from .my_review_models import MyReviewInvitation, MyReviewListenedTo, MyReviewResponse  # noqa: E402, F401

# The SSDA903 return check: its own module, imported here so Django registers the model.
from .return_check_models import ReturnCheck  # noqa: E402, F401
