from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone


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


class ReportPDFKind(models.TextChoices):
    ANNUAL = "annual", "Annual IRO report"
    QA = "qa", "Quality assurance report"


class ReportPDFState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Could not be made"


# PDFs still being made: asked again for the same report, the same row is shown (no second job).
REPORT_PDF_IN_FLIGHT = (ReportPDFState.QUEUED, ReportPDFState.RUNNING)


class ReportPDF(models.Model):
    """A whole report as a PDF, made by a Celery task (caseload.tasks.make_report_pdf) rather than
    in the request: who asked, for what (the report and its filters), how far it has got, and the
    file, kept in the private documents folder as review documents are (with its SHA-256)."""

    kind = models.CharField(max_length=10, choices=ReportPDFKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    # The annual report's filter (a manager's: a team or one IRO; empty is the whole authority).
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    iro = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    scope_label = models.CharField("whose figures", max_length=200, blank=True)
    # The day it was asked for: a period that runs past it stops there, as on the page that day.
    asked_on = models.DateField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=ReportPDFState.choices, default=ReportPDFState.QUEUED)
    step = models.CharField("what it is doing", max_length=100, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)  # why it could not be made, in words

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="report_pdf_period_in_order",
                violation_error_message="The period ends before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(percent__lte=100), name="report_pdf_percent", violation_error_message="At most 100%."
            ),
            models.CheckConstraint(
                condition=~Q(kind="qa") | Q(team__isnull=True, iro__isnull=True),
                name="report_pdf_qa_has_no_filter",
                violation_error_message="The QA report is for the whole authority.",
            ),
            # One job at a time for the same person and the same report: a double click, or a
            # second tab, finds the first (caseload.services.report_pdf_request).
            models.UniqueConstraint(
                fields=["requested_by", "kind", "period_start", "period_end", "team", "iro"],
                condition=Q(state__in=["queued", "running"]),
                nulls_distinct=False,
                name="report_pdf_once_in_flight",
                violation_error_message="This PDF is already being made.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} PDF {self.period_start} to {self.period_end} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("caseload:report_pdf", args=[self.pk])

    @property
    def waiting(self) -> bool:
        return self.state in REPORT_PDF_IN_FLIGHT

    @property
    def download_name(self) -> str:
        prefix = "iro-report" if self.kind == ReportPDFKind.ANNUAL else "qa-report"
        return f"{prefix}-{self.period_start}-{self.period_end}.pdf"


class MonthEndMeasure(models.TextChoices):
    ALLOCATED = "allocated", "Case-holding allocations, not on a short break"
    LOOKED_AFTER = "looked_after", "Periods of care looked after, not on a short break"


AUTHORITY = 0  # MonthEndCount.iro_id for the whole authority's figure (and the mark that a month end is stored)


class MonthEndCount(models.Model):
    """A figure at a past month end, kept once counted (caseload/month_ends.py): the dashboards'
    month-by-month panels read these instead of counting every allocation at every month end.

    Only month ends before today are kept. On PostgreSQL, any change to an allocation, a period
    of care or an episode deletes the kept figures from the earliest date it touches on (statement
    triggers, migration caseload 0003), and a nightly task counts them again."""

    month_end = models.DateField()
    measure = models.CharField(max_length=20, choices=MonthEndMeasure.choices)
    iro_id = models.BigIntegerField(help_text="The IRO, or 0 for the whole authority.")
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["measure", "month_end", "iro_id"], name="month_end_count_once"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.month_end} {self.iro_id}: {self.count}"
