"""Script and HTML in every free-text field come out escaped, in pages and in PDFs
(docs/architecture.md, "Cross-cutting checks").

Every free-text field of the records (each CharField without choices and each TextField of the
models below) is filled with markup; every page that shows them, and the report PDFs, must show
the markup as text and never hand it to the browser or WeasyPrint as markup."""

import io
import re
from datetime import date

import pypdf
import pytest
from django.db import models
from django.urls import reverse

from accounts.models import Team
from audits.models import (
    DisruptionMeeting,
    Escalation,
    EscalationStageChange,
    MidwayReview,
    MonitoringForm,
    ParticipantFeedback,
)
from caseload.models import ReportNarrative, ReportPDF
from children.models import Child, Episode, PeriodOfCare
from reviews.models import Decision, Invitee, Review, Visit
from reviews.services import review_record_held
from tests.factories import IROProfileFactory, child_in_care

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("pwned")</script><img src=x onerror=alert(1)><b>bold</b>'
ESCAPED = "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;"
NOT_FREE_TEXT = {"local_id", "upn", "home_postcode", "placement_postcode", "urn", "file_name", "sha256", "object_key"}


def _fill(instance: models.Model) -> None:
    """Put the payload (cut to the column's size) in every free-text field, then save."""
    for field in instance._meta.concrete_fields:
        free = isinstance(field, models.TextField | models.CharField) and not field.choices
        if free and field.name not in NOT_FREE_TEXT and field.editable:
            setattr(instance, field.name, PAYLOAD[: field.max_length] if field.max_length else PAYLOAD)
    instance.save()


@pytest.fixture
def hostile(db, iro, manager):
    IROProfileFactory._meta.model.objects.filter(user=iro).update(team=Team.objects.create(name=PAYLOAD[:100]))
    iro.first_name = PAYLOAD[:150]
    iro.save()
    child, first = child_in_care(iro, start=date(2025, 4, 7), born=date(2009, 1, 1))
    held = review_record_held(review=first, held_on=date(2025, 5, 1), chair=iro, participation_code="PN1")
    _fill(Child.objects.get(pk=child.pk))
    for model in (PeriodOfCare, Episode):
        for row in model.objects.all():
            _fill(row)
    _fill(Review.objects.get(pk=held.pk))
    for row in [
        Decision(review=held, text="x", owner="x"),
        Invitee(review=held, name="x", role="x"),
        Visit(child=child, iro=iro, visited_on=date(2025, 4, 20)),
        MidwayReview(child=child, author=iro, held_on=date(2025, 6, 1), note="x"),
        MonitoringForm(review=held, completed_by=iro, completed_on=date(2025, 5, 2), scheme="ofsted_4"),
        ParticipantFeedback(
            review=held, role="carer", received_on=date(2025, 5, 5), preparation="good", venue_suitable=True,
            child_voice_central=True, rating=4, recorded_by=iro,
        ),
        DisruptionMeeting(child=child, chaired_by=iro, held_on=date(2025, 6, 2), placement="x", learning_points="x"),
        ReportNarrative(period_start=date(2025, 4, 1), period_end=date(2026, 3, 31), updated_by=manager),
    ]:  # fmt: skip
        _fill(row)
    escalation = Escalation(child=child, review=held, raised_by=iro, raised_on=date(2025, 5, 2), theme="pep")
    _fill(escalation)
    _fill(EscalationStageChange(escalation=escalation, changed_on=date(2025, 5, 3), changed_by=iro))
    following = Review.objects.get(period_of_care__child=child, status="due")
    _fill(following)
    return {"child": child, "held": held, "following": following, "escalation": escalation}


def _assert_escaped(html: str, where: str) -> None:
    assert PAYLOAD not in html, f"{where}: the markup reached the page unescaped"
    assert "<script>alert" not in html, where
    assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", ""), where


def test_every_page_shows_the_markup_as_text(client, hostile, iro, manager, business_support):
    period = "?start=2025-04-01&end=2026-03-31"
    pages = [
        (iro, reverse("caseload:child", args=[hostile["child"].pk])),
        (iro, reverse("reviews:detail", args=[hostile["held"].pk])),
        (iro, reverse("reviews:detail", args=[hostile["following"].pk])),
        (iro, reverse("reviews:prepare", args=[hostile["following"].pk])),
        (iro, reverse("audits:escalation_detail", args=[hostile["escalation"].pk])),
        (iro, reverse("caseload:mine")),
        (iro, reverse("caseload:dashboard") + period),
        (manager, reverse("caseload:child", args=[hostile["child"].pk])),
        (manager, reverse("caseload:all")),
        (manager, reverse("caseload:dashboard") + period),
        (manager, reverse("caseload:report") + period),
        (manager, reverse("caseload:child_access_log", args=[hostile["child"].pk])),
        (manager, reverse("audits:qa_report") + period),
        (manager, reverse("audits:escalations_open")),
        (manager, reverse("children:allocate", args=[hostile["child"].pk])),
        (business_support, reverse("reviews:to_book") + "?window=400"),
        (business_support, reverse("reviews:book", args=[hostile["following"].pk])),
    ]
    shown = 0
    for user, url in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        _assert_escaped(html, url)
        shown += ESCAPED in html
    assert shown >= 10  # the markup really was on most of these pages, as text


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages).split())


def test_the_report_pdfs_show_the_markup_as_text(
    client, hostile, manager, eager_tasks, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    period = {"start": "2025-04-01", "end": "2026-03-31"}
    for kind in ("annual", "qa"):  # made in the background (caseload.services.report_pdf_request)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("caseload:report_pdf_ask"), {"kind": kind, **period})
        response = client.get(reverse("caseload:report_pdf_download", args=[ReportPDF.objects.get(kind=kind).pk]))
        assert response["Content-Type"] == "application/pdf"
        text = _pdf_text(b"".join(response.streaming_content))
        assert '<script>alert("pwned")</script>' in text or "<b>bo" in text, kind  # printed as written
        # Wherever "bold" appears, its tag is printed beside it: the markup was never obeyed.
        assert set(re.findall(r"(.{3})bold", text)) <= {"<b>"}
