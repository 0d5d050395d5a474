from django.conf import settings
from django.http import HttpRequest


def authority(request: HttpRequest) -> dict[str, str]:
    return {"authority_name": settings.AUTHORITY_NAME}
