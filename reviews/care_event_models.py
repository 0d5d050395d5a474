"""A care event that moves the review clock, as it was recorded, and the early-review choice
made after it (reviews/care_events.py writes these; reviews.models imports this module)."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from children.codes import LegalStatus, PlacementType, ReasonEpisodeCeased
from children.models import Child, Episode, PeriodOfCare
from children.records import KeptQuerySet, NeverDeleted

from .codes import EarlyReviewReason


class CareEventKind(models.TextChoices):
    PLACEMENT = "placement", "Change of placement"
    LEGAL_STATUS = "legal_status", "Change of legal status"
    PLACEMENT_AND_LEGAL_STATUS = "placement_and_legal_status", "Change of placement and legal status"
    ADOPTION_PLACEMENT = "adoption_placement", "Placed for adoption"
    LEFT_CARE = "left_care", "Left care"
    RETURNED_TO_CARE = "returned_to_care", "Returned to care"


class EarlyReviewChoice(models.TextChoices):
    NOT_ASKED = "", "No early review called for"
    PENDING = "pending", "Waiting for a choice"
    BOOK = "book", "Early review to be booked"
    NONE = "none", "No early review"
    ALREADY_REVIEWED = "already_reviewed", "Already considered at a review"


class CareEvent(NeverDeleted):
    """One care event (RNE P/T/L/B/U, placement for adoption, leaving care with its REC, or a
    new period with RNE S), with the episode it made and the early-review prompt's answer."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="care_events")
    period_of_care = models.ForeignKey(PeriodOfCare, on_delete=models.PROTECT, related_name="care_events")
    episode = models.ForeignKey(
        Episode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_events",
        help_text="The episode the event began (none for leaving care).",
    )
    kind = models.CharField(max_length=30, choices=CareEventKind.choices)
    occurred_on = models.DateField("date")
    # What the child had before, kept so the event reads on its own ("J1 → C2").
    previous_legal_status = models.CharField(max_length=2, choices=LegalStatus.choices, blank=True)
    previous_placement_type = models.CharField(max_length=3, choices=PlacementType.choices, blank=True)
    reason_ended = models.CharField(
        "reason care ended (REC)", max_length=3, choices=ReasonEpisodeCeased.choices, blank=True
    )
    significant_change = models.BooleanField("a significant change to the care plan (reg 32(2))", default=False)
    early_review_reason = models.CharField(
        "early review called for", max_length=30, choices=EarlyReviewReason.choices, blank=True
    )
    early_review_choice = models.CharField(max_length=20, choices=EarlyReviewChoice.choices, blank=True)
    no_early_review_reason = models.TextField("why no early review", blank=True)
    early_review = models.ForeignKey(
        "reviews.Review",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_events",
        help_text="The review chosen to be booked early.",
    )
    early_review_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    early_review_decided_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["child_id", "occurred_on", "pk"]
        indexes = [models.Index(fields=["child", "occurred_on"], name="care_event_child_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(early_review_reason="") | ~Q(early_review_choice=""),
                name="care_event_prompt_has_choice",
                violation_error_message="An event that calls for an early review records the choice made.",
            ),
            models.CheckConstraint(
                condition=~Q(early_review_choice="none") | ~Q(no_early_review_reason=""),
                name="care_event_no_early_review_has_reason",
                violation_error_message="Say why no early review is needed.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="left_care") | ~Q(reason_ended=""),
                name="care_event_left_care_has_rec",
                violation_error_message="Leaving care needs the reason care ended (REC).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on:%d/%m/%Y} ({self.child.local_id})"

    @property
    def awaits_early_review_choice(self) -> bool:
        return self.early_review_choice == EarlyReviewChoice.PENDING
