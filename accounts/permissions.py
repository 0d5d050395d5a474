"""Deny by default: a view names the roles that may use it."""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from .models import User
from .roles import Role

P = ParamSpec("P")
# What the view returns (a page, a redirect, a file): the decorators keep it.
Response = TypeVar("Response", bound=HttpResponseBase)


class AuthenticatedRequest(HttpRequest):
    """What a view behind `login_required` (or `role_required`) receives: a signed-in user, never
    the anonymous one. For type checking only; Django builds the request."""

    user: User
    # Set by a view that knows the child better than `audited`'s lookup (accounts.audit reads it).
    audit_child_id: int


# A view as Django calls it, and as written behind role_required.
View = Callable[Concatenate[HttpRequest, P], Response]
SignedInView = Callable[Concatenate[AuthenticatedRequest, P], Response]


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, where `login_required` has already turned the anonymous one away."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def role_required(*roles: Role) -> Callable[[SignedInView[P, Response]], View[P, Response]]:
    def decorator(view: SignedInView[P, Response]) -> View[P, Response]:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> Response:
            if not isinstance(request.user, User) or not any(request.user.has_role(role) for role in roles):
                raise PermissionDenied
            # login_required and the check above: the user is a signed-in User
            return view(cast(AuthenticatedRequest, request), *args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]  # mypy has no function attributes
        return wrapped

    return decorator
