"""The schema's word for the API's authentication: `Authorization: Bearer <key_id>.<secret>`
(api/authentication.py), named "client" as SPECTACULAR_SETTINGS' security scheme is."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ClientAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "api.authentication.ClientAuthentication"
    name = "client"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "<key_id>.<secret>"}

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[Any]]]:
        return []  # SPECTACULAR_SETTINGS["SECURITY"] names it for every operation already


# The answers any operation can give before or beside its own (DRF's own refusals): documented on
# every operation that does not document them itself, so that a client, and the contract tests,
# know every status the API can send.
COMMON_ERRORS = {
    "400": "The request could not be read: its JSON, a parameter, or a field (each named).",
    "401": "No credential, or one unknown or withdrawn.",
    "403": "The client lacks the scope this call needs, or calls from an address it may not use.",
    "404": "No such record (or not this client's).",
    "405": "Not a method this address answers.",
    "415": "The body is not JSON.",
    "429": "Over the client's request budget: wait for Retry-After seconds.",
}
REQUEST_ERROR = {
    "type": "object",
    "description": "`detail` says what is wrong; a refused field is named as a key, with its messages.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}


def common_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    result.setdefault("components", {}).setdefault("schemas", {})["RequestError"] = REQUEST_ERROR
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/RequestError"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in COMMON_ERRORS.items():
                responses.setdefault(status, {"description": description, "content": reference})
    return result
