from decimal import Decimal
from typing import Any, NoReturn

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .phones import PHONE_EXAMPLE, validate_uk_phone
from .roles import Role


class User(AbstractUser):
    """A person who signs in. What they may do comes from their role (a group)."""

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_names(self) -> frozenset[str]:
        # Cached per instance: templates and permission checks ask many times per request.
        if not hasattr(self, "_role_names"):
            self._role_names = frozenset(self.groups.values_list("name", flat=True))
        return self._role_names

    def has_role(self, role: Role | str) -> bool:
        return Role(role).value in self.role_names

    @property
    def is_iro(self) -> bool:
        return self.has_role(Role.IRO)

    @property
    def is_manager(self) -> bool:
        return self.has_role(Role.MANAGER)

    @property
    def is_business_support(self) -> bool:
        return self.has_role(Role.BUSINESS_SUPPORT)


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IROProfile(models.Model):
    """An IRO's working pattern: caseload guidance is per full-time equivalent."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="iro_profile")
    fte = models.DecimalField(
        "FTE",
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("1.0"))],
        help_text="Full-time equivalent, from 0.1 to 1.0.",
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="iros")
    active_from = models.DateField()
    active_to = models.DateField(null=True, blank=True)
    # The letter to the child says "You can call me on ..." (templates/reviews/pdf/letter.html).
    work_phone = models.CharField(
        "work telephone",
        max_length=30,
        blank=True,
        validators=[validate_uk_phone],
        help_text=f"The number children and carers can call you on, like {PHONE_EXAMPLE}. "
        "It is printed in the letter to the child.",
    )
    # The council's case system names the IRO by this when it allocates a child through the API
    # (api/services_write.py, POST /api/v1/care-events/children/{CHILD}/allocation/).
    staff_id = models.CharField(
        "staff identifier",
        max_length=30,
        blank=True,
        help_text="The IRO's identifier in the council's case system (staff or worker ID). Blank if not known.",
    )

    class Meta:
        verbose_name = "IRO profile"
        constraints = [
            models.CheckConstraint(
                condition=Q(fte__gte=Decimal("0.1")) & Q(fte__lte=Decimal("1.0")),
                name="iro_profile_fte_between_0_1_and_1",
                violation_error_message="FTE must be between 0.1 and 1.0.",
            ),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="iro_profile_active_to_after_from",
                violation_error_message="An IRO cannot stop being active before they start.",
            ),
            models.UniqueConstraint(
                fields=["staff_id"],
                condition=~Q(staff_id=""),
                name="iro_profile_staff_id_unique",
                violation_error_message="Another IRO has this staff identifier.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.fte} FTE)"


class NotificationKind(models.TextChoices):
    REVIEW_DUE_15 = "review_due_15", "Review due within 15 working days and not booked"
    REVIEW_DUE_5 = "review_due_5", "Review due within 5 working days and not booked"
    REVIEW_DUE_TODAY = "review_due_today", "Review due today"
    REVIEW_OVERDUE = "review_overdue", "Review overdue"
    OUTCOMES_DUE = "outcomes_due", "Outcomes due within 2 working days"
    OUTCOMES_OVERDUE = "outcomes_overdue", "Outcomes overdue"
    MINUTES_DUE = "minutes_due", "Minutes due within 5 working days"
    MINUTES_OVERDUE = "minutes_overdue", "Minutes overdue"
    ESCALATION_OVERDUE = "escalation_overdue", "Escalation stage past its deadline"
    MONITORING_FORM_DUE = "monitoring_form_due", "Monitoring form due within 2 working days"
    MONITORING_FORM_OVERDUE = "monitoring_form_overdue", "Monitoring form overdue"
    CARE_ENDS_AT_18 = "care_ends_at_18", "Care ends at 18 within three months"
    CLOCK_UNKNOWN = "clock_unknown", "Review clock unknown: check the last review date"
    DAILY_DIGEST = "daily_digest", "Daily digest"
    # "My review": urgent, made at once (not by the sweep) and emailed straight away.
    CHILD_NOT_SAFE = "child_not_safe", "URGENT: a child said they do not feel safe"
    MY_REVIEW_LOCKED = "my_review_locked", "A child's My review link is locked (wrong word five times)"
    MY_REVIEW_ADVOCATE = "my_review_advocate", "A child asked for an advocate in My review: refer them"


class Notification(models.Model):
    """A reminder to one person about one deadline; shown in the application and emailed once.

    The unique key (kind, object, deadline, recipient) is what makes a re-run, a second beat
    or a retried task harmless: the row exists once, and `sent_at` is set once. The email is
    sent between a committed claim (`sending_since`, counted in `send_attempts`) and `sent_at`,
    so a worker that dies in between leaves a claim that expires, and at most
    `accounts.services.SEND_ATTEMPTS_BOUND` claims can ever reach the mail server
    (accounts/services.py says exactly what is guaranteed).
    """

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    object_key = models.CharField(max_length=40, help_text='What it is about, e.g. "review:123".')
    deadline = models.DateField()
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Delivery bookkeeping (accounts/services.py): a claim is a lease, not a lock held while sending.
    sending_since = models.DateTimeField(
        null=True, blank=True, help_text="When a worker claimed it to email it (a lease that expires)."
    )
    send_attempts = models.PositiveSmallIntegerField(
        default=0,
        db_default=0,
        help_text="Claims that may have reached the mail server (a refused send does not count).",
    )
    failed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Not emailed again: its claims ran out without it being marked sent. Needs a person to check.",
    )
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When a sweep last handed it to the broker for delivery."
    )
    queued_count = models.PositiveIntegerField(
        default=0, db_default=0, help_text="How many times sweeps handed it to the broker."
    )
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="No longer needed (e.g. the child left care): never emailed "
        "(accounts.services.notifications_withdraw).",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_key", "deadline", "recipient"], name="notification_once_per_deadline"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["sent_at"], name="notification_unsent_idx", condition=Q(sent_at=None)),
        ]

    def __str__(self) -> str:
        return self.subject


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CHANGE = "change", "Changed"
    DOWNLOAD = "download", "Downloaded"
    EXPORT = "export", "Exported"
    REFUSED = "refused", "Refused"


class ImmutableRowError(Exception):
    """Audit rows are written once and never changed or deleted."""


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableRowError("The access log cannot be changed.")

    def delete(self) -> NoReturn:
        raise ImmutableRowError("The access log cannot be deleted.")


OBJECT_TYPE_MAX_LENGTH = 100  # a view name such as "admin:children_child_change" can be long


class AccessLog(models.Model):
    """Who saw or changed what of a child's record, and when (written in the same transaction as
    the request's work, so an access that cannot be recorded does not happen).

    Rows are append-only: the model refuses updates and deletes, and on PostgreSQL a trigger
    refuses them in the database as well (migration accounts 0005).
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The child's id, kept as a plain number: the log outlives anything it mentions.
    child_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=10, choices=AccessAction.choices)
    object_type = models.CharField(max_length=OBJECT_TYPE_MAX_LENGTH, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    path = models.CharField(max_length=300, blank=True)
    method = models.CharField(max_length=7, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["child_id", "at"], name="access_child_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRowError("The access log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableRowError("The access log cannot be deleted.")
