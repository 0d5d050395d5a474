"""Quality-assurance records. The workflows that fill them are their own issue (#7);
the models are here so that the schema is whole from the start."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from children.models import Child
from children.records import NeverDeleted
from reviews.models import Review

from .codes import (
    RATING_RANGES,
    EscalationOutcome,
    EscalationStage,
    EscalationTheme,
    ParticipantRole,
    Preparation,
    RatingScheme,
)

PLAN_RATING_FIELDS = (
    "care_plan_rating",
    "placement_plan_rating",
    "health_plan_rating",
    "pep_rating",
    "pathway_plan_rating",
)


def _ratings_fit_scheme() -> Q:
    """Every rating given is within its scheme's range (blank means not graded)."""
    per_scheme = Q()
    for scheme, (lowest, highest) in RATING_RANGES.items():
        fits = Q(scheme=scheme)
        for field in PLAN_RATING_FIELDS:
            fits &= Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": lowest, f"{field}__lte": highest})
        per_scheme |= fits
    return per_scheme


class MonitoringForm(NeverDeleted):
    """The IRO's quality-assurance grading of the plans after a review."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="monitoring_form")
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    completed_on = models.DateField()
    scheme = models.CharField(max_length=10, choices=RatingScheme.choices)
    care_plan_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    placement_plan_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    health_plan_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    pep_rating = models.PositiveSmallIntegerField("PEP rating", null=True, blank=True)
    pathway_plan_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Pathway plan: young people aged 16 and over."
    )
    comments_for_social_worker = models.TextField(blank=True)
    comments_for_manager = models.TextField(blank=True)
    shared_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=_ratings_fit_scheme(),
                name="monitoring_form_ratings_fit_scheme",
                violation_error_message="A rating is outside its scheme's range.",
            ),
        ]

    def __str__(self) -> str:
        return f"Monitoring form for {self.review}"


class Escalation(NeverDeleted):
    """A concern the IRO raises about a child's plan, up the dispute-resolution stages."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="escalations")
    review = models.ForeignKey(Review, on_delete=models.PROTECT, null=True, blank=True, related_name="escalations")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    raised_on = models.DateField()
    theme = models.CharField(max_length=30, choices=EscalationTheme.choices)
    concern = models.TextField()
    stage = models.CharField(
        max_length=20, choices=EscalationStage.choices, default=EscalationStage.INFORMAL_SOCIAL_WORKER
    )
    stage_deadline = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=EscalationOutcome.choices, default=EscalationOutcome.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    formal_started_on = models.DateField(
        null=True, blank=True, help_text="When it first reached a formal stage: the 20 working days run from here."
    )

    class Meta:
        ordering = ["-raised_on"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(outcome="open") & Q(closed_on__isnull=True))
                | (~Q(outcome="open") & Q(closed_on__gte=models.F("raised_on"))),
                name="escalation_closed_on_with_outcome",
                violation_error_message="A closed escalation needs a closing date on or after it was raised.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_theme_display()} ({self.child.local_id})"


class MidwayReview(NeverDeleted):
    """The IRO's mid-term look at the care plan between reviews, kept as a dated case note."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="midway_reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    held_on = models.DateField("date")
    note = models.TextField()

    class Meta:
        ordering = ["child_id", "held_on", "pk"]

    def __str__(self) -> str:
        return f"Midway review for {self.child.local_id} on {self.held_on:%d/%m/%Y}"


class RatingSchemeSetting(models.Model):
    """The authority's rating scheme from a date: forms after it grade on that scheme."""

    scheme = models.CharField(max_length=10, choices=RatingScheme.choices)
    effective_from = models.DateField(unique=True)

    class Meta:
        ordering = ["effective_from"]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} from {self.effective_from:%d/%m/%Y}"


class EscalationStageChange(NeverDeleted):
    """Every move of an escalation, kept: raised, moved on (or bypassing stages, with the reason), closed."""

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=EscalationStage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=EscalationStage.choices, blank=True)
    outcome = models.CharField(max_length=10, choices=EscalationOutcome.choices, default=EscalationOutcome.OPEN)
    changed_on = models.DateField()
    deadline = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["escalation_id", "changed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display() or self.get_outcome_display()}"


class ParticipantFeedback(NeverDeleted):
    """One participant's view of a review: preparation, venue, the child's voice, a 1–5 rating."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="feedback")
    role = models.CharField(max_length=20, choices=ParticipantRole.choices)
    received_on = models.DateField()
    preparation = models.CharField(max_length=10, choices=Preparation.choices)
    venue_suitable = models.BooleanField("the venue suited the meeting")
    child_voice_central = models.BooleanField("the child's voice was central")
    rating = models.PositiveSmallIntegerField("overall rating (1 poor – 5 excellent)")
    comments = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["review_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5),
                name="feedback_rating_1_to_5",
                violation_error_message="The rating is from 1 to 5.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} on {self.review}"


class DisruptionMeeting(NeverDeleted):
    """A placement disruption meeting chaired by an IRO, and what was learnt."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="disruption_meetings")
    chaired_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    placement = models.CharField(max_length=200, help_text="The placement that ended (carer, home or provider).")
    learning_points = models.TextField()

    class Meta:
        ordering = ["child_id", "held_on", "pk"]

    def __str__(self) -> str:
        return f"Disruption meeting for {self.child.local_id} on {self.held_on:%d/%m/%Y}"
