"""Deny by default: a view names the roles that may use it."""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .models import User
from .roles import Role

P = ParamSpec("P")


class AuthenticatedRequest(HttpRequest):
    """What a view behind `login_required` (or `role_required`) receives: a signed-in user, never
    the anonymous one. For type checking only; Django builds the request."""

    user: User


# A view as Django calls it, and as written behind role_required.
View = Callable[Concatenate[HttpRequest, P], HttpResponse]
SignedInView = Callable[Concatenate[AuthenticatedRequest, P], HttpResponse]


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, where `login_required` has already turned the anonymous one away."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def role_required(*roles: Role) -> Callable[[SignedInView[P]], View[P]]:
    def decorator(view: SignedInView[P]) -> View[P]:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            if not isinstance(request.user, User) or not any(request.user.has_role(role) for role in roles):
                raise PermissionDenied
            # login_required and the check above: the user is a signed-in User
            return view(cast(AuthenticatedRequest, request), *args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]  # mypy has no function attributes
        return wrapped

    return decorator
