"""The access log: who viewed, changed, downloaded or exported which child's record (issue #9).

Views that touch a child's record are wrapped in `audited`; it runs inside the request's
transaction (ATOMIC_REQUESTS wraps the decorated view), so the row and the work commit together,
and if the row cannot be written the work rolls back. Refusals (403, 404) are recorded by
`accounts.middleware.AuditRefusalsMiddleware`, after the refused request's transaction has
rolled back.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

from .models import OBJECT_TYPE_MAX_LENGTH, AccessAction, AccessLog

# Views set request.audit_child_id when they know the child better than the decorator's lookup.
ChildOf = Callable[[int], int | None]


def client_ip(request: HttpRequest) -> str | None:
    # Behind the proxy (docker-compose), Django sees the proxy; production sets
    # SECURE_PROXY_SSL_HEADER and the proxy overwrites X-Forwarded-For with the client's address.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    address = forwarded.split(",")[-1].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return address or None


def command_log_write(*, action: str, object_type: str, object_id: object = "", command: str = "") -> AccessLog:
    """A row for what a management command read or wrote in bulk (no signed-in user: the
    operator on the server, whose shell history and the server's own logs say who)."""
    return AccessLog.objects.create(
        action=action, object_type=object_type, object_id=str(object_id)[:40], path=command[:300], method="CLI"
    )


def access_log_write(
    *,
    request: HttpRequest,
    action: str,
    child_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    status_code: int | None = None,
) -> AccessLog:
    user = getattr(request, "user", None)
    return AccessLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        child_id=child_id,
        action=action,
        object_type=object_type[:OBJECT_TYPE_MAX_LENGTH],
        object_id=str(object_id)[:40],
        path=request.get_full_path()[:300],
        method=request.method[:7],
        status_code=status_code,
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


def audited(object_type: str, *, child_of: ChildOf | None = None, action: str | None = None, arg: str = "pk"):
    """Record one access-log row for each successful request to the wrapped view.

    `object_type` names what the URL's `arg` identifies ("child", "review", ...); `child_of`
    turns that id into the child's id (the child itself when None). The action is `action` if
    given, else "change" for a POST and "view" otherwise.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if response.status_code < 400:
                object_id = kwargs.get(arg)
                child_id = getattr(request, "audit_child_id", None)
                if child_id is None and object_id is not None:
                    child_id = child_of(object_id) if child_of else object_id
                access_log_write(
                    request=request,
                    action=action or (AccessAction.CHANGE if request.method == "POST" else AccessAction.VIEW),
                    child_id=child_id,
                    object_type=object_type,
                    object_id=object_id if object_id is not None else "",
                    status_code=response.status_code,
                )
            return response

        wrapped.audited = True
        return wrapped

    return decorator
