"""Webhooks: events written in the transaction that made them, delivered after it commits.

A service that changes something a client may subscribe to calls `events_emit` once, in its own
transaction: one query finds the active subscriptions that want the event; only if there are any
is the payload built and the event and its deliveries written (two more). The delivery tasks are
queued with `transaction.on_commit`, so an event of a transaction that rolls back is never written
nor sent.

Delivery (`webhook_deliver`) follows the house rule for side effects (docs/architecture.md): claim
the delivery in its own committed transaction, POST with the event's stable id (a receiver drops a
repeat by `X-IRO-Event-Id`), then record the answer. A failed attempt is retried with back-off
(`RETRY_DELAYS`); a worker that dies mid-send leaves a claim that runs out after `LEASE`, and the
sweep queues it again: at least once, never "do, then commit" alone.

The body holds ids, dates and codes only: never a name, and never the child's words.
"""

import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from iro_service.queue import task_send

from .models import ApiClient, DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription

if TYPE_CHECKING:
    from audits.models import Escalation
    from reviews.models import Document, Review

logger = logging.getLogger(__name__)

DELIVER_TASK = "api.tasks.deliver_webhook"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a marker that says what the secret is for
TIMEOUT_SECONDS = 5
# After the 1st, 2nd, ... failed attempt, wait this long; after the last, give up (6 attempts in all).
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A claim older than this is taken to belong to a worker that died mid-send.
LEASE = timedelta(minutes=5)


class EventType:
    REVIEW_BOOKED = "review.booked"
    REVIEW_HELD = "review.held"
    OUTCOMES_ISSUED = "outcomes.issued"
    MINUTES_ISSUED = "minutes.issued"
    ESCALATION_RAISED = "escalation.raised"

    ALL = (REVIEW_BOOKED, REVIEW_HELD, OUTCOMES_ISSUED, MINUTES_ISSUED, ESCALATION_RAISED)
    # Every issued version of these documents (reviews.codes.DocumentKind) is an event.
    ISSUED: ClassVar[dict[str, str]] = {"outcomes": OUTCOMES_ISSUED, "minutes": MINUTES_ISSUED}


# --- Emitting -------------------------------------------------------------------------------


def events_emit(event_type: str, payload: Callable[[], Mapping[str, Any]]) -> WebhookEvent | None:
    """Write the event and a delivery for each active subscription that wants it, in the caller's
    transaction; queue the deliveries once it commits. `payload` is called only if someone
    subscribes (so a service pays one query when no one does). Returns the event, or None."""
    if event_type not in EventType.ALL:
        raise ValueError(f"{event_type} is not an event type")
    subscription_ids = list(
        WebhookSubscription.objects.filter(
            is_active=True, client__is_active=True, events__contains=[event_type]
        ).values_list("pk", flat=True)
    )
    if not subscription_ids:
        return None
    event_id = uuid.uuid4()
    body = {
        "event_id": str(event_id),
        "type": event_type,
        "occurred_at": timezone.now().isoformat(),
        "data": dict(payload()),
    }
    event = WebhookEvent.objects.create(
        event_id=event_id, type=event_type, payload=json.loads(json.dumps(body, cls=DjangoJSONEncoder))
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(event=event, subscription_id=pk) for pk in subscription_ids]
    )
    for delivery in deliveries:
        # robust: a broker that is down must not undo the IRO's save; the sweep sends it later.
        transaction.on_commit(_queue(delivery.pk), robust=True)
    return event


def _queue(delivery_id: int) -> Callable[[], None]:
    return lambda: task_send(DELIVER_TASK, delivery_id)


def _child(child: Any) -> dict[str, Any]:
    return {"id": child.pk, "child_id": child.local_id}  # child_id: the SSDA903 CHILD field


def review_payload(review: "Review") -> Callable[[], dict[str, Any]]:
    """The review's ids and dates (not its record: the chair's notes hold the child's words)."""

    def build() -> dict[str, Any]:
        return {
            "child": _child(review.child),
            "review": {
                "id": review.pk,
                "sequence": review.sequence,
                "due_date": review.due_date,
                "booked_for": review.booked_for,
                "held_on": review.held_on,
                "status": review.status,
            },
        }

    return build


def document_payload(document: "Document") -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        data = review_payload(document.review)()
        data["document"] = {
            "id": document.pk,
            "kind": document.kind,
            "version": document.version,
            "issued_on": document.issued_on,
        }
        return data

    return build


def escalation_payload(escalation: "Escalation") -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        return {
            "child": _child(escalation.child),
            "escalation": {
                "id": escalation.pk,
                "review_id": escalation.review_id,
                "stage": escalation.stage,
                "raised_on": escalation.raised_on,
                "stage_deadline": escalation.stage_deadline,
            },
        }

    return build


# --- Subscriptions --------------------------------------------------------------------------


@dataclass(frozen=True)
class NewSubscription:
    subscription: WebhookSubscription
    secret: str  # shown once, in the answer to the POST


