"""Report PDFs made in the background (README, "Dashboards and the annual IRO report"): the
report page's "Make the PDF" queues a ReportPDF row; a Celery task (run eagerly here, no worker)
renders it in stages, storing its progress, then the file; the progress page shows how far it has
got, the download once it is ready, or why it failed. Only the person who asked, and managers,
see it; each download is in the access log; the same PDF asked again while it is being made is
the same job; the pages run a fixed number of queries at any data size."""

from datetime import UTC, date, datetime
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import AccessAction, AccessLog, Team, User
from caseload import report_pdfs, services
from caseload.annual_report import CASELOAD_TABLE_IN_BODY_MAX_IROS, render_report_pdf
from caseload.demo import build_demo
from caseload.models import ReportPDF, ReportPDFState
from caseload.services import report_pdf_produce, report_pdf_request
from tests.factories import BusinessSupportFactory, IROFactory

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2025-04-01", "end": "2026-03-31"}
ANNUAL_TITLE = "Annual report of the Independent Reviewing Officer service"


def _ask(client, user, *, kind="annual", run=None, **params) -> tuple:
    """Post the report page's "Make the PDF"; with `run` (django_capture_on_commit_callbacks) the
    task runs once the request commits."""
    client.force_login(user)
    data = {"kind": kind, **PERIOD, **params}
    if run is None:
        response = client.post(reverse("caseload:report_pdf_ask"), data)
    else:
        with run(execute=True):
            response = client.post(reverse("caseload:report_pdf_ask"), data)
    return response, ReportPDF.objects.order_by("-pk").first()


