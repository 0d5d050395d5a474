"""The annual IRO report as a document: the seed report's sections, with every figure and
chart computed by `caseload.dashboard` and `caseload.statistics`, the managers' narrative for
that report year, and the definitions on the last page."""

from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from reviews.documents import DOCUMENT_BASE_URL, SafeURLFetcher, document_settings

from .dashboard import Dashboard
from .definitions import DEFINITIONS
from .models import ReportNarrative
from .statistics import WHOLE_AUTHORITY, Scope


def report_context(*, start: date, end: date, scope: Scope = WHOLE_AUTHORITY, today: date | None = None) -> dict:
    dashboard = Dashboard(start=start, end=end, today=today or timezone.localdate(), scope=scope)
    panels = {panel.slug: panel for panel in dashboard.panels()}
    return {
        "start": start,
        "end": end,
        "scope": scope,
        "figures": dashboard.report,
        "panels": panels,
        "narrative": ReportNarrative.objects.filter(period_start=start, period_end=end).first(),
        "definitions": DEFINITIONS,
        **document_settings(),
    }


def render_report_pdf(*, start: date, end: date, scope: Scope = WHOLE_AUTHORITY, today: date | None = None) -> bytes:
    html = render_to_string(
        "caseload/pdf/annual_report.html", report_context(start=start, end=end, scope=scope, today=today)
    )
    return HTML(string=html, base_url=DOCUMENT_BASE_URL, url_fetcher=SafeURLFetcher()).write_pdf()