def url_clean(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": "The URL must start with http:// or https:// and name a host."})
    return url


def events_clean(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EventType.ALL))
    if unknown or not events:
        raise ValidationError(
            {"events": f"Name one or more of {', '.join(EventType.ALL)}; not {', '.join(unknown) or 'none'}."}
        )
    return sorted(set(events))


@transaction.atomic
def webhook_subscribe(*, client: ApiClient, url: str, events: list[str]) -> NewSubscription:
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    subscription = WebhookSubscription(client=client, url=url_clean(url), events=events_clean(events), secret=secret)
    subscription.full_clean()
    subscription.save()
    return NewSubscription(subscription=subscription, secret=secret)


@transaction.atomic
def webhook_unsubscribe(*, subscription: WebhookSubscription) -> WebhookSubscription:
    """Deactivate (kept, with its deliveries, for the log): nothing more is sent to it."""
    subscription.is_active = False
    subscription.save(update_fields=["is_active"])
    return subscription


def subscriptions_of(client: ApiClient) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.filter(client=client)


def deliveries_of(client: ApiClient) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(subscription__client=client).select_related("event").order_by("-id")


# --- Delivering -----------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256, keyed with the subscription's secret, of
    `<timestamp>.<body>` (the README shows a receiver checking it)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _claimable() -> Q:
    return Q(sending_since=None) | Q(sending_since__lt=timezone.now() - LEASE)


def _claim(delivery_id: int) -> WebhookDelivery | None:
    with transaction.atomic():
        now = timezone.now()
        claimed = (
            WebhookDelivery.objects.filter(
                _claimable(),
                pk=delivery_id,
                status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.SENDING],
            ).update(status=DeliveryStatus.SENDING, sending_since=now, attempts=F("attempts") + 1)
            == 1
        )
        if not claimed:
            return None
        return WebhookDelivery.objects.select_related("event", "subscription").get(pk=delivery_id)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is answered as the 3xx it is: a failed attempt


_opener = urllib.request.build_opener(_NoRedirects)


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = json.dumps(delivery.event.payload, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - the URL's scheme is checked (http/https) when subscribing
        delivery.subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "IRO-service-webhooks/1",
            "X-IRO-Event-Id": str(delivery.event.event_id),
            "X-IRO-Event-Type": delivery.event.type,
            "X-IRO-Timestamp": timestamp,
            "X-IRO-Signature": signature(delivery.subscription.secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code} {error.reason}"[:300]
    except (OSError, ValueError) as error:  # refused, timed out, unreadable URL
        return None, f"{type(error).__name__}: {error}"[:300]


@dataclass(frozen=True)
class Attempt:
    delivered: bool
    retry_in: timedelta | None  # when the task should try again; None: done or given up


def webhook_deliver(*, delivery_id: int) -> Attempt | None:
    """One attempt: claim, POST, record. None if there was nothing to do (delivered, given up,
    or another worker's live claim). Must be called outside a transaction (a task is)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    if not delivery.subscription.is_active:
        _record(delivery, status=DeliveryStatus.FAILED, code=None, error="The subscription was deactivated.")
        return Attempt(delivered=False, retry_in=None)
    code, error = _post(delivery)
    if code is not None and 200 <= code < 300:
        _record(delivery, status=DeliveryStatus.DELIVERED, code=code, error="")
        return Attempt(delivered=True, retry_in=None)
    if delivery.attempts >= MAX_ATTEMPTS:
        _record(delivery, status=DeliveryStatus.FAILED, code=code, error=error)
        return Attempt(delivered=False, retry_in=None)
    retry_in = RETRY_DELAYS[delivery.attempts - 1]
    _record(delivery, status=DeliveryStatus.RETRYING, code=code, error=error, retry_in=retry_in)
    return Attempt(delivered=False, retry_in=retry_in)


def _record(
    delivery: WebhookDelivery, *, status: str, code: int | None, error: str, retry_in: timedelta | None = None
) -> None:
    now = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk, sending_since=delivery.sending_since).update(
            status=status,
            last_status_code=code,
            last_error=error,
            last_attempt_at=now,
            next_attempt_at=now + retry_in if retry_in else None,
            delivered_at=now if status == DeliveryStatus.DELIVERED else None,
            sending_since=None,
        )


def webhook_deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Deliveries a lost message or a dead worker left behind: pending for over a minute, due for
    a retry, or claimed longer ago than the lease. The sweep queues them again (a second message
    for one already queued does nothing: the first claim wins)."""
    now = now or timezone.now()
    stale = now - LEASE
    due = (
        Q(status=DeliveryStatus.PENDING, event__created_at__lt=now - timedelta(minutes=1))
        | Q(status=DeliveryStatus.RETRYING, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.SENDING, sending_since__lt=stale)
    )
    return list(WebhookDelivery.objects.filter(due).order_by("id").values_list("pk", flat=True)[:limit])
