"""Which review deadlines need a reminder today, found with set-based queries.

Bands count working days (reviews.timescales), so a Friday before a bank-holiday Monday
looks the right distance ahead. Each band's notification carries the deadline it is about:
when a due date moves, the new date is reminded afresh; otherwise each is reminded once.
"""

from datetime import date
from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import BigIntegerField, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import get_language

from accounts.models import Notification, NotificationKind
from accounts.roles import Role
from accounts.selectors import users_with_role
from children.codes import AllocationKind
from children.selectors import current_allocations

from .codes import OUTSTANDING_STATUSES, ReviewStatus
from .models import Review
from .timescales import (
    CARE_ENDS_AT_AGE,
    CARE_ENDS_NOTICE_MONTHS,
    Schedule,
    add_months,
    add_working_days,
    eighteenth_birthday,
)

User = get_user_model()

# Reminder windows in working days (interpretation: docs/domain.md, "Outcomes, minutes and deadlines").
REVIEW_FIRST_WARNING = 15
REVIEW_SECOND_WARNING = 5
OUTCOMES_WARNING = 2
MINUTES_WARNING = 5


def user_ids_with_role(role: Role) -> list[int]:
    return list(users_with_role(role).values_list("pk", flat=True))


def _with_iro(reviews: QuerySet[Review], *, today: date) -> QuerySet[Review]:
    """Annotate who chairs: the covering IRO, else the case-holding IRO today."""
    holder = current_allocations(today=today).filter(child_id=OuterRef("child_id"), kind=AllocationKind.CASE_HOLDING)
    return reviews.annotate(
        iro_id=Coalesce(F("covering_iro_id"), Subquery(holder.values("iro_id")[:1]), output_field=BigIntegerField())
    )


@lru_cache(maxsize=4096)
def _day(day: date, language: str) -> str:
    # A sweep formats tens of thousands of dates but only a few hundred distinct ones.
    return date_format(day)


def _review_url_pattern() -> str:
    # reverse() costs ~100 µs; a sweep needs tens of thousands of links to the same view.
    return reverse("reviews:detail", args=[987654321]).replace("987654321", "{}")


def _notifications(
    kind: NotificationKind, review: dict[str, Any], deadline: date, recipients: list[int], what: str, url_pattern: str
) -> list[Notification]:
    day = _day(deadline, get_language())
    child = review["child__local_id"]
    # Emails carry the child's ID, never their name.
    subject = f"{what} {day} (child {child})"
    body = f"{kind.label}: child {child}, deadline {day}."
    url = url_pattern.format(review["pk"])
    return [
        Notification(
            recipient_id=recipient,
            kind=kind,
            object_key=f"review:{review['pk']}",
            deadline=deadline,
            subject=subject,
            body=body,
            url=url,
        )
        for recipient in recipients
        if recipient
    ]


def review_reminders(*, today: date) -> list[Notification]:
    """Reviews due within 15 and 5 working days and not booked, due today, and overdue (on
    whichever schedule set the date: reg 33, reg 48 short breaks, adoption); care ending at 18
    within three months; a clock unknown; outcomes due within 2 working days or overdue;
    minutes due within 5 or overdue. A child who has left care has no outstanding review."""
    support = user_ids_with_role(Role.BUSINESS_SUPPORT)
    managers = user_ids_with_role(Role.MANAGER)
    first_warning = add_working_days(today, REVIEW_FIRST_WARNING)
    second_warning = add_working_days(today, REVIEW_SECOND_WARNING)
    fields = ("pk", "due_date", "status", "iro_id", "child__local_id")
    outstanding = _with_iro(Review.objects.filter(status__in=OUTSTANDING_STATUSES), today=today)
    notifications: list[Notification] = []
    url_pattern = _review_url_pattern()

    def add(kind: NotificationKind, review: dict[str, Any], deadline: date, recipients: list[int], what: str) -> None:
        notifications.extend(_notifications(kind, review, deadline, recipients, what, url_pattern))

    for review in outstanding.filter(status=ReviewStatus.DUE, due_date__gt=today, due_date__lte=first_warning).values(
        *fields
    ):
        kind = NotificationKind.REVIEW_DUE_5 if review["due_date"] <= second_warning else NotificationKind.REVIEW_DUE_15
        add(kind, review, review["due_date"], [review["iro_id"], *support], "Review to book: due by")
    for review in outstanding.filter(due_date=today).values(*fields):
        recipients = [review["iro_id"], *(support if review["status"] == ReviewStatus.DUE else [])]
        add(NotificationKind.REVIEW_DUE_TODAY, review, today, recipients, "Review due today,")
    for review in outstanding.filter(due_date__lt=today).values(*fields):
        add(
            NotificationKind.REVIEW_OVERDUE,
            review,
            review["due_date"],
            [review["iro_id"], *support, *managers],
            "Review overdue: it was due by",
        )

    # Care ends at 18 within three months: no review can be due after the birthday, so the
    # IRO and business support are told when care ends instead (once, dated the birthday).
    born_from = add_months(today, -12 * CARE_ENDS_AT_AGE)
    born_to = add_months(today, CARE_ENDS_NOTICE_MONTHS - 12 * CARE_ENDS_AT_AGE)
    for review in outstanding.filter(child__date_of_birth__gte=born_from, child__date_of_birth__lte=born_to).values(
        *fields, "child__date_of_birth"
    ):
        add(
            NotificationKind.CARE_ENDS_AT_18,
            review,
            eighteenth_birthday(review["child__date_of_birth"]),
            [review["iro_id"], *support],
            "Care ends at 18 on",
        )
    # Imported mid-period with no review known: business support checks the last review date.
    for review in outstanding.filter(due_schedule=Schedule.UNKNOWN).values(*fields, "period_of_care__start"):
        add(
            NotificationKind.CLOCK_UNKNOWN,
            review,
            review["period_of_care__start"],
            support,
            "Review clock unknown (check the last review date); in care since",
        )

    held = Review.objects.filter(status=ReviewStatus.HELD)
    documents = (
        ("outcomes", OUTCOMES_WARNING, NotificationKind.OUTCOMES_DUE, NotificationKind.OUTCOMES_OVERDUE, "Outcomes"),
        ("minutes", MINUTES_WARNING, NotificationKind.MINUTES_DUE, NotificationKind.MINUTES_OVERDUE, "Minutes"),
    )
    for document, warning, due_kind, overdue_kind, name in documents:
        due_field = f"{document}_due_on"
        pending = held.filter(
            **{f"{document}_issued_on__isnull": True, f"{due_field}__lte": add_working_days(today, warning)}
        )
        for review in pending.values("pk", "child__local_id", "chair_id", due_field):
            deadline = review[due_field]
            if deadline < today:
                add(overdue_kind, review, deadline, [review["chair_id"]], f"{name} overdue: they were due by")
            else:
                add(due_kind, review, deadline, [review["chair_id"]], f"{name} due by")
    return notifications
