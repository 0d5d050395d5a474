"""Notifications (created once, delivered once) and a manager's authenticator app."""

import logging
from collections.abc import Iterable
from datetime import date, timedelta
from enum import Enum
from smtplib import SMTPRecipientsRefused, SMTPResponseException
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import DurationField, F, Q, Value
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from iro_service.queue import task_send

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


def notifications_send_now(*, notifications: list[Notification]) -> list[Notification]:
    """Save notifications that cannot wait for the sweep (a child saying they do not feel safe)
    and hand them to the broker once the caller's transaction commits: the rows are written in
    that transaction, so if it rolls back no notification exists and nothing is queued. Marked
    queued now, so the sweep does not queue them again within the lease; delivery is the same
    claim, send, mark as every reminder's."""
    now = timezone.now()
    for notification in notifications:
        notification.queued_at, notification.queued_count = now, 1
        notification.save()
    ids = [notification.pk for notification in notifications]
    if ids:
        transaction.on_commit(lambda: _publish(ids))
    return notifications


# How long a claim or a queued message is trusted before another may be made: longer than any
# delivery takes (an SMTP exchange is seconds), short enough that a lost one is soon replaced.
DEFAULT_LEASE = timedelta(minutes=10)
# The hard bound: a notification is never handed to the mail server more than this many times.
SEND_ATTEMPTS_BOUND = 2
# A sweep hands at most this many notifications to the broker; the rest wait for the next sweep.
DEFAULT_PUBLISH_LIMIT = 10_000
# One broker message carries this many notifications (a sweep at national scale queues tens of
# thousands); the worker delivers them one by one, each with its own claim.
DEFAULT_BATCH_SIZE = 100
# A notification still unsent is queued again after the lease, then 2, 4, ... 64 leases.
REQUEUE_BACKOFF_MAX_DOUBLINGS = 6


def _lease() -> timedelta:
    return getattr(settings, "IRO_NOTIFICATION_LEASE", DEFAULT_LEASE)


def _publish_limit() -> int:
    return getattr(settings, "IRO_NOTIFICATION_PUBLISH_LIMIT", DEFAULT_PUBLISH_LIMIT)


