"""`Authorization: Bearer <key_id>.<secret>`: the client, acting as its own user."""

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from accounts.audit import client_ip

from .models import ApiClient
from .services import address_allowed, api_client_for_token


class ClientAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiClient] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send 'Authorization: Bearer <key_id>.<secret>'.")
        try:
            token = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The credential is not readable.") from None
        client = api_client_for_token(token)
        if client is None:
            raise exceptions.AuthenticationFailed("Unknown or withdrawn credential.")
        if not address_allowed(client, client_ip(request._request)):
            raise exceptions.PermissionDenied("This client may not call from this address.")
        return client.user, client

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'
