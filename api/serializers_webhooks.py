"""What the webhook endpoints read and answer (api/views_webhooks.py)."""

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from .models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from .webhooks import EventType


class SubscriptionRequestSerializer(serializers.Serializer[Any]):
    # A plain string: the service says why a URL is refused (422), e.g. one that is not http(s).
    url = serializers.CharField(max_length=500, help_text="Where to POST events: an http:// or https:// URL.")
    events = serializers.ListField(
        child=serializers.CharField(max_length=40),
        allow_empty=False,
        help_text=f"One or more of: {', '.join(EventType.ALL)}.",
    )


class SubscriptionSerializer(serializers.ModelSerializer[WebhookSubscription]):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.ALL))

    class Meta:
        model = WebhookSubscription
        fields: tuple[str, ...] = ("id", "url", "events", "is_active", "created_at")
        read_only_fields: tuple[str, ...] = fields


class NewSubscriptionSerializer(SubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The key for checking X-IRO-Signature. Shown only in this answer: keep it now.",
    )

    class Meta(SubscriptionSerializer.Meta):
        fields = (*SubscriptionSerializer.Meta.fields, "secret")
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    event_id = serializers.UUIDField(source="event.event_id", read_only=True)
    # A plain string here: the event types are listed once in the schema, as a subscription's `events`.
    event_type = serializers.CharField(source="event.type", read_only=True, help_text="The event's type.")
    subscription = serializers.IntegerField(source="subscription_id", read_only=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "event_id",
            "event_type",
            "subscription",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
        )
        read_only_fields = fields


# A 422: what was refused and why, by field. ("errors" is a Serializer's own attribute, so the
# shape is declared inline.)
Refusal = inline_serializer(
    name="WebhookRefusal",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    },
)
