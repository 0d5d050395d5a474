"""Error pages in the site's layout: the menu (for a signed-in person), a plain explanation and a
way back, never Django's bare pages (templates/400.html, 403.html, 403_csrf.html, 404.html, 500.html).

Django renders 403 and 404 with the request already (so the menu shows); these views do the same for
400, 500 and a failed CSRF check, which Django renders without it. A page that cannot be drawn with
the request (the database is what failed, say) is drawn without it: never a second error.
"""

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)


def _render(
    request: HttpRequest, template_name: str, status: int, context: dict[str, Any] | None = None
) -> HttpResponse:
    template = loader.get_template(template_name)
    try:
        body = template.render(context or {}, request)
    except Exception:  # an error page must always answer
        logger.exception("The %s page could not be drawn with the request; drawn without it.", status)
        body = template.render({**(context or {}), "authority_name": settings.IRO_AUTHORITY_NAME})
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "400.html", 400)


def server_error(request: HttpRequest) -> HttpResponse:
    return _render(request, "500.html", 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form was sent without its security token, or with an old one (often: signed out since,
    or the page was open a long time). The person is told what to do; the reason is logged."""
    logger.warning("CSRF check failed on %s: %s", request.path, reason)
    return _render(request, "403_csrf.html", 403)
