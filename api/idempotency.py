"""Idempotent writes: a write sent with an `Idempotency-Key` header is done once per client and key.

The key is claimed (a row of api.IdempotentRequest) in the request's own transaction before the
write, and the answer is stored on that row before the transaction commits, so the key, the write
and the answer commit together or not at all. A second request with the same key and the same
body gets the stored answer again (`Idempotent-Replayed: true`); with a different body, or for
another path, it is refused (422), as the IETF draft "The Idempotency-Key HTTP Header Field" asks.

Two requests with one key at the same moment: the second one's claim waits on the unique
constraint (api_idempotency_key_once) until the first commits, then fails and replays the first's
answer; it never writes. A refused request (422) keeps no key, so the client may correct the
body and send it again with the same key.

Rows older than IRO_API_IDEMPOTENCY_HOURS are deleted by `manage.py purge_idempotency_keys`
(run it hourly from cron or the scheduler; README "API").
"""

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from .models import ApiClient, IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX_LENGTH = IdempotentRequest._meta.get_field("key").max_length or 255
PATH_MAX_LENGTH = IdempotentRequest._meta.get_field("path").max_length or 300

PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        f"Any unique string (a UUID), at most {KEY_MAX_LENGTH} characters. The same key with the same body within "
        f"IRO_API_IDEMPOTENCY_HOURS (default 24) gets the first answer again, with '{REPLAYED_HEADER}: true', and "
        "writes nothing; the same key with a different body is refused (422). A refused request keeps no key."
    ),
)

P = ParamSpec("P")
View = TypeVar("View")


def request_hash(*, method: str, path: str, body: bytes) -> str:
    """The request as the key binds it: method, path and the body (JSON compared by value, so key
    order and spacing do not matter)."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


def refused(key: str, rule: str) -> Response:
    """A refusal about the key itself, in the shape of every 422 (api.serializers_write.ProblemsSerializer)."""
    return Response(
        {"detail": "Nothing was written.", "problems": [{"field": HEADER, "value": key, "rule": rule}]},
        status=status.HTTP_422_UNPROCESSABLE_ENTITY,
    )


def replay(row: IdempotentRequest, *, key: str, method: str, path: str, digest: str) -> Response:
    """The stored answer for this key, or why the key cannot be used for this request."""
    if (row.method, row.path) != (method, path) or row.request_hash != digest:
        sent = timezone.localtime(row.created_at)
        return refused(
            key,
            f"This key was used at {sent:%H:%M on %d/%m/%Y} for {row.method} {row.path} with a different body; "
            "a key is for one request only. Send a new request with a new key.",
        )
    if not row.status_code:
        return Response(
            {"detail": "A request with this key is still being processed. Try again in a moment."},
            status=status.HTTP_409_CONFLICT,
        )
    response = Response(row.response_body, status=row.status_code)
    response[REPLAYED_HEADER] = "true"
    return response


def _claim(*, client: ApiClient, key: str, method: str, path: str, digest: str) -> IdempotentRequest | None:
    """The new row holding the key for this request, or None if the key is held already (waiting,
    on the unique constraint, for a request still writing with it to finish)."""
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                client=client, key=key, method=method, path=path, request_hash=digest, status_code=0
            )
    except IntegrityError:
        return None


def _answer_store(row: IdempotentRequest, response: Response) -> None:
    row.status_code = response.status_code
    row.response_body = response.data
    row.save(update_fields=["status_code", "response_body"])


def idempotent(
    handler: Callable[Concatenate[View, Request, P], Response],
) -> Callable[Concatenate[View, Request, P], Response]:
    """Wrap a write method of an APIView (which runs in the request's transaction: ATOMIC_REQUESTS)."""

    def wrapped(view: View, request: Request, /, *args: P.args, **kwargs: P.kwargs) -> Response:
        key = request.headers.get(HEADER)
        client = request.auth
        if key is None or not isinstance(client, ApiClient):
            return handler(view, request, *args, **kwargs)
        if not key.strip() or len(key) > KEY_MAX_LENGTH:
            return refused(key[:100], f"An {HEADER} is 1 to {KEY_MAX_LENGTH} characters (a UUID, say).")
        method, path = request.method or "", request.path[:PATH_MAX_LENGTH]
        digest = request_hash(method=method, path=path, body=request.body)
        savepoint = transaction.savepoint()
        row = _claim(client=client, key=key, method=method, path=path, digest=digest)
        if row is None:
            held = IdempotentRequest.objects.get(client=client, key=key)
            return replay(held, key=key, method=method, path=path, digest=digest)
        response = handler(view, request, *args, **kwargs)
        if status.is_success(response.status_code):
            _answer_store(row, response)
            transaction.savepoint_commit(savepoint)
        else:
            # Refused: nothing was written, and the key is free for the corrected request.
            transaction.savepoint_rollback(savepoint)
        return response

    wrapped.__doc__ = handler.__doc__
    return wrapped


@transaction.atomic
def idempotent_requests_purge(*, now: datetime | None = None) -> int:
    """Delete the answers kept longer than IRO_API_IDEMPOTENCY_HOURS; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.IRO_API_IDEMPOTENCY_HOURS)
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def with_idempotency(**schema: Any) -> dict[str, Any]:
    """extend_schema arguments for a write: the Idempotency-Key header added to its parameters."""
    return {**schema, "parameters": [*schema.get("parameters", []), PARAMETER]}
