"""The annual IRO report as a document: the seed report's sections, with every figure and
chart computed by `caseload.dashboard` and `caseload.statistics`, the managers' narrative for
that report year, and the definitions on the last page. Every figure is shown by its label in
words (`caseload.definitions.FIGURE_LABELS`), never by its JSON key."""

from datetime import date
from typing import Any

from django.utils import timezone
from weasyprint import HTML

from iro_service.pdf import document_settings, pdf_document, pdf_render

from .dashboard import Dashboard
from .definitions import CASELOAD_BASES, FIGURE_LABELS, MY_REVIEW_MEASURES, definitions
from .models import ReportNarrative
from .statistics import WHOLE_AUTHORITY, Scope

# The report page's tables: a caption and the figures' key paths, in order.
REPORT_SECTIONS: list[tuple[str, list[str]]] = [
    (
        "Children",
        [
            "looked_after.at_start",
            "looked_after.at_end",
            "looked_after.during",
            "looked_after.throughout",
            "looked_after.short_breaks_only",
        ],
    ),
    (
        "Reviews and timeliness",
        [
            "reviews.held",
            "reviews.first",
            "reviews.second",
            "reviews.subsequent",
            "reviews.on_clock",
            "reviews.in_timescale",
            "reviews.in_timescale_month_on_month_pct",
            "reviews.in_timescale_pct",
            "reviews.overdue_not_held",
            "reviews.children_all_in_time",
            "reviews.children_all_in_time_pct",
            "reviews.short_break_reviews_held",
        ],
    ),
    (
        "Participation",
        [
            "participation.participated",
            "participation.participated_pct",
            "participation.participated_pct_aged_4_plus",
            "participation.attended_no_view",
            *(f"participation.PN{n}" for n in range(8)),
        ],
    ),
    (
        "Participation: My review, the child's say before the review",
        [
            "my_review.held",
            *(f"my_review.{name}{suffix}" for name in MY_REVIEW_MEASURES for suffix in ("", "_pct")),
        ],
    ),
    (
        "Visits, parents, monitoring forms and documents",
        [
            "pre_review_visits_pct",
            "parents_participated_pct",
            "monitoring_forms.completed",
            "monitoring_forms.completed_pct",
            "documents.outcomes_on_time",
            "documents.outcomes_due",
            "documents.outcomes_on_time_pct",
            "documents.outcomes_not_yet_due",
            "documents.minutes_on_time",
            "documents.minutes_due",
            "documents.minutes_on_time_pct",
            "documents.minutes_not_yet_due",
        ],
    ),
    (
        "Caseload",
        ["caseload.iro_fte", "caseload.basis", "caseload.funded_posts", "caseload.children_per_fte"],
    ),
    (
        "Escalations",
        [
            "escalations.raised",
            "escalations.escalated_to_management",
            "escalations.resolved",
            "escalations.formal_dispute_resolution",
        ],
    ),
]


# More IROs than this and the caseload-per-IRO table leaves the body of the PDF for an appendix at
# its end (section 6 says where it is): at a whole authority's size it ran to several pages in the
# middle of the report.
CASELOAD_TABLE_IN_BODY_MAX_IROS = 50


def _value(figures: dict[str, Any], path: str) -> Any:
    value = figures
    for key in path.split("."):
        value = value[key]
    return value


def labelled_figures(figures: dict[str, Any]) -> list[tuple[str, list[tuple[str, object]]]]:
    """The report's figures as (caption, [(label in words, value)]) tables: no key is shown."""
    start = date.fromisoformat(figures["period"]["start"])
    end = date.fromisoformat(figures["period"]["end"])
    days = {
        "looked_after.at_start": f" ({start:%-d %B %Y})",
        "looked_after.at_end": f" ({end:%-d %B %Y}{', to date' if figures['period']['to_date'] else ''})",
    }
    sections = []
    for caption, paths in REPORT_SECTIONS:
        rows = []
        for path in paths:
            value = _value(figures, path)
            if path == "caseload.basis":
                value = CASELOAD_BASES[value]
            elif path == "caseload.funded_posts" and value is None:
                continue  # no funded posts set: nothing to show
            rows.append((FIGURE_LABELS[path] + days.get(path, ""), "–" if value is None else value))
        sections.append((caption, rows))
    return sections


def report_context(
    *, start: date, end: date, scope: Scope = WHOLE_AUTHORITY, today: date | None = None
) -> dict[str, Any]:
    dashboard = Dashboard(start=start, end=end, today=today or timezone.localdate(), scope=scope)
    panels = {panel.slug: panel for panel in dashboard.panels()}
    return {
        "start": start,
        "end": dashboard.end,
        "asked_end": end,
        "to_date": dashboard.period.to_date,
        "scope": scope,
        "figures": dashboard.report,
        "labelled": labelled_figures(dashboard.report),
        "labels": FIGURE_LABELS,
        "panels": panels,
        "caseload_in_appendix": len(panels["caseload"].rows) > CASELOAD_TABLE_IN_BODY_MAX_IROS,
        "narrative": ReportNarrative.objects.filter(period_start=start, period_end=end).first(),
        "definitions": definitions(),
        **document_settings(),
    }


def report_document(*, start: date, end: date, scope: Scope = WHOLE_AUTHORITY, today: date | None = None) -> HTML:
    """The report as WeasyPrint's HTML, to write as a PDF (or lay out into pages, as the tests do)."""
    return pdf_document(
        "caseload/pdf/annual_report.html", report_context(start=start, end=end, scope=scope, today=today)
    )


def render_report_pdf(*, start: date, end: date, scope: Scope = WHOLE_AUTHORITY, today: date | None = None) -> bytes:
    return pdf_render("caseload/pdf/annual_report.html", report_context(start=start, end=end, scope=scope, today=today))
