"""Every PDF the application makes (review documents, the annual report, the QA report) is
rendered here: a Django template, WeasyPrint, and a URL fetcher that fetches safely.

Safe rendering: the URL fetcher allows only `data:` URIs and the application's own static
files (read from disk through the staticfiles finders). No file://, no http(s), no
redirects: a hostile `<img src="file:///etc/passwd">` or CSS `url(http://...)` in a free-text
field (which is escaped anyway) fetches nothing.
"""

import mimetypes
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative links in the templates resolve against this base; only its /static/ part is served.
DOCUMENT_BASE_URL = "https://documents.invalid/"
_STATIC_BASE = DOCUMENT_BASE_URL + settings.STATIC_URL.lstrip("/")


class SafeURLFetcher(URLFetcher):
    """Fetches `data:` URIs and the application's own static files; refuses everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(_STATIC_BASE):
            relative = url[len(_STATIC_BASE) :].split("?", 1)[0].split("#", 1)[0]
            try:
                path = finders.find(relative)
            except SuspiciousFileOperation:
                path = None
            if path:
                content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, Path(path).read_bytes(), {"Content-Type": content_type})
        raise ValueError(f"Documents may not fetch {url[:80]!r}")


def document_settings() -> dict[str, Any]:
    """What every PDF draws from settings: the authority's name and logo."""
    return {"authority_name": settings.IRO_AUTHORITY_NAME, "logo": settings.IRO_AUTHORITY_LOGO}


def pdf_document(template: str, context: dict[str, Any]) -> HTML:
    """The template as WeasyPrint's document, the authority's name and logo added to its context:
    to write as a PDF, or to lay out into pages (as the tests do)."""
    html = render_to_string(template, {**document_settings(), **context})
    return HTML(string=html, base_url=DOCUMENT_BASE_URL, url_fetcher=SafeURLFetcher())


def pdf_render(template: str, context: dict[str, Any]) -> bytes:
    """The template as PDF bytes."""
    pdf: bytes = pdf_document(template, context).write_pdf()  # WeasyPrint's write_pdf is untyped
    return pdf
