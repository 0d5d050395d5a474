from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q


class ReportNarrative(models.Model):
    """What the managers write in the annual IRO report, kept per report year (its period).
    The figures beside it are computed, never typed."""

    period_start = models.DateField()
    period_end = models.DateField()
    purpose = models.TextField("purpose of the service and legal context", blank=True)
    service_profile = models.TextField("profile of the IRO service", blank=True)
    quantitative = models.TextField("quantitative information: commentary", blank=True)
    participation = models.TextField("children's participation: commentary", blank=True)
    quality_assurance = models.TextField("quality assurance", blank=True)
    escalation = models.TextField("escalation and dispute resolution", blank=True)
    caseload = models.TextField("caseload and workload", blank=True)
    objectives = models.TextField("the year's objectives", blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end"], name="narrative_once_per_period"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="narrative_period_in_order",
                violation_error_message="The period ends before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"Annual IRO report narrative {self.period_start} to {self.period_end}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError("The period ends before it starts.")


NARRATIVE_SECTIONS = [
    "purpose",
    "service_profile",
    "quantitative",
    "participation",
    "quality_assurance",
    "escalation",
    "caseload",
    "objectives",
]
