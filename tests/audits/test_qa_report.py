"""The quarterly QA report: per quarter under that quarter's scheme, escalations, feedback; page and PDF."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audits.codes import EscalationTheme, RatingScheme
from audits.models import MonitoringForm, RatingSchemeSetting
from audits.selectors import quarterly_qa_report
from audits.services import escalation_raise
from caseload.models import ReportPDF
from tests.audits.test_feedback import _held

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_year(iro):
    RatingSchemeSetting.objects.create(scheme=RatingScheme.LEGACY_5, effective_from=date(2013, 4, 1))
    RatingSchemeSetting.objects.create(scheme=RatingScheme.OFSTED_4, effective_from=date(2013, 10, 1))
    for held_on, scheme, care_plan in (
        (date(2013, 5, 10), RatingScheme.LEGACY_5, 5),
        (date(2013, 8, 12), RatingScheme.LEGACY_5, 3),
        (date(2013, 11, 4), RatingScheme.OFSTED_4, 2),
        (date(2014, 2, 3), RatingScheme.OFSTED_4, 1),
    ):
        review = _held(iro, held_on)
        MonitoringForm.objects.create(
            review=review, completed_by=iro, completed_on=held_on, scheme=scheme, care_plan_rating=care_plan
        )
    _held(iro, date(2014, 3, 3))  # a review with no form
    escalation_raise(
        child=review.child,
        raised_by=iro,
        raised_on=date(2013, 11, 5),
        theme=EscalationTheme.PEP_NOT_COMPLETED,
        concern="No PEP.",
    )


def test_each_quarter_is_reported_under_its_own_scheme(seed_year):
    report = quarterly_qa_report(start=date(2013, 4, 1), end=date(2014, 3, 31))
    rows = [(row["quarter_start"].month, row["scheme"], row["plans"][0][1]) for row in report["ratings"]]
    assert rows == [
        (4, "Legacy 1–5 (5 best)", 5),
        (7, "Legacy 1–5 (5 best)", 3),
        (10, "Ofsted 1–4 (1 Outstanding, 4 Inadequate)", 2),
        (1, "Ofsted 1–4 (1 Outstanding, 4 Inadequate)", 1),
    ]
    assert (report["reviews_held"], report["forms_completed"], report["forms_completed_pct"]) == (5, 4, 80.0)
    assert ("PEP not completed", 1) in report["escalations_by_theme"]


def test_the_report_page_and_pdf_for_managers(
    client, manager, seed_year, eager_tasks, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    url = reverse("audits:qa_report")
    page = client.get(url, {"start": "2013-04-01", "end": "2014-03-31"}).content.decode()
    assert page.count('data-testid="ratings-row"') == 4
    assert "<td>5</td><td>4</td><td>80%</td>" in page  # the IRO's completion against the 80% target
    # The PDF is made in the background (caseload.services.report_pdf_request), from the page's button.
    assert '<input type="hidden" name="kind" value="qa">' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("caseload:report_pdf_ask"), {"kind": "qa", "start": "2013-04-01", "end": "2014-03-31"})
    response = client.get(reverse("caseload:report_pdf_download", args=[ReportPDF.objects.get().pk]))
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    assert "Quality assurance report" in text
    assert "PEP not completed" in text


def test_a_period_that_ends_before_it_starts_is_explained(client, manager):
    client.force_login(manager)
    response = client.get(reverse("audits:qa_report"), {"start": "2014-04-01", "end": "2014-03-31"})
    assert "The end date is before the start date." in response.content.decode()
