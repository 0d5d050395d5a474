"""A request budget per client (IRO_API_RATE, e.g. "600/min"), counted in the shared cache."""

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiClient


class ClientRateThrottle(SimpleRateThrottle):
    scope = "client"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        client = request.auth
        if not isinstance(client, ApiClient):
            return None  # refused before (no credential): nothing to count
        return self.cache_format % {"scope": self.scope, "ident": client.pk}

    def get_rate(self) -> str:
        # Read on each request (not at import, as DRF does), so a test or a deploy can change it.
        return str(settings.IRO_API_RATE)
