"""Notifications: created once, delivered once."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from .models import Notification, NotificationKind, User

logger = logging.getLogger(__name__)


_INSERT_COLUMNS = ("recipient_id", "kind", "object_key", "deadline", "subject", "body", "url")


def notifications_create(*, notifications: list[Notification]) -> None:
    """Insert the notifications that do not exist yet (by their unique key), in one statement.

    On PostgreSQL one INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING, whatever the
    number of rows (a fixed number of queries per sweep); elsewhere bulk_create.
    """
    if not notifications:
        return
    if connection.vendor != "postgresql":
        Notification.objects.bulk_create(notifications, ignore_conflicts=True, batch_size=500)
        return
    columns = {name: [getattr(n, name) for n in notifications] for name in _INSERT_COLUMNS}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO accounts_notification
                (recipient_id, kind, object_key, deadline, subject, body, url, created_at)
            SELECT recipient_id, kind, object_key, deadline, subject, body, url, now()
            FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::date[], %s::text[], %s::text[], %s::text[])
                AS new(recipient_id, kind, object_key, deadline, subject, body, url)
            ON CONFLICT (kind, object_key, deadline, recipient_id) DO NOTHING
            """,
            [columns[name] for name in _INSERT_COLUMNS],
        )


def notifications_enqueue_unsent() -> int:
    """After this transaction commits, ask the workers to deliver every unsent notification.

    Delivery is idempotent, so asking twice is harmless; a notification whose message never
    reached the broker (broker down) is still unsent and is asked for again by the next sweep.
    """
    from .tasks import deliver_notification  # tasks import this module: imported here, not at the top

    ids = list(Notification.objects.filter(sent_at__isnull=True).values_list("pk", flat=True))
    for notification_id in ids:
        transaction.on_commit(lambda pk=notification_id: deliver_notification.delay(pk), robust=True)
    return len(ids)


@transaction.atomic
def notification_deliver(*, notification_id: int) -> bool:
    """Email one notification unless it was sent already. Returns whether it sent now.

    The row is locked while sending; `sent_at` is set in the same transaction, so a second
    delivery of the same task waits, then finds it sent. If sending fails the transaction
    rolls back and the task's retry tries again.
    """
    notification = Notification.objects.select_for_update().select_related("recipient").get(pk=notification_id)
    if notification.sent_at is not None:
        return False
    recipient = notification.recipient
    if recipient.email and recipient.is_active:
        link = f"{settings.SITE_URL}{notification.url}" if notification.url else settings.SITE_URL
        send_mail(
            subject=f"[IRO service] {notification.subject}",
            message=f"{notification.body}\n\n{link}\n".lstrip(),
            from_email=None,
            recipient_list=[recipient.email],
        )
    notification.sent_at = timezone.now()
    notification.save(update_fields=["sent_at"])
    return True


def notifications_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


DIGEST_LINES = 20


@transaction.atomic
def daily_digest_create(*, today) -> int:
    """One digest a day for each person with unread reminders: what is waiting for them."""
    unread = (
        Notification.objects.filter(read_at__isnull=True)
        .exclude(kind=NotificationKind.DAILY_DIGEST)
        .order_by("recipient_id", "deadline", "pk")
        .values_list("recipient_id", "subject")
    )
    by_recipient: dict[int, list[str]] = {}
    for recipient_id, subject in unread:
        by_recipient.setdefault(recipient_id, []).append(subject)
    digests = []
    for recipient_id, subjects in by_recipient.items():
        lines = [f"- {subject}" for subject in subjects[:DIGEST_LINES]]
        if len(subjects) > DIGEST_LINES:
            lines.append(f"... and {len(subjects) - DIGEST_LINES} more.")
        digests.append(
            Notification(
                recipient_id=recipient_id,
                kind=NotificationKind.DAILY_DIGEST,
                object_key="digest",
                deadline=today,
                subject=f"{len(subjects)} unread reminder{'s' if len(subjects) != 1 else ''}",
                body="\n".join(lines),
                url=reverse("accounts:notifications"),
            )
        )
    notifications_create(notifications=digests)
    notifications_enqueue_unsent()
    return len(digests)
