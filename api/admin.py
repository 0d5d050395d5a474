"""Managers register API clients here: the secret is shown once, on the page after saving."""

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import ApiClient, WebhookDelivery, WebhookSubscription
from .scopes import Scope
from .services import api_client_create, api_client_rotate_secret, networks_clean, scopes_clean


class ApiClientForm(forms.ModelForm[ApiClient]):
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = ApiClient
        fields = ["name", "scopes", "allowed_networks", "is_active"]

    def clean_scopes(self) -> list[str]:
        return scopes_clean(self.cleaned_data["scopes"])

    def clean_allowed_networks(self) -> str:
        try:
            return networks_clean(self.cleaned_data["allowed_networks"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["allowed_networks"]) from None


def _show_once(request: HttpRequest, client: ApiClient, token: str) -> None:
    messages.warning(
        request,
        f"The credential for {client.name} is: {token} — copy it now into the client's settings. "
        "It is shown only this once and cannot be seen again; if it is lost, rotate the secret.",
    )


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin[ApiClient]):
    form = ApiClientForm
    list_display = ["name", "key_id", "scope_list", "is_active", "created_at", "secret_rotated_at"]
    readonly_fields = ["key_id", "user", "created_at", "created_by", "secret_rotated_at"]
    actions = ["rotate_secret"]

    @admin.display(description="Scopes")
    def scope_list(self, obj: ApiClient) -> str:
        return ", ".join(obj.scopes)

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        credential = api_client_create(
            name=obj.name,
            scopes=obj.scopes,
            allowed_networks=obj.allowed_networks,
            is_active=obj.is_active,
            by=request.user if request.user.is_authenticated else None,
        )
        obj.pk = credential.client.pk
        _show_once(request, credential.client, credential.token)

    def has_delete_permission(self, request: HttpRequest, obj: ApiClient | None = None) -> bool:
        return False  # untick "active" instead: the access log names the client's user

    @admin.action(description="Rotate the secret (the old one stops working at once)")
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            _show_once(request, client, api_client_rotate_secret(client=client).token)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """A log: looked at, never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ReadOnlyAdmin):
    """Clients subscribe through the API (the secret is shown to them once, and never here)."""

    list_display = ["client", "url", "event_list", "is_active", "created_at"]
    list_filter = ["is_active", "client"]
    fields = ("client", "url", "events", "is_active", "created_at")

    @admin.display(description="Events")
    def event_list(self, obj: WebhookSubscription) -> str:
        return ", ".join(obj.events)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: each event to each subscription, its attempts and the last answer."""

    list_display = [
        "id",
        "event_type",
        "event_id",
        "subscription",
        "status",
        "attempts",
        "last_status_code",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event__type"]
    list_select_related = ["event", "subscription__client"]
    search_fields = ["event__event_id"]
    fields = (
        "event_id",
        "event_type",
        "payload",
        "subscription",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
    )
    readonly_fields = fields

    @admin.display(description="Event", ordering="event__type")
    def event_type(self, obj: WebhookDelivery) -> str:
        return obj.event.type

    @admin.display(description="Event id")
    def event_id(self, obj: WebhookDelivery) -> str:
        return str(obj.event.event_id)

    @admin.display(description="Body sent")
    def payload(self, obj: WebhookDelivery) -> str:
        return json.dumps(obj.event.payload, indent=2)
