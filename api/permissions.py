"""Each view says the scope it needs, per method: `required_scopes = {"GET": Scope.X, ...}`."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .models import ApiClient


class HasScope(BasePermission):
    message = "This client does not have the scope this call needs."

    def has_permission(self, request: Request, view: Any) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False
        needed = getattr(view, "required_scopes", {}).get(request.method)
        if needed is None:
            return False  # a method the view does not name is refused, never let through
        self.message = f"This client needs the scope '{needed}' for this call."
        return client.has_scope(needed)


class AnyClient(BasePermission):
    """The schema and its documentation: any active client, or a signed-in member of staff."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiClient) or bool(request.user and request.user.is_authenticated)
