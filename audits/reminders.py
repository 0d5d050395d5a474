"""The reminders sweep: every deadline that needs a reminder today, created once, sent once."""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format

from accounts import services as notification_services
from accounts.models import Notification, NotificationKind
from accounts.roles import Role
from reviews.reminders import review_reminders, users_with_role

from .codes import EscalationOutcome
from .models import Escalation


def escalation_reminders(*, today: date) -> list[Notification]:
    """An escalation stage past its deadline, to the managers."""
    managers = users_with_role(Role.MANAGER)
    overdue = Escalation.objects.filter(outcome=EscalationOutcome.OPEN, stage_deadline__lt=today).values(
        "pk", "stage", "stage_deadline", "child_id", "child__local_id"
    )
    return [
        Notification(
            recipient_id=manager,
            kind=NotificationKind.ESCALATION_OVERDUE,
            # The stage is part of the key: a new stage with a new deadline is reminded afresh.
            object_key=f"escalation:{escalation['pk']}:{escalation['stage']}",
            deadline=escalation["stage_deadline"],
            subject=(
                f"Escalation past its deadline of {date_format(escalation['stage_deadline'])} "
                f"(child {escalation['child__local_id']})"
            ),
            body=f"An escalation stage passed its response deadline: child {escalation['child__local_id']}.",
            url=reverse("caseload:child", args=[escalation["child_id"]]),
        )
        for escalation in overdue
        for manager in managers
    ]


@transaction.atomic
def reminders_sweep(*, today: date) -> int:
    """Create today's reminders and ask for every unsent one to be delivered after commit.

    Safe to run any number of times: the unique key stops duplicates, and delivery sets
    `sent_at` once. A missed tick is caught up by the next, since the bands are states
    (due within N working days), not moments. Returns how many deliveries were asked for.
    """
    notification_services.notifications_create(
        notifications=review_reminders(today=today) + escalation_reminders(today=today)
    )
    return notification_services.notifications_enqueue_unsent()
