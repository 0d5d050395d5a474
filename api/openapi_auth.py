"""The schema's word for the API's authentication: `Authorization: Bearer <key_id>.<secret>`
(api/authentication.py), named "client" as SPECTACULAR_SETTINGS' security scheme is."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ClientAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "api.authentication.ClientAuthentication"
    name = "client"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "<key_id>.<secret>"}
