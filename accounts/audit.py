"""The access log: who viewed, changed, downloaded or exported which child's record
(docs/architecture.md, "Access log and history").

Views that touch a child's record are wrapped in `audited`; it runs inside the request's
transaction (ATOMIC_REQUESTS wraps the decorated view), so the row and the work commit together,
and if the row cannot be written the work rolls back. Refusals (403, 404) are recorded by
`accounts.middleware.AuditRefusalsMiddleware`, after the refused request's transaction has
rolled back.
"""

from collections.abc import Callable
from functools import lru_cache, wraps
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import ResolverMatch

from .models import OBJECT_TYPE_MAX_LENGTH, AccessAction, AccessLog

# Views set request.audit_child_id when they know the child better than the decorator's lookup.
# It takes the URL's argument as its converter made it: an int for <int:pk>, a str for a token.
ChildOf = Callable[[Any], int | None]
P = ParamSpec("P")
R = TypeVar("R", bound=HttpRequest)
Response = TypeVar("Response", bound=HttpResponseBase)  # a page, a redirect, a file: kept as the view's


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    try:
        return tuple(ip_network(entry.strip(), strict=False) for entry in trusted if entry.strip())
    except ValueError as error:
        raise ImproperlyConfigured(f"IRO_TRUSTED_PROXIES: {error}") from error


def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        address = ip_address(text.strip())
    except ValueError:
        return None
    # "::ffff:10.0.0.1" is the IPv4 address 10.0.0.1 seen through an IPv6 socket.
    return getattr(address, "ipv4_mapped", None) or address


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, as far as it can be trusted (the access log's and
    django-axes' idea of the client: AXES_CLIENT_IP_CALLABLE).

    X-Forwarded-For is whatever the client wrote, plus one address appended by each proxy it
    went through. So it is read only when the request comes straight from a proxy listed in
    IRO_TRUSTED_PROXIES, and then from the right: the first address that is not itself a trusted
    proxy is the one the outermost trusted proxy saw, which no client can forge. Anything to its
    left is the client's own say-so and ignored.
    """
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    trusted = _networks(tuple(settings.IRO_TRUSTED_PROXIES))

    def is_trusted(address: IPv4Address | IPv6Address) -> bool:
        return any(address in network for network in trusted)

    client = remote
    if is_trusted(remote):
        for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            hop = _address(entry)
            if hop is None:
                break  # not an address a proxy writes: keep the last trusted hop
            client = hop
            if not is_trusted(hop):
                break
    return str(client)


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
        path=request.get_full_path().replace("\x00", "")[:300],
        method=(request.method or "")[:7],
        status_code=status_code,
        ip_address=client_ip(request),
        # PostgreSQL refuses NUL in text; a header can carry one (the dev server passes it on).
        user_agent=request.META.get("HTTP_USER_AGENT", "").replace("\x00", "")[:300],
    )


def audited(
    object_type: str, *, child_of: ChildOf | None = None, action: str | None = None, arg: str = "pk"
) -> Callable[[Callable[Concatenate[R, P], Response]], Callable[Concatenate[R, P], Response]]:
    """Record one access-log row for each successful request to the wrapped view.

    `object_type` names what the URL's `arg` identifies ("child", "review", ...); `child_of`
    turns that id into the child's id (the child itself when None). The action is `action` if
    given, else "change" for a POST that went on elsewhere (a redirect: it saved), and "view"
    otherwise: a GET, or a POST whose form came back with its errors (200) and saved nothing.
    """

    def decorator(view: Callable[Concatenate[R, P], Response]) -> Callable[Concatenate[R, P], Response]:
        @wraps(view)
        def wrapped(request: R, /, *args: P.args, **kwargs: P.kwargs) -> Response:
            response = view(request, *args, **kwargs)
            if response.status_code < 400:
                object_id = kwargs.get(arg)
                child_id = getattr(request, "audit_child_id", None)
                if child_id is None and object_id is not None:
                    child_id = child_of(object_id) if child_of else object_id
                saved = request.method == "POST" and 300 <= response.status_code < 400
                access_log_write(
                    request=request,
                    action=action or (AccessAction.CHANGE if saved else AccessAction.VIEW),
                    child_id=child_id,
                    object_type=object_type,
                    object_id=object_id if object_id is not None else "",
                    status_code=response.status_code,
                )
            return response

        # Read back by refused_child_id and caseload.access_log (mypy has no function attributes).
        wrapped.audited = True  # type: ignore[attr-defined]
        wrapped.audit_target = (object_type, child_of, arg)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def refused_child_id(match: ResolverMatch) -> int | None:
    """The child whose record a refused URL names (for that child's access log), or None.

    Asked only after the refused response is made, and it changes nothing in it: the refused
    user learns nothing from it. An id that names no record gives None (the row's child is a
    foreign key, so it must exist)."""
    from children.models import Child  # noqa: PLC0415 - children sits above accounts

    target = getattr(match.func, "audit_target", None)
    if target is None:
        return None
    _object_type, child_of, arg = target
    object_id = match.kwargs.get(arg)
    if object_id is None:
        return None
    child_id = child_of(object_id) if child_of else object_id
    if not isinstance(child_id, int):
        return None
    return child_id if Child.objects.filter(pk=child_id).exists() else None
