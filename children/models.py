from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from simple_history.models import HistoricalRecords

from .ages import age_on
from .code_years import ALL_PLACEMENT_TYPE_CHOICES
from .codes import (
    EPISODE_CONTINUES,
    SHORT_BREAK_ENDED_AS_PLANNED,
    SHORT_BREAK_LEGAL_STATUSES,
    AllocationKind,
    CategoryOfNeed,
    Ethnicity,
    LegalStatus,
    Mother,
    PlacementProvider,
    ReasonEpisodeCeased,
    ReasonNewEpisode,
    ReasonPlaceChange,
    Sex,
)
from .postcodes import distance_in_miles
from .predicates import looked_after_on
from .records import KeptQuerySet, KeptRecord, NeverDeleted
from .validators import validate_child_id


class Child(KeptRecord):
    """A child the authority looks after or has looked after (the SSDA903 header row)."""

    local_id = models.CharField(
        "child ID",
        max_length=10,
        unique=True,
        validators=[validate_child_id],
        help_text="The authority's own identifier: the SSDA903 CHILD field.",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices)
    upn = models.CharField("UPN", max_length=13, blank=True, help_text="Unique pupil number, or blank if not known.")
    mother = models.CharField(
        max_length=1,
        choices=Mother.choices,
        blank=True,
        help_text="SSDA903 MOTHER: whether she is herself a mother (girls only).",
    )
    mother_child_date_of_birth = models.DateField("child's date of birth (MC_DOB)", null=True, blank=True)
    school = models.CharField(max_length=200, blank=True)
    social_worker = models.CharField(max_length=200, blank=True)
    # The young person's own email, if they have one and want My review invitations by email
    # (reviews/my_review.py). Shown to business support and IROs; never in a report or export.
    email = models.EmailField(
        "young person's email", blank=True, help_text="Only if they want their My review invitation by email."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When this row last changed, for the API's changed-since (api/views_read.py): stamped by the
    # database on every insert and update (a trigger, children migration 0011), so writes through
    # queryset.update() and bulk_create move it too.
    updated_at = models.DateTimeField(db_default=Now(), editable=False)

    objects: ClassVar = KeptQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name_plural = "children"
        ordering = ["last_name", "first_name", "local_id"]
        # The API's children changed since a time, in the order it pages them (api/views_read.py).
        indexes = [models.Index(fields=["updated_at", "id"], name="child_updated_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(mother_child_date_of_birth__isnull=True) | Q(mother=Mother.YES),
                name="child_mc_dob_only_for_mothers",
                violation_error_message="A child's date of birth (MC_DOB) is only recorded for a mother.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.local_id})"

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        return age_on(self.date_of_birth, day)

    def clean(self) -> None:
        if self.mother and self.sex != Sex.FEMALE:
            raise ValidationError({"mother": "MOTHER is only recorded for girls."})
        if (
            self.mother_child_date_of_birth
            and self.date_of_birth
            and self.mother_child_date_of_birth <= self.date_of_birth
        ):
            raise ValidationError({"mother_child_date_of_birth": "Her child's date of birth must be after her own."})


class PeriodOfCareQuerySet(KeptQuerySet["PeriodOfCare"]):
    def looked_after_on(self, day: date) -> "PeriodOfCareQuerySet":
        """Periods in which the child is looked after on `day`: start ≤ day and (no end or end > day)."""
        return self.filter(looked_after_on(day))


class PeriodOfCare(KeptRecord):
    """From the day a child becomes looked after (an episode with RNE S) until care ends."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="periods_of_care")
    start = models.DateField("looked after from")
    end = models.DateField("care ended on", null=True, blank=True)
    reason_ended = models.CharField(max_length=3, choices=ReasonEpisodeCeased.choices, blank=True)
    began_before_records = models.BooleanField(
        default=False,
        help_text="Care began before the records held here (imported from the middle of a period): "
        "its first episode need not be RNE S, and the reviews' places in it are not known.",
    )
    # When this row last changed, for the API's changed-since (api/views_read.py): stamped by the
    # database on every insert and update (a trigger, children migration 0011), so writes through
    # queryset.update() and bulk_create move it too.
    updated_at = models.DateTimeField(db_default=Now(), editable=False)

    objects: ClassVar = PeriodOfCareQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "period of care"
        verbose_name_plural = "periods of care"
        ordering = ["child_id", "start"]
        # Children arriving: the periods that start after today (children.selectors.children_arriving).
        indexes = [
            models.Index(fields=["start"], name="period_start_idx"),
            # The API's changed-since: the periods changed since a time, and each child's latest change.
            models.Index(fields=["updated_at"], name="period_updated_idx"),
            models.Index(fields=["child", "updated_at"], name="period_child_updated_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["child", "start"], name="period_unique_start_per_child"),
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(end__isnull=True),
                name="period_one_open_per_child",
                violation_error_message="This child already has a period of care that has not ended.",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="period_ends_after_start",
                violation_error_message="A period of care cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=(Q(end__isnull=True) & Q(reason_ended="")) | (Q(end__isnull=False) & ~Q(reason_ended="")),
                name="period_end_and_reason_together",
                violation_error_message="Give the reason care ended exactly when an end date is given.",
            ),
        ]

    def __str__(self) -> str:
        ended = f" to {self.end:%d/%m/%Y}" if self.end else ""
        return f"{self.child.local_id}: looked after from {self.start:%d/%m/%Y}{ended}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.reason_ended == EPISODE_CONTINUES:
            errors["reason_ended"] = "X1 continues care in a new episode; it cannot end a period of care."
        if self.child_id and self.start:
            if self.start < self.child.date_of_birth:
                errors["start"] = "A period of care cannot start before the child's date of birth."
            overlapping = (
                PeriodOfCare.objects.filter(child_id=self.child_id)
                .exclude(pk=self.pk)
                .filter(Q(end__isnull=True) | Q(end__gt=self.start))
            )
            if self.end:
                overlapping = overlapping.filter(start__lt=self.end)
            if overlapping.exists():
                errors["start"] = "This overlaps another period of care for the same child."
        if errors:
            raise ValidationError(errors)

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def continues_short_breaks(self, legal_statuses: list[str] | None = None) -> bool:
        """A short break (each V3 break is its own period) that ended as planned, the child going
        home (REC E4A): the agreed series goes on, and so does its reg 48 review clock, between
        breaks. `legal_statuses` are the period's episodes' (read from the database if not given)."""
        if self.end is None or self.reason_ended != SHORT_BREAK_ENDED_AS_PLANNED:
            return False
        if legal_statuses is None:
            legal_statuses = list(self.episodes.values_list("legal_status", flat=True))
        return bool(legal_statuses) and set(legal_statuses) <= SHORT_BREAK_LEGAL_STATUSES


# What an episode says about the child's care: each new episode carries these over from the one
# before unless the event that starts it changes them, and every form that starts one asks for them.
EPISODE_DETAILS = (
    "legal_status",
    "category_of_need",
    "placement_type",
    "placement_provider",
    "home_postcode",
    "placement_postcode",
    "urn",
)


class Episode(NeverDeleted):
    """An SSDA903 episode: one legal status and placement within a period of care."""

    period_of_care = models.ForeignKey(PeriodOfCare, on_delete=models.PROTECT, related_name="episodes")
    start = models.DateField("start date (DECOM)")
    reason_new_episode = models.CharField(
        "reason for new episode (RNE)", max_length=1, choices=ReasonNewEpisode.choices
    )
    legal_status = models.CharField("legal status (LS)", max_length=2, choices=LegalStatus.choices)
    category_of_need = models.CharField("category of need (CIN)", max_length=2, choices=CategoryOfNeed.choices)
    # Every year's codes (children.code_years): an H5 held from 2023-24 still displays.
    placement_type = models.CharField("placement (PLACE)", max_length=3, choices=ALL_PLACEMENT_TYPE_CHOICES)
    placement_provider = models.CharField(
        "placement provider", max_length=3, choices=PlacementProvider.choices, blank=True
    )
    end = models.DateField("end date (DEC)", null=True, blank=True)
    reason_ended = models.CharField(
        "reason episode ceased (REC)", max_length=3, choices=ReasonEpisodeCeased.choices, blank=True
    )
    reason_place_change = models.CharField(
        "reason for placement change", max_length=6, choices=ReasonPlaceChange.choices, blank=True
    )
    home_postcode = models.CharField(max_length=8, blank=True)
    placement_postcode = models.CharField(max_length=8, blank=True)
    urn = models.CharField(
        "URN", max_length=10, blank=True, help_text="Ofsted unique reference number of the placement."
    )
    # Kept with the postcodes so that reports can band distances in the database; set on save
    # and by the bulk writers (import, demo) through children.postcodes.distance_in_miles.
    placement_distance_miles = models.PositiveIntegerField(
        "distance from home to placement (whole miles)", null=True, blank=True, editable=False
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["period_of_care_id", "start"]
        # The few short-break episodes, read whole by the statistics' "on a short break" tests
        # (caseload.definitions: one hashed look-up per statement instead of one per row).
        indexes = [
            models.Index(
                fields=["period_of_care", "start"],
                condition=Q(legal_status__in=sorted(SHORT_BREAK_LEGAL_STATUSES)),
                name="episode_short_break_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["period_of_care", "start"], name="episode_unique_start_per_period"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="episode_ends_after_start",
                violation_error_message="An episode cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=(Q(end__isnull=True) & Q(reason_ended="")) | (Q(end__isnull=False) & ~Q(reason_ended="")),
                name="episode_end_and_reason_together",
                violation_error_message="Give the reason the episode ceased exactly when it has an end date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%d/%m/%Y} {self.legal_status} {self.placement_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.placement_distance_miles = distance_in_miles(self.home_postcode, self.placement_postcode)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "placement_distance_miles"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not (self.period_of_care_id and self.start):
            return
        period = self.period_of_care
        errors: dict[str, str] = {}
        if not period.contains(self.start):
            errors["start"] = "The episode must start inside its period of care."
        elif self.end and not period.contains(self.end):
            errors["end"] = "The episode must end inside its period of care."
        elif period.end and self.end is None:
            errors["end"] = "The period of care has ended, so this episode needs an end date."
        if (
            self.start == period.start
            and self.reason_new_episode != ReasonNewEpisode.STARTED
            and not period.began_before_records
        ):
            errors["reason_new_episode"] = "The first episode of a period of care has RNE S."
        if self.start != period.start and self.reason_new_episode == ReasonNewEpisode.STARTED:
            errors["reason_new_episode"] = (
                "RNE S starts a new period of care; a later episode in the same period needs L, P, T, B or U."
            )
        overlapping = Episode.objects.filter(period_of_care_id=self.period_of_care_id).exclude(pk=self.pk)
        overlapping = overlapping.filter(Q(end__isnull=True) | Q(end__gt=self.start))
        if self.end:
            overlapping = overlapping.filter(start__lt=self.end)
        if "start" not in errors and overlapping.exists():
            errors["start"] = "This overlaps another episode in the same period of care."
        if errors:
            raise ValidationError(errors)


class Allocation(NeverDeleted):
    """Which IRO holds a child: one case-holding IRO at a time, plus cover when away."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="allocations")
    iro = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations", verbose_name="IRO"
    )
    kind = models.CharField(max_length=12, choices=AllocationKind.choices, default=AllocationKind.CASE_HOLDING)
    start = models.DateField("from")
    end = models.DateField("to", null=True, blank=True)
    # Why the child moved to this IRO from the one before (optional; a first allocation has none).
    reason = models.CharField(
        "reason for the change",
        max_length=300,
        blank=True,
        help_text="For example: the IRO left the service, or a conflict of interest.",
    )
    # When this row last changed, for the API's changed-since (api/views_read.py): stamped by the
    # database on every insert and update (a trigger, children migration 0011), so writes through
    # queryset.update() and bulk_create move it too.
    updated_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        ordering = ["child_id", "start"]
        # The API's changed-since: the allocations changed since a time, and each child's latest change.
        indexes = [
            models.Index(fields=["updated_at"], name="allocation_updated_idx"),
            models.Index(fields=["child", "updated_at"], name="allocation_child_updated_idx"),
        ]
        constraints = [
            # The database guarantees at most one open case-holding allocation per child;
            # clean() also refuses date ranges that overlap a closed one.
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(kind=AllocationKind.CASE_HOLDING, end__isnull=True),
                name="allocation_one_open_case_holding_iro",
                violation_error_message="This child already has a case-holding IRO.",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="allocation_ends_after_start",
                violation_error_message="An allocation cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(kind=AllocationKind.CASE_HOLDING) | Q(end__isnull=False),
                name="allocation_cover_has_end",
                violation_error_message="Cover needs an end date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child.local_id} → {self.iro} ({self.get_kind_display()})"

    def clean(self) -> None:
        if not (self.child_id and self.start and self.kind == AllocationKind.CASE_HOLDING):
            return
        overlapping = Allocation.objects.filter(child_id=self.child_id, kind=AllocationKind.CASE_HOLDING).exclude(
            pk=self.pk
        )
        # Handover day: the old allocation ends the day before the new one starts.
        overlapping = overlapping.filter(Q(end__isnull=True) | Q(end__gte=self.start))
        if self.end:
            overlapping = overlapping.filter(start__lte=self.end)
        if overlapping.exists():
            raise ValidationError(
                {"start": "This child already has a case-holding IRO for these dates; end that allocation first."}
            )
