from django.conf import settings
from django.http import HttpRequest

from .sign_in import two_factor_pending


def authority(request: HttpRequest) -> dict[str, str]:
    return {"authority_name": settings.IRO_AUTHORITY_NAME}


def unread_notifications(request: HttpRequest) -> dict[str, object]:
    """The unread count in the navigation bar (one query, only for signed-in users)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    unread = request.user.notifications.filter(read_at__isnull=True, withdrawn_at__isnull=True)
    return {"unread_notifications": unread.count()}


def two_factor(request: HttpRequest) -> dict[str, bool]:
    """Hide the menu from a manager who has still to enter their code: it leads nowhere yet."""
    return {"two_factor_pending": two_factor_pending(getattr(request, "user", None))}
