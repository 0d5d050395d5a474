"""What a session keeps about its sign-in: when it began (the 12-hour limit of
accounts.middleware.SessionLifetimeMiddleware counts from it), and whether a manager has still to
enter their authenticator code (IRO_REQUIRE_MANAGER_2FA)."""

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest

SIGNED_IN_AT = "signed_in_at"


def remember_sign_in_time(sender: object, request: HttpRequest | None, user: object, **kwargs: Any) -> None:
    """Receiver of django.contrib.auth's user_logged_in (connected in accounts/apps.py)."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


def two_factor_pending(user: Any) -> bool:  # (django_otp adds is_verified to the request's user)
    """A manager who must still enter a TOTP code this session (IRO_REQUIRE_MANAGER_2FA)."""
    return bool(
        settings.IRO_REQUIRE_MANAGER_2FA
        and user is not None
        and user.is_authenticated
        and user.is_manager
        and not user.is_verified()
    )
