"""Writes for the read side: the annual report's narrative (the figures are computed, never stored),
and the report PDFs asked for and made in the background."""

import hashlib
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Team, User
from iro_service.queue import task_send_on_commit

from .models import (
    NARRATIVE_SECTIONS,
    REPORT_PDF_IN_FLIGHT,
    ReportNarrative,
    ReportPDF,
    ReportPDFKind,
    ReportPDFState,
)
from .statistics import scope_for


@transaction.atomic
def report_narrative_save(*, start: date, end: date, sections: dict[str, str], updated_by: User) -> ReportNarrative:
    """The managers' narrative for the report of [start, end]: made the first time, then changed.
    Only the narrative's sections are written; the row is locked so two saves apply in turn."""
    unknown = set(sections) - set(NARRATIVE_SECTIONS)
    if unknown:
        raise ValueError(f"not sections of the report's narrative: {sorted(unknown)}")
    narrative = ReportNarrative.objects.select_for_update().filter(
        period_start=start, period_end=end
    ).first() or ReportNarrative(period_start=start, period_end=end)
    for name, text in sections.items():
        setattr(narrative, name, text)
    narrative.updated_by = updated_by
    narrative.full_clean()
    narrative.save()
    return narrative


def report_pdf_in_flight(
    *, requested_by: User, kind: str, start: date, end: date, team: Team | None, iro: User | None
) -> ReportPDF | None:
    """The same person's PDF of the same report that is still being made, if any."""
    return (
        ReportPDF.objects.filter(
            requested_by=requested_by,
            kind=kind,
            period_start=start,
            period_end=end,
            team=team,
            iro=iro,
            state__in=REPORT_PDF_IN_FLIGHT,
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def report_pdf_request(
    *,
    requested_by: User,
    kind: str,
    start: date,
    end: date,
    team: Team | None = None,
    iro: User | None = None,
    today: date,
) -> ReportPDF:
    """Ask for a report as a PDF; a Celery task makes it once this commits. The same report asked
    again by the same person while it is being made is that one (a double click makes one job).
    An IRO's annual report is always their own caseload (statistics.scope_for), so their filter is
    not kept; the QA report has none."""
    if kind == ReportPDFKind.QA or not requested_by.is_manager:
        team = iro = None
    elif iro is not None:
        team = None  # one IRO's figures, whatever team was also chosen (statistics.scope_for)

    def in_flight() -> ReportPDF | None:
        return report_pdf_in_flight(requested_by=requested_by, kind=kind, start=start, end=end, team=team, iro=iro)

    existing = in_flight()
    if existing is not None:
        return existing
    report_pdf = ReportPDF(
        kind=kind,
        period_start=start,
        period_end=end,
        team=team,
        iro=iro,
        scope_label=scope_for(user=requested_by, team=team, iro=iro).label if kind == ReportPDFKind.ANNUAL else "",
        asked_on=today,
        requested_by=requested_by,
    )
    # The one-in-flight constraint was asked just above; the unique index settles a race with a
    # second request committing between the two (that request's row is the one to show).
    report_pdf.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            report_pdf.save()
    except IntegrityError:
        raced = in_flight()
        if raced is None:
            raise
        return raced
    task_send_on_commit("caseload.tasks.make_report_pdf", report_pdf.pk, robust=True)
    return report_pdf


# A PDF left "being made" this long was lost with its worker: the task, delivered again (acks
# late), takes it afresh. The largest report takes about 15 seconds.
REPORT_PDF_LOST_AFTER = timedelta(minutes=30)


def _report_pdf_claim(report_pdf_id: int) -> bool:
    """Take the job for this run: one committed UPDATE whose row count says whether we won."""
    now = timezone.now()
    queued = ReportPDF.objects.filter(pk=report_pdf_id, state=ReportPDFState.QUEUED)
    lost = ReportPDF.objects.filter(
        pk=report_pdf_id, state=ReportPDFState.RUNNING, started_at__lt=now - REPORT_PDF_LOST_AFTER
    )
    return bool((queued | lost).update(state=ReportPDFState.RUNNING, started_at=now, step="", percent=0))


def report_pdf_produce(*, report_pdf_id: int) -> str:
    """Make a queued PDF: each stage's progress is committed as it starts (the progress page
    reads it), then the file is stored privately under a name holding its SHA-256 (a run taken
    over from a lost worker finds the same file) and the row marked done; any failure is stored
    as its reason. Returns the state it ends in. Runs in the worker, outside any transaction."""
    from reviews.documents import private_storage  # noqa: PLC0415 - WeasyPrint loads only where PDFs are made

    from .report_pdfs import STORING, report_pdf_render  # noqa: PLC0415 - as above

    if not _report_pdf_claim(report_pdf_id):
        return ReportPDF.objects.values_list("state", flat=True).get(pk=report_pdf_id)  # done, or another run has it
    report_pdf = ReportPDF.objects.select_related("requested_by", "team", "iro").get(pk=report_pdf_id)
    mine = ReportPDF.objects.filter(pk=report_pdf_id, state=ReportPDFState.RUNNING)

    def progress(step: str, percent: int) -> None:
        mine.update(step=step, percent=percent)

    try:
        pdf = report_pdf_render(report_pdf, progress)
        progress(*STORING)
        sha256 = hashlib.sha256(pdf).hexdigest()
        name = f"report_pdfs/{report_pdf.pk}/{report_pdf.kind}-{sha256[:16]}.pdf"
        storage = private_storage()
        if not storage.exists(name):
            name = storage.save(name, ContentFile(pdf))
    except Exception as error:  # any failure is shown to the person who asked, who can ask again
        mine.update(
            state=ReportPDFState.FAILED, finished_at=timezone.now(), message=f"{type(error).__name__}: {error}"[:500]
        )
        return ReportPDFState.FAILED
    mine.update(
        state=ReportPDFState.DONE,
        step="",
        percent=100,
        finished_at=timezone.now(),
        file_name=name,
        sha256=sha256,
        size=len(pdf),
        message="",
    )
    return ReportPDFState.DONE
