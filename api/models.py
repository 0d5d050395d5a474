"""API clients (a council's case system, not a person) and the answers kept for idempotent writes."""

from typing import Any

from django.conf import settings
from django.db import models

from .scopes import Scope


class ApiClient(models.Model):
    """A system that calls /api/v1/. Its secret is shown once when made and kept only as a hash.

    Each client acts through a user of its own (no role, no usable password: it cannot sign in
    to the screens), so the services' "recorded by" and the access log name the client.
    """

    name = models.CharField(max_length=100, unique=True, help_text="The system, e.g. 'Liquidlogic (children's)'.")
    # The public half of the credential: "<key_id>.<secret>". The key id finds the row; the
    # secret's SHA-256 is compared in constant time (the secret is 256 random bits, so a slow
    # password hash adds nothing).
    key_id = models.CharField(max_length=24, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list, help_text="Scopes this client may use.")
    allowed_networks = models.TextField(
        blank=True,
        help_text="Addresses or ranges (CIDR) the client may call from, one a line. Blank: any address.",
    )
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client")
    is_active = models.BooleanField(default=True, help_text="Untick to refuse every call at once.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    secret_rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "API client"

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: Scope | str) -> bool:
        return Scope(scope).value in self.scopes

    def networks(self) -> list[str]:
        return [line.strip() for line in self.allowed_networks.splitlines() if line.strip()]


class IdempotentRequest(models.Model):
    """The answer given to a write sent with an Idempotency-Key, replayed if the key comes again.

    The same key with a different body is refused (422), as the IETF draft asks. Kept for
    IRO_API_IDEMPOTENCY_HOURS (default 24) and then purged."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=7)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body: models.JSONField[Any, Any] = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="api_idempotency_key_once")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"


class WebhookSubscription(models.Model):
    """A client's URL to be told of events (api/webhooks.py). Its signing secret is shown once
    when made; HMAC needs the secret itself on our side, so it is kept as is (not hashed) and
    never shown again."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="webhook_subscriptions")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, help_text="Event types this subscription receives.")
    secret = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["is_active"], name="api_webhook_active")]

    def __str__(self) -> str:
        return f"{self.client} → {self.url}"


class WebhookEvent(models.Model):
    """Something that happened, as sent: ids and dates only, never what the child said. The
    event id is stable across retries, so a receiver can drop a repeat."""

    event_id = models.UUIDField(unique=True, editable=False)
    type = models.CharField(max_length=40)
    payload: models.JSONField[Any, Any] = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Waiting to retry"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Given up"


class WebhookDelivery(models.Model):
    """One event to one subscription: every attempt counted, the last answer kept."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="api_webhook_delivery_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="api_webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id} ({self.status})"