def _pages(content: bytes) -> list[str]:
    """Each page's text, its lines joined (a title wraps)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(content)).pages]


def _text(content: bytes) -> str:
    return "\n".join(_pages(content))


def _download(client, report_pdf) -> bytes:
    response = client.get(reverse("caseload:report_pdf_download", args=[report_pdf.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def test_the_annual_report_pdf_is_made_in_the_background_and_downloaded(
    client, manager, iro, eager_tasks, django_capture_on_commit_callbacks
):
    response, report_pdf = _ask(client, manager, run=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("caseload:report_pdf", args=[report_pdf.pk])
    report_pdf.refresh_from_db()
    assert (report_pdf.state, report_pdf.percent, report_pdf.message) == (ReportPDFState.DONE, 100, "")
    assert (report_pdf.requested_by, report_pdf.kind, report_pdf.scope_label) == (manager, "annual", "Whole authority")
    assert report_pdf.started_at <= report_pdf.finished_at
    page = client.get(response.url).content.decode()
    assert "The PDF is ready" in page
    assert reverse("caseload:report_pdf_download", args=[report_pdf.pk]) in page
    content = _download(client, report_pdf)
    assert content.startswith(b"%PDF")
    assert ANNUAL_TITLE in _text(content)
    assert len(report_pdf.sha256) == 64


def test_each_download_is_written_to_the_access_log(
    client, manager, iro, eager_tasks, django_capture_on_commit_callbacks
):
    _response, report_pdf = _ask(client, manager, run=django_capture_on_commit_callbacks)
    _download(client, report_pdf)
    entry = AccessLog.objects.get(action=AccessAction.DOWNLOAD)
    assert (entry.user, entry.object_type, entry.object_id, entry.child_id) == (
        manager,
        "report_pdf",
        str(report_pdf.pk),
        None,
    )
    assert entry.path == reverse("caseload:report_pdf_download", args=[report_pdf.pk])


def test_the_qa_report_pdf_is_made_the_same_way(client, manager, eager_tasks, django_capture_on_commit_callbacks):
    response, report_pdf = _ask(client, manager, kind="qa", run=django_capture_on_commit_callbacks)
    report_pdf.refresh_from_db()
    assert report_pdf.state == ReportPDFState.DONE
    assert "Quality assurance report" in _text(_download(client, report_pdf))
    page = client.get(response.url).content.decode()
    assert f"{reverse('audits:qa_report')}?start=2025-04-01&amp;end=2026-03-31" in page  # back to the report


def test_a_pdf_waiting_for_the_worker_shows_that_it_is_waiting(client, manager):
    response, report_pdf = _ask(client, manager)  # the test's transaction never commits: no task runs
    assert report_pdf.state == ReportPDFState.QUEUED
    page = client.get(response.url).content.decode()
    assert "Waiting to start." in page
    assert "data-waiting" in page
    assert "Refresh this page" in page
    ReportPDF.objects.filter(pk=report_pdf.pk).update(state="running", step="Laying out the pages", percent=40)
    page = client.get(response.url).content.decode()
    assert "Being made: Laying out the pages." in page
    assert 'max="100" value="40"' in page


def test_the_task_stores_its_progress_between_stages(manager, eager_tasks, monkeypatch):
    report_pdf = report_pdf_request(
        requested_by=manager, kind="annual", start=date(2025, 4, 1), end=date(2026, 3, 31), today=date(2026, 5, 1)
    )
    seen = []
    real_document = report_pdfs.pdf_document

    def document(template, context):
        seen.append(ReportPDF.objects.values_list("state", "step", "percent").get(pk=report_pdf.pk))
        return real_document(template, context)

    monkeypatch.setattr(report_pdfs, "pdf_document", document)
    assert report_pdf_produce(report_pdf_id=report_pdf.pk) == ReportPDFState.DONE
    assert seen == [("running", "Laying out the pages", 40)]
    # Delivered again (acks late) once done, the task does nothing.
    assert report_pdf_produce(report_pdf_id=report_pdf.pk) == ReportPDFState.DONE
    assert len(seen) == 1


def test_a_pdf_that_cannot_be_made_is_shown_as_failed_with_the_reason(
    client, manager, eager_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(template, context):
        raise RuntimeError("no fonts on this machine")

    monkeypatch.setattr(report_pdfs, "pdf_document", broken)
    response, report_pdf = _ask(client, manager, run=django_capture_on_commit_callbacks)
    report_pdf.refresh_from_db()
    assert report_pdf.state == ReportPDFState.FAILED
    assert report_pdf.message == "RuntimeError: no fonts on this machine"
    page = client.get(response.url).content.decode()
    assert "The PDF could not be made" in page
    assert "RuntimeError: no fonts on this machine" in page
    assert "Ask for the PDF again" in page
    assert client.get(reverse("caseload:report_pdf_download", args=[report_pdf.pk])).status_code == 404


def test_the_same_pdf_asked_again_while_it_is_being_made_is_the_same_job(client, manager):
    first, report_pdf = _ask(client, manager)
    again, _ = _ask(client, manager)  # a double click
    assert again.url == first.url
    assert ReportPDF.objects.count() == 1
    other, _ = _ask(client, manager, start="2024-04-01", end="2025-03-31")  # another period is another PDF
    assert other.url != first.url
    ReportPDF.objects.filter(pk=report_pdf.pk).update(state="done")
    later, _ = _ask(client, manager)  # once made, asking again makes it afresh
    assert later.url not in (first.url, other.url)
    assert ReportPDF.objects.count() == 3


def test_two_requests_racing_make_one_job(manager, monkeypatch):
    """Both looked before either saved: the unique index refuses the second row, which then
    finds the first."""
    first = report_pdf_request(
        requested_by=manager, kind="qa", start=date(2025, 4, 1), end=date(2026, 3, 31), today=date(2026, 5, 1)
    )
    real = services.report_pdf_in_flight
    calls = []

    def looked_too_early(**wanted):
        calls.append(wanted)
        return None if len(calls) == 1 else real(**wanted)

    monkeypatch.setattr(services, "report_pdf_in_flight", looked_too_early)
    second = report_pdf_request(
        requested_by=manager, kind="qa", start=date(2025, 4, 1), end=date(2026, 3, 31), today=date(2026, 5, 1)
    )
    assert second == first
    assert ReportPDF.objects.count() == 1


def test_another_iro_cannot_see_or_download_an_iros_pdf(
    client, iro, other_iro, manager, eager_tasks, django_capture_on_commit_callbacks
):
    _response, report_pdf = _ask(client, iro, run=django_capture_on_commit_callbacks)
    for name in ("caseload:report_pdf", "caseload:report_pdf_download"):
        url = reverse(name, args=[report_pdf.pk])
        client.force_login(other_iro)
        assert client.get(url).status_code == 404
        client.force_login(BusinessSupportFactory())
        assert client.get(url).status_code == 403
        client.force_login(manager)  # managers read every report
        assert client.get(url).status_code == 200
        client.force_login(iro)
        assert client.get(url).status_code == 200


def test_the_report_pages_button_asks_for_the_figures_it_shows(client, manager, iro):
    """A manager looking at one IRO's report gets that IRO's PDF, and its page leads back there."""
    client.force_login(manager)
    page = client.get(reverse("caseload:report"), {**PERIOD, "iro": iro.pk}).content.decode()
    assert f'<input type="hidden" name="iro" value="{iro.pk}">' in page
    response, report_pdf = _ask(client, manager, iro=str(iro.pk))
    assert (report_pdf.iro, report_pdf.team, report_pdf.scope_label) == (iro, None, "Alex Morgan")
    progress = client.get(response.url).content.decode()
    assert "Annual IRO report as a PDF: Alex Morgan" in progress
    assert f"{reverse('caseload:report')}?start=2025-04-01&amp;end=2026-03-31&amp;iro={iro.pk}" in progress


def test_a_teams_pdf_is_of_that_teams_iros(client, manager, iro):
    team = Team.objects.create(name="North")
    iro.iro_profile.team = team
    iro.iro_profile.save()
    _response, report_pdf = _ask(client, manager, team=str(team.pk))
    assert (report_pdf.team, report_pdf.iro, report_pdf.scope_label) == (team, None, "Team: North")


def test_an_iros_pdf_is_of_their_own_caseload_whatever_filter_is_sent(client, iro, other_iro):
    _response, report_pdf = _ask(client, iro, iro=str(other_iro.pk))
    assert (report_pdf.iro, report_pdf.team, report_pdf.scope_label) == (None, None, "Alex Morgan")


def test_only_managers_ask_for_the_qa_report_pdf(client, iro):
    response, report_pdf = _ask(client, iro, kind="qa")
    assert response.status_code == 403
    assert report_pdf is None


def test_a_pdf_is_asked_for_by_post_only(client, manager):
    client.force_login(manager)
    assert client.get(reverse("caseload:report_pdf_ask"), {"kind": "annual", **PERIOD}).status_code == 405
    assert not ReportPDF.objects.exists()


def test_a_period_that_cannot_be_reported_makes_no_pdf_and_says_why(client, manager):
    response, report_pdf = _ask(client, manager, start="2026-04-01", end="2025-03-31")
    assert report_pdf is None
    assert response.url == reverse("caseload:report")
    page = client.get(response.url).content.decode()
    assert "No PDF was made: The end date is before the start date." in page


@pytest.mark.parametrize(
    ("page", "anchor"),
    [
        ("caseload:report", "/caseload/report/?start=2025-04-01&end=2026-03-31#report-pdf"),
        ("audits:qa_report", "?start=2025-04-01&end=2026-03-31#report-pdf"),
    ],
)
def test_an_old_pdf_link_leads_to_the_button_that_makes_it(client, manager, page, anchor):
    client.force_login(manager)
    response = client.get(reverse(page), {**PERIOD, "format": "pdf"})
    assert response.status_code == 302
    assert response.url.endswith(anchor)
    content = client.get(response.url).content.decode()
    assert "The PDF is now made in the background" in content
    assert 'id="report-pdf"' in content
    assert not ReportPDF.objects.exists()  # a GET makes nothing


def test_with_more_than_fifty_iros_their_caseloads_are_an_appendix_at_the_end(db):
    IROFactory.create_batch(CASELOAD_TABLE_IN_BODY_MAX_IROS + 1)
    pages = _pages(render_report_pdf(start=date(2025, 4, 1), end=date(2026, 3, 31), today=date(2026, 5, 1)))
    text = "\n".join(pages)
    assert f"The caseload of each of the {CASELOAD_TABLE_IN_BODY_MAX_IROS + 1} IROs is in Appendix A" in text
    appendix = next(number for number, page in enumerate(pages) if "Appendix A. Caseload per IRO" in page)
    definitions = next(number for number, page in enumerate(pages) if number and "Definitions" in page)
    assert appendix > definitions  # at the end, after the definitions
    assert "Caseload per IRO" not in "\n".join(pages[:appendix])


def test_with_fifty_iros_or_fewer_their_caseloads_stay_in_section_6(db):
    IROFactory.create_batch(3)
    text = _text(render_report_pdf(start=date(2025, 4, 1), end=date(2026, 3, 31), today=date(2026, 5, 1)))
    assert "Appendix A" not in text
    assert "Caseload per IRO" in text


def _queries(client, method, url, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), response.status_code
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


# Fixed whatever the data size. Asking: session (read, and saved again: the idle timeout), user,
# its roles, the PDF in flight, and for a new one the requester checked by full_clean and the
# INSERT (the whole authority's label needs no query): 7, or 5 when the same PDF is being made.
# The progress page: session (twice), user, roles, the row with who asked, unread reminders: 6.
# The QA report page, with its "Make the PDF": 13. The annual report page is pinned in
# tests/caseload/test_dashboard.py (PAGES, "report-page").
@pytest.mark.parametrize("size", [20, 90])
def test_asking_and_the_progress_page_run_a_fixed_number_of_queries_at_any_size(client, size):
    build_demo(children=size, today=date(2026, 5, 1), years=2)
    client.force_login(User.objects.get(username="manager"))
    with time_machine.travel(datetime(2026, 5, 1, 12, 0, tzinfo=UTC), tick=False):
        asked = _queries(client, "post", reverse("caseload:report_pdf_ask"), {"kind": "annual", **PERIOD})
        again = _queries(client, "post", reverse("caseload:report_pdf_ask"), {"kind": "annual", **PERIOD})
        report_pdf = ReportPDF.objects.get()
        progress = _queries(client, "get", reverse("caseload:report_pdf", args=[report_pdf.pk]))
        qa_page = _queries(client, "get", reverse("audits:qa_report"), PERIOD)
    assert (asked, again, progress, qa_page) == (7, 5, 6, 13)
