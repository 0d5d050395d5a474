"""The reminders sweep: every deadline that needs a reminder today, created once, sent once."""

from datetime import date
from typing import cast

from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format

from accounts import services as notification_services
from accounts.models import Notification, NotificationKind
from accounts.roles import Role
from reviews.reminders import review_reminders, user_ids_with_role
from reviews.timescales import add_working_days

from .codes import EscalationOutcome
from .models import Escalation
from .selectors import monitoring_form_due, monitoring_forms_outstanding

# The chairing IRO is reminded when a monitoring form is due within this many working days.
MONITORING_FORM_WARNING = 2


def escalation_reminders(*, today: date) -> list[Notification]:
    """An escalation stage past its deadline, to the managers."""
    managers = user_ids_with_role(Role.MANAGER)
    overdue = Escalation.objects.filter(outcome=EscalationOutcome.OPEN, stage_deadline__lt=today).values(
        "pk", "stage", "stage_deadline", "child_id", "child__local_id"
    )
    # stage_deadline__lt keeps only rows with a deadline.
    return [
        Notification(
            recipient_id=manager,
            kind=NotificationKind.ESCALATION_OVERDUE,
            # The stage is part of the key: a new stage with a new deadline is reminded afresh.
            object_key=f"escalation:{escalation['pk']}:{escalation['stage']}",
            deadline=cast(date, escalation["stage_deadline"]),
            subject=(
                f"Escalation past its deadline of {date_format(cast(date, escalation['stage_deadline']))} "
                f"(child {escalation['child__local_id']})"
            ),
            body=f"An escalation stage passed its response deadline: child {escalation['child__local_id']}.",
            url=reverse("caseload:child", args=[escalation["child_id"]]),
        )
        for escalation in overdue
        for manager in managers
    ]


def monitoring_form_reminders(*, today: date) -> list[Notification]:
    """A monitoring form due within 2 working days, and one overdue, to the IRO who chaired the
    review (one query). Keyed by the review and the due date: each band is sent once."""
    pending = monitoring_forms_outstanding(today=today, due_by=add_working_days(today, MONITORING_FORM_WARNING))
    notifications = []
    for review in pending.values("pk", "held_on", "chair_id", "child__local_id"):
        held_on = cast(date, review["held_on"])  # a held review has its date (a constraint)
        due = monitoring_form_due(held_on)
        overdue = due < today
        kind = NotificationKind.MONITORING_FORM_OVERDUE if overdue else NotificationKind.MONITORING_FORM_DUE
        day = date_format(due)
        child = review["child__local_id"]
        notifications.append(
            Notification(
                recipient_id=review["chair_id"],
                kind=kind,
                object_key=f"review:{review['pk']}",
                deadline=due,
                subject=(
                    f"Monitoring form overdue: it was due by {day} (child {child})"
                    if overdue
                    else f"Monitoring form due by {day} (child {child})"
                ),
                body=f"{kind.label}: child {child}, review held {date_format(held_on)}, due {day}.",
                url=reverse("audits:monitoring_form", args=[review["pk"]]),
            )
        )
    return notifications


@transaction.atomic
def reminders_sweep(*, today: date) -> int:
    """Create today's reminders and ask for every unsent one to be delivered after commit.

    Safe to run any number of times: the unique key stops duplicates, and delivery sets
    `sent_at` once. A missed tick is caught up by the next, since the bands are states
    (due within N working days), not moments. Returns how many deliveries were asked for.
    """
    notification_services.notifications_create(
        notifications=review_reminders(today=today)
        + escalation_reminders(today=today)
        + monitoring_form_reminders(today=today)
    )
    return notification_services.notifications_enqueue_unsent()
