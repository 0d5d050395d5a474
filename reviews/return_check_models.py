"""A return check: a collection year's SSDA903 export run through the Data to Insight validator
(reviews.return_check), its state and its problems grouped by DfE rule."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from children.code_years import FIRST_YEAR, LAST_YEAR, collection_year_label


class ReturnCheckState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Could not run"
    UNAVAILABLE = "unavailable", "Validator not installed"


# Checks still to finish: the page shows "running" and offers a refresh.
RETURN_CHECK_WAITING = (ReturnCheckState.QUEUED, ReturnCheckState.RUNNING)


class ReturnCheck(models.Model):
    year = models.PositiveSmallIntegerField(
        "collection year", validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=12, choices=ReturnCheckState.choices, default=ReturnCheckState.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The three files written for the check, in the private documents folder (rows per table).
    folder = models.CharField(max_length=100, blank=True)
    rows = models.JSONField(default=dict, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    # [{"rule": "101", "words": ..., "count": n, "tables": [...], "examples": [{"child": ..., "table": ..., ...}]}]
    results = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)  # why it could not run, in words

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["-requested_at"], name="return_check_recent")]

    def __str__(self) -> str:
        return f"Return check {self.year_label} ({self.get_state_display()})"

    @property
    def year_label(self) -> str:
        return collection_year_label(self.year)

    @property
    def waiting(self) -> bool:
        return self.state in RETURN_CHECK_WAITING
