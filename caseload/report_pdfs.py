"""The whole-report PDFs (the annual IRO report, the quarterly QA report) made in a Celery task:
what each kind renders, in stages that the task reports as it goes (caseload.services
.report_pdf_produce stores them on the ReportPDF row for the progress page).

Rendering is the shared renderer's (iro_service.pdf: templates, WeasyPrint, the safe URL
fetcher); this module only splits it into its slow parts: the figures, the layout of the pages,
and writing the file."""

from collections.abc import Callable
from typing import Any

from accounts.models import User
from audits.selectors import quarterly_qa_report
from iro_service.pdf import pdf_document

from .annual_report import report_context
from .models import ReportPDF, ReportPDFKind
from .statistics import scope_for

# (what it is doing, in words; how far it has got, in per cent)
Progress = Callable[[str, int], None]

FIGURES = ("Counting the figures", 10)
LAYOUT = ("Laying out the pages", 40)
WRITING = ("Writing the PDF", 80)
STORING = ("Storing the file", 95)

TEMPLATES = {ReportPDFKind.ANNUAL: "caseload/pdf/annual_report.html", ReportPDFKind.QA: "audits/pdf/qa_report.html"}


def report_pdf_context(report_pdf: ReportPDF) -> dict[str, Any]:
    """The figures the PDF shows, as the report's page showed them on the day it was asked for."""
    start, end = report_pdf.period_start, report_pdf.period_end
    if report_pdf.kind == ReportPDFKind.QA:
        return quarterly_qa_report(start=start, end=end)
    requested_by: User = report_pdf.requested_by
    scope = scope_for(user=requested_by, team=report_pdf.team, iro=report_pdf.iro)
    return report_context(start=start, end=end, scope=scope, today=report_pdf.asked_on)


def report_pdf_render(report_pdf: ReportPDF, progress: Progress) -> bytes:
    """The PDF's bytes, telling `progress` before each slow part."""
    progress(*FIGURES)
    context = report_pdf_context(report_pdf)
    progress(*LAYOUT)
    pages = pdf_document(TEMPLATES[ReportPDFKind(report_pdf.kind)], context).render()
    progress(*WRITING)
    pdf: bytes = pages.write_pdf()  # WeasyPrint's write_pdf is untyped
    return pdf
