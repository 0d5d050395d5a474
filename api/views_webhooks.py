"""Webhook subscriptions and their delivery log, each call needing the scope `webhooks:manage`.
A client sees and changes only its own subscriptions."""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import openapi_auth, webhooks  # noqa: F401 - openapi_auth registers the schema's authentication
from .models import ApiClient
from .scopes import Scope
from .serializers_webhooks import (
    DeliverySerializer,
    NewSubscriptionSerializer,
    Refusal,
    SubscriptionRequestSerializer,
    SubscriptionSerializer,
)

DELIVERIES_SHOWN = 100


def _client(request: Request) -> ApiClient:
    assert isinstance(request.auth, ApiClient)  # noqa: S101 - HasScope has let only a client through
    return request.auth


def _refused(error: ValidationError) -> Response:
    errors = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    return Response(
        {"detail": "The subscription was refused.", "errors": errors}, status=status.HTTP_422_UNPROCESSABLE_ENTITY
    )


class SubscriptionList(APIView):
    required_scopes: ClassVar[dict[str, Scope]] = {"GET": Scope.WEBHOOKS_MANAGE, "POST": Scope.WEBHOOKS_MANAGE}

    @extend_schema(
        operation_id="webhooks_list",
        summary="This client's webhook subscriptions",
        responses={200: SubscriptionSerializer(many=True)},
        tags=["webhooks"],
    )
    def get(self, request: Request) -> Response:
        subscriptions = webhooks.subscriptions_of(_client(request))
        return Response(SubscriptionSerializer(subscriptions, many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        summary="Subscribe a URL to events",
        description="The answer holds the signing secret, shown only this once.",
        request=SubscriptionRequestSerializer,
        responses={
            201: NewSubscriptionSerializer,
            400: OpenApiResponse(description="The body is not a URL and a list of events."),
            422: Refusal,
        },
        tags=["webhooks"],
    )
    def post(self, request: Request) -> Response:
        given = SubscriptionRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            new = webhooks.webhook_subscribe(client=_client(request), **given.validated_data)
        except ValidationError as error:
            return _refused(error)
        answer = NewSubscriptionSerializer(new.subscription).data
        answer["secret"] = new.secret
        return Response(answer, status=status.HTTP_201_CREATED)


class SubscriptionDetail(APIView):
    required_scopes: ClassVar[dict[str, Scope]] = {"GET": Scope.WEBHOOKS_MANAGE, "DELETE": Scope.WEBHOOKS_MANAGE}

    @extend_schema(
        operation_id="webhooks_retrieve",
        summary="One of this client's subscriptions",
        responses={200: SubscriptionSerializer, 404: OpenApiResponse(description="Not this client's.")},
        tags=["webhooks"],
    )
    def get(self, request: Request, pk: int) -> Response:
        subscription = get_object_or_404(webhooks.subscriptions_of(_client(request)), pk=pk)
        return Response(SubscriptionSerializer(subscription).data)

    @extend_schema(
        operation_id="webhooks_destroy",
        summary="Deactivate a subscription",
        description="Nothing more is sent to it; it stays, with its deliveries, in the log.",
        responses={204: None, 404: OpenApiResponse(description="Not this client's.")},
        tags=["webhooks"],
    )
    def delete(self, request: Request, pk: int) -> Response:
        subscription = get_object_or_404(webhooks.subscriptions_of(_client(request)), pk=pk)
        webhooks.webhook_unsubscribe(subscription=subscription)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveryList(APIView):
    required_scopes: ClassVar[dict[str, Scope]] = {"GET": Scope.WEBHOOKS_MANAGE}

    @extend_schema(
        operation_id="webhooks_deliveries_list",
        summary=f"This client's last {DELIVERIES_SHOWN} deliveries, newest first",
        responses={200: DeliverySerializer(many=True)},
        tags=["webhooks"],
    )
    def get(self, request: Request) -> Response:
        deliveries = webhooks.deliveries_of(_client(request))[:DELIVERIES_SHOWN]
        return Response(DeliverySerializer(deliveries, many=True).data)
