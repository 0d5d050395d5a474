"""Every read or write of a child's record through the API writes an access-log row naming the
client (its user is the client's own, `ApiClient.user`)."""

from rest_framework.request import Request

from accounts.audit import access_log_write
from accounts.models import AccessAction, AccessLog


def api_access(
    request: Request, *, child_id: int | None, object_type: str, object_id: object = "", action: str = AccessAction.VIEW
) -> AccessLog:
    return access_log_write(
        request=request._request,
        action=action,
        child_id=child_id,
        object_type=f"api:{object_type}",
        object_id=object_id,
    )


def api_access_many(
    request: Request, *, rows: list[tuple[int | None, str, object]], action: str = AccessAction.VIEW
) -> None:
    """One row per (child_id, object_type, object_id) a list answer showed, in one statement."""
    if not rows:
        return
    first = access_log_write(
        request=request._request,
        action=action,
        child_id=rows[0][0],
        object_type=f"api:{rows[0][1]}",
        object_id=rows[0][2],
    )
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                user_id=first.user_id,
                child_id=child_id,
                action=action,
                object_type=f"api:{object_type}"[:100],
                object_id=str(object_id)[:40],
                path=first.path,
                method=first.method,
                ip_address=first.ip_address,
                user_agent=first.user_agent,
            )
            for child_id, object_type, object_id in rows[1:]
        ]
    )