def notifications_enqueue_unsent() -> int:
    """Mark the unsent notifications that have no message in the broker as queued; publish them after commit.

    One UPDATE ... RETURNING chooses them (a fixed number of queries whatever the number of rows):
    never queued, or queued longer ago than the lease (doubling with each publication, up to 64
    leases), and not being sent or given up. So a sweep with no worker, or a broker that lost its
    messages, adds at most one message per notification per lease, and ever fewer as it goes
    on; at most `IRO_NOTIFICATION_PUBLISH_LIMIT` per sweep. Publishing happens after commit; if
    the broker cannot be reached, what was not published is marked unqueued again so the next
    sweep asks for it. Returns how many were chosen.
    """
    lease = _lease()
    limit = _publish_limit()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE accounts_notification SET queued_at = now(), queued_count = queued_count + 1
                WHERE id IN (
                    SELECT id FROM accounts_notification
                    WHERE sent_at IS NULL AND failed_at IS NULL AND withdrawn_at IS NULL
                      AND (sending_since IS NULL OR sending_since < now() - %(lease)s)
                      AND (queued_at IS NULL
                           OR queued_at < now() - %(lease)s * power(2, LEAST(GREATEST(queued_count - 1, 0), %(cap)s)))
                    ORDER BY id
                    LIMIT %(limit)s
                    FOR UPDATE SKIP LOCKED
                )
                RETURNING id
                """,
                # psycopg adapts a timedelta to an interval; django-stubs' SQL parameter type omits it.
                {"lease": lease, "cap": REQUEUE_BACKOFF_MAX_DOUBLINGS, "limit": limit},  # type: ignore[dict-item]
            )
            ids = sorted(row[0] for row in cursor.fetchall())
    else:  # the SQLite of `make run`: the same rule, in Python
        now = timezone.now()
        candidates = Notification.objects.filter(sent_at=None, failed_at=None, withdrawn_at=None).order_by("pk")
        ids = [
            pk
            for pk, sending_since, queued_at, queued_count in candidates.values_list(
                "pk", "sending_since", "queued_at", "queued_count"
            )
            if (sending_since is None or sending_since < now - lease)
            and (
                queued_at is None
                or queued_at < now - lease * 2 ** min(max(queued_count - 1, 0), REQUEUE_BACKOFF_MAX_DOUBLINGS)
            )
        ][:limit]
        Notification.objects.filter(pk__in=ids).update(queued_at=now, queued_count=F("queued_count") + 1)
    if ids:
        transaction.on_commit(lambda: _publish(ids))
    return len(ids)


def _batch_size() -> int:
    return max(1, getattr(settings, "IRO_NOTIFICATION_BATCH_SIZE", DEFAULT_BATCH_SIZE))


def _publish(ids: list[int]) -> None:
    """Hand the notifications to the broker in batches (one message per batch); at the first
    failure stop, and unqueue the rest."""
    size = _batch_size()
    for position in range(0, len(ids), size):
        try:
            task_send("accounts.tasks.deliver_notifications", ids[position : position + size])
        except Exception:  # the broker is down: each further try would wait as long for nothing
            unpublished = ids[position:]
            logger.exception(
                "Could not queue %s notification(s) for delivery; the next sweep asks again", len(unpublished)
            )
            try:
                Notification.objects.filter(pk__in=unpublished, sent_at=None).update(
                    queued_at=None, queued_count=F("queued_count") - 1
                )
            except Exception:  # then they are queued again when their lease runs out
                logger.exception("Could not mark %s notification(s) as not queued", len(unpublished))
            return


def notification_message_id(notification: Notification) -> str:
    """The same Message-ID every time this notification is emailed, so a mail system drops a resend."""
    domain = urlsplit(settings.IRO_SITE_URL).hostname or "iro-service.invalid"
    return f"<notification-{notification.pk}.{int(notification.created_at.timestamp() * 1_000_000)}@{domain}>"


def _claimable() -> Q:
    return Q(sending_since=None) | Q(sending_since__lt=Now() - Value(_lease(), output_field=DurationField()))


def notification_claim(*, notification_id: int) -> Notification | None:
    """Claim the notification for sending, in its own committed transaction; None if it is not to be sent.

    A claim is refused while another's is live (not older than the lease), once the notification
    is sent or given up, and after `SEND_ATTEMPTS_BOUND` counted claims: then, once the last
    claim's lease has run out without it being marked sent, it is given up (`failed_at`) and
    logged as an error for a person to check, never emailed again.
    """
    unsent = Notification.objects.filter(pk=notification_id, sent_at=None, failed_at=None, withdrawn_at=None)
    with transaction.atomic():
        claimed = (
            unsent.filter(_claimable(), send_attempts__lt=SEND_ATTEMPTS_BOUND).update(
                sending_since=Now(), send_attempts=F("send_attempts") + 1
            )
            == 1
        )
    if claimed:
        return Notification.objects.select_related("recipient").get(pk=notification_id)
    with transaction.atomic():
        given_up = unsent.filter(_claimable(), send_attempts__gte=SEND_ATTEMPTS_BOUND).update(failed_at=Now()) == 1
    if given_up:
        logger.error(
            "Notification %s was claimed %s times and never marked sent (a worker died after sending?): "
            "not emailing it again",
            notification_id,
            SEND_ATTEMPTS_BOUND,
        )
    return None


# The mail server answered with a refusal (or was never reached): the message was not accepted.
_REFUSED = (SMTPResponseException, SMTPRecipientsRefused)


def notification_deliver(*, notification_id: int) -> bool:
    """Email one notification unless it was sent, is being sent, or was given up. Returns whether it sent now.

    Three transactions, never one held open while sending: claim (committed), send with the
    notification's own Message-ID, mark sent. Must be called outside a transaction (a task is).
    If the send fails before the mail server could have accepted the message (no connection, or
    the server refused it), the claim is withdrawn and does not count, and the task's retry sends
    it. Any other failure (the connection dropped mid-message, a time-out) may have delivered it:
    the claim still counts, so at most one more attempt is made. A worker that dies after
    sending leaves its claim to expire: at most one more, after the lease.
    """
    notification = notification_claim(notification_id=notification_id)
    if notification is None:
        return False
    recipient = notification.recipient
    if recipient.email and recipient.is_active:
        mail_connection = get_connection()
        try:
            mail_connection.open()
        except Exception:  # not even connected: nothing can have been sent
            _release(notification, counted=False)
            raise
        try:
            mail_connection.send_messages([_email(notification)])
        except _REFUSED:
            _release(notification, counted=False)
            raise
        except Exception:
            _release(notification, counted=True)
            raise
        finally:
            _close(mail_connection)
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk, sent_at=None).update(sent_at=Now(), sending_since=None)
    return True


def _email(notification: Notification) -> EmailMessage:
    link = f"{settings.IRO_SITE_URL}{notification.url}" if notification.url else settings.IRO_SITE_URL
    return EmailMessage(
        subject=f"[IRO service] {notification.subject}",
        body=f"{notification.body}\n\n{link}\n".lstrip(),
        to=[notification.recipient.email],
        headers={"Message-ID": notification_message_id(notification)},
    )


def _close(mail_connection: BaseEmailBackend) -> None:
    try:
        mail_connection.close()
    except Exception:  # the message was handed over (or its own error is being raised): do not mask that
        logger.warning("Closing the mail connection failed", exc_info=True)


def _release(notification: Notification, *, counted: bool) -> None:
    """Withdraw this worker's claim (only if it is still this worker's) so a retry may claim it at once."""
    changes: dict[str, Any] = {"sending_since": None}
    if not counted:
        changes["send_attempts"] = F("send_attempts") - 1
    try:
        with transaction.atomic():
            Notification.objects.filter(
                pk=notification.pk, sent_at=None, sending_since=notification.sending_since
            ).update(**changes)
    except Exception:  # the claim then runs out with its lease
        logger.exception("Could not withdraw the claim on notification %s", notification.pk)


def notifications_withdraw(*, object_keys: Iterable[str]) -> int:
    """The reminders about these objects (e.g. "review:123") are no longer needed: those not yet
    sent are withdrawn, so no sweep queues them and no delivery claims them (both check
    `withdrawn_at` in the same statement that picks a row). An email a worker had already
    claimed before this commits may still go out. Returns how many were withdrawn."""
    keys = list(object_keys)
    if not keys:
        return 0
    return Notification.objects.filter(object_key__in=keys, sent_at=None, failed_at=None, withdrawn_at=None).update(
        withdrawn_at=Now()
    )


def notifications_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


DIGEST_LINES = 20


@transaction.atomic
def daily_digest_create(*, today: date) -> int:
    """One digest a day for each person with unread reminders: what is waiting for them."""
    unread = (
        Notification.objects.filter(read_at__isnull=True, withdrawn_at__isnull=True)
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


# --- Two-factor sign-in (IRO_REQUIRE_MANAGER_2FA) -----------------------------------------------


@transaction.atomic
def totp_device_for(*, user: User) -> TOTPDevice:
    """The user's authenticator app: the confirmed device, else the one being set up (made now
    if there is none, so the QR code stays the same until a code from it is entered)."""
    devices = TOTPDevice.objects.select_for_update().filter(user=user)
    device = devices.filter(confirmed=True).first() or devices.filter(confirmed=False).first()
    if device is None:
        device = TOTPDevice(user=user, name="Authenticator app", confirmed=False)
        device.full_clean()
        device.save()
    return device


class TokenCheck(Enum):
    RIGHT = "right"
    WRONG = "wrong"
    THROTTLED = "throttled"


@transaction.atomic
def totp_token_check(*, device: TOTPDevice, token: str) -> TokenCheck:
    """Check a code from the app. A right code confirms a device being set up; a wrong one
    counts towards django-otp's throttle (which is why this reports rather than raises: raising
    would roll the count back)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    allowed, _why = device.verify_is_allowed()
    if not allowed:
        return TokenCheck.THROTTLED
    if not device.verify_token(token.strip()):
        return TokenCheck.WRONG
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return TokenCheck.RIGHT
