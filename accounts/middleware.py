"""Request-wide security rules: refusals are logged, signed-in pages are never
cached, every response carries a Permissions-Policy, and a session ends 12 hours after sign-in
however active it is (the 30-minute idle limit is the session cookie's age, renewed on every
request)."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .audit import access_log_write, refused_child_id
from .models import AccessAction
from .sign_in import SIGNED_IN_AT, two_factor_pending


class SessionLifetimeMiddleware:
    """Sign out a session older than SESSION_ABSOLUTE_SECONDS since sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is None or time.time() - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(f"{reverse('accounts:login')}?expired=1")
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing a signed-in user sees may be kept by the browser or a proxy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class PermissionsPolicyMiddleware:
    """Every response says which browser features no page may use (settings.PERMISSIONS_POLICY):
    Django's SecurityMiddleware has no setting for this header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class AuditRefusalsMiddleware:
    """Every refusal (403 or 404 to a signed-in user, and 409 for an edit refused because someone
    else saved first) gets an access-log row, written after the refused request's own
    transaction has rolled back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        # Only pages of the application: a 404 for an address that is no page (a browser's
        # /favicon.ico) refuses nothing.
        if response.status_code in (403, 404, 409) and match and user is not None and user.is_authenticated:
            access_log_write(
                request=request,
                action=AccessAction.REFUSED,
                # A refused look at a child's record shows in that child's access log.
                child_id=refused_child_id(match),
                object_type=match.view_name,
                object_id=next(iter(match.kwargs.values()), "") if match.kwargs else "",
                status_code=response.status_code,
            )
        return response


class TwoFactorRequiredMiddleware:
    """When IRO_REQUIRE_MANAGER_2FA is on, a manager reaches nothing but the two-factor page
    and sign-out until they have entered a code from their authenticator app this session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if two_factor_pending(getattr(request, "user", None)) and request.path not in (
            reverse("accounts:two_factor"),
            reverse("accounts:logout"),
        ):
            return redirect("accounts:two_factor")
        return self.get_response(request)
