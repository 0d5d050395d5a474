"""Outcomes, minutes and the letter as PDFs: their content, versions, access and safety."""

import http.server
import re
import threading
from datetime import date
from io import BytesIO
from typing import ClassVar

import pytest
import textstat
from django.urls import reverse
from pypdf import PdfReader
from weasyprint import HTML

from caseload.demo import build_demo
from children.codes import AllocationKind, LegalStatus
from children.models import Allocation
from iro_service.celery import app
from iro_service.pdf import DOCUMENT_BASE_URL, SafeURLFetcher
from reviews.codes import DocumentKind, DocumentState, ReportKind, ReviewStatus
from reviews.documents import private_storage, render_pdf
from reviews.models import Decision, Document, Invitee, ReportReceived, Review
from reviews.selectors import children_with_next_review
from reviews.services import (
    child_come_into_care,
    distribution_record,
    document_issue,
    document_produce,
    document_request,
    review_record_held,
)
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

JARGON = ["LAC", "looked after child", "PEP", "s20", "IRO", "placement plan"]


@pytest.fixture(autouse=True)
def private_documents(settings, tmp_path):
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path / "documents")


def _held_review(iro, **texts) -> Review:
    child = ChildFactory(first_name="Zara", last_name="Jones", preferred_name="Zee", date_of_birth=date(2015, 6, 1))
    review = child_come_into_care(
        child=child,
        start=date(2026, 2, 16),
        episode_fields={"legal_status": LegalStatus.C1, "category_of_need": "N1", "placement_type": "U6"},
    )
    Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=date(2026, 2, 16))
    defaults = {
        "child_views": "I like living here. I want to see my brother more.",
        "worried_about": "School attendance has dropped this term.",
        "working_well": "Zara is settled with her carers.",
        "needs_to_happen": "A meeting with the school before Easter.",
    }
    Review.objects.filter(pk=review.pk).update(**{**defaults, **texts})
    review = review_record_held(
        review=review, held_on=date(2026, 3, 12), chair=iro, participation_code="PN1", parents_participated=True
    )
    Decision.objects.create(
        review=review,
        text="You will see your brother every two weeks.",
        owner="Social worker",
        deadline=date(2026, 4, 1),
    )
    Decision.objects.create(review=review, text="Your carers will help you get to school on time.", owner="Carers")
    Invitee.objects.create(review=review, name="Sam Jones", role="Mother", attended=True)
    return review


def _text(pdf: bytes) -> tuple[str, int]:
    reader = PdfReader(BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def _produce(review, kind, user, reason=""):
    document = document_request(review=review, kind=kind, requested_by=user, reason=reason)
    return document_produce(document_id=document.pk)


def test_the_outcomes_show_the_decisions_the_child_and_the_next_review(iro):
    review = _held_review(iro)
    text, _pages = _text(render_pdf(DocumentKind.OUTCOMES, review))
    assert "Zara Jones" in text
    assert "You will see your brother every two weeks." in text
    assert "Social worker" in text
    assert "Fri 12 Jun 2026" in text  # second review: 3 months after Thu 12 Mar 2026
    assert "Page 1 of 1" in text


def test_the_minutes_hold_the_full_record(iro):
    review = _held_review(iro)
    text, _pages = _text(render_pdf(DocumentKind.MINUTES, review))
    for expected in (
        "Sam Jones",
        "Mother",
        "PN1",
        "School attendance has dropped this term.",
        "Zara is settled with her carers.",
        "I want to see my brother more.",
        "Your carers will help you get to school on time.",
        "Fri 12 Jun 2026",
    ):
        assert expected in text, expected


def test_the_minutes_say_which_expected_reports_were_not_received(iro):
    review = _held_review(iro)  # 10 on the review day: the pathway plan is not expected
    ReportReceived.objects.create(review=review, kind=ReportKind.CARE_PLAN, received_on=date(2026, 3, 5))
    text, _pages = _text(render_pdf(DocumentKind.MINUTES, review))
    text = " ".join(text.split())
    assert "Care plan Thu 5 Mar 2026" in text
    for plan in ("Placement plan", "Health plan", "Personal education plan (PEP)"):
        assert f"{plan} Not received before the review" in text, plan
    assert "Pathway plan" not in text
    assert "Wishes and feelings form: not received before the review." in text


def test_the_letter_is_one_page_in_plain_words_to_the_child(iro):
    review = _held_review(iro)
    text, pages = _text(render_pdf(DocumentKind.LETTER, review))
    assert pages == 1
    assert "Dear Zee," in text
    assert "Thursday 12 March" in text
    assert "Friday 12 June 2026" in text
    for heading in ("What you told us", "What we decided", "What happens next", "Your next review"):
        assert heading in text
    for term in JARGON:
        assert not re.search(rf"\b{re.escape(term)}\b", text, re.IGNORECASE), term
    body = text.split("Dear Zee,", 1)[1].rsplit("Page 1", 1)[0]
    assert textstat.flesch_reading_ease(body) >= 70


def _letter(review) -> str:
    text, pages = _text(render_pdf(DocumentKind.LETTER, review))
    assert pages == 1
    return " ".join(text.split())  # lines wrap: compare words


def test_the_letter_says_each_decision_to_the_child_and_gives_the_iros_number(iro):
    iro.iro_profile.work_phone = "01632 960 123"
    iro.iro_profile.save()
    review = _held_review(iro)
    Decision.objects.create(
        review=review,
        text="Increase Zara's supervised contact with her mother to fortnightly.",
        for_child="You will see your mum every other Saturday.",
        owner="Social worker",
    )
    letter = _letter(review)
    assert "You will see your mum every other Saturday." in letter
    assert "Zara's" not in letter
    assert "supervised contact" not in letter
    assert "you can call me on 01632 960 123" in letter


def test_a_decision_the_iro_has_not_reworded_is_still_said_to_the_child(iro):
    review = _held_review(iro)
    Decision.objects.create(review=review, text="Zee to see the dentist before Easter.", owner="Carers")
    letter = _letter(review)
    assert "You will see the dentist before Easter." in letter
    assert "Zee to see" not in letter


def test_without_a_work_number_the_letter_does_not_offer_a_call(iro, settings):
    settings.IRO_SERVICE_PHONE = ""
    review = _held_review(iro)
    assert iro.iro_profile.work_phone == ""
    letter = _letter(review)
    assert "call me" not in letter
    assert "ask your social worker or your carer to get in touch with me" in letter


def test_without_a_work_number_the_letter_gives_the_services_number(iro, settings):
    settings.IRO_SERVICE_PHONE = "0300 123 4567"
    letter = _letter(_held_review(iro))
    assert "call me" not in letter
    assert "call my team on 0300 123 4567 and ask for me" in letter


def test_a_long_record_still_makes_a_one_page_letter(iro):
    review = _held_review(iro, child_views="I have a lot to say. " * 200)
    for number in range(12):
        Decision.objects.create(review=review, text=f"Thing number {number} will happen soon. " * 5, owner="Carer")
    _, pages = _text(render_pdf(DocumentKind.LETTER, review))
    assert pages == 1


def test_versions_are_kept_and_a_new_issued_version_needs_a_reason(iro):
    review = _held_review(iro)
    first = _produce(review, DocumentKind.OUTCOMES, iro)
    assert first.state == DocumentState.READY
    assert len(first.sha256) == 64
    document_issue(document=first, issued_on=date(2026, 3, 16))
    with pytest.raises(Exception, match="give the reason for a new version"):
        document_request(review=review, kind=DocumentKind.OUTCOMES, requested_by=iro)
    second = _produce(review, DocumentKind.OUTCOMES, iro, reason="Decision 2 owner corrected.")
    assert second.version == 2
    assert second.file_name != first.file_name
    storage = private_storage()
    assert storage.exists(first.file_name)
    assert storage.exists(second.file_name)
    first.refresh_from_db()
    assert first.issued_on == date(2026, 3, 16)


def test_issuing_stores_whether_it_was_on_time(iro):
    review = _held_review(iro)  # outcomes due Thu 19 Mar; minutes due Mon 13 Apr 2026 (after Easter)
    outcomes = document_issue(document=_produce(review, DocumentKind.OUTCOMES, iro), issued_on=date(2026, 3, 19))
    minutes = document_issue(document=_produce(review, DocumentKind.MINUTES, iro), issued_on=date(2026, 4, 14))
    assert outcomes.issued_on_time is True
    assert minutes.issued_on_time is False
    review.refresh_from_db()
    assert (review.outcomes_issued_on, review.minutes_issued_on) == (date(2026, 3, 19), date(2026, 4, 14))


def test_distribution_is_recorded_after_issue(iro):
    review = _held_review(iro)
    document = _produce(review, DocumentKind.LETTER, iro)
    with pytest.raises(Exception, match="Issue the document before"):
        distribution_record(
            document=document, recipient="Zara", method="hand", sent_on=date(2026, 3, 13), recorded_by=iro
        )
    document_issue(document=document, issued_on=date(2026, 3, 13))
    distribution_record(document=document, recipient="Zara", method="hand", sent_on=date(2026, 3, 13), recorded_by=iro)
    assert document.distributions.get().recipient == "Zara"


def test_a_review_not_yet_held_has_no_documents(iro):
    review = _held_review(iro)
    upcoming = Review.objects.get(period_of_care=review.period_of_care, status=ReviewStatus.DUE)
    with pytest.raises(Exception, match="once the review has been held"):
        document_request(review=upcoming, kind=DocumentKind.OUTCOMES, requested_by=iro)


@pytest.mark.parametrize(
    ("role", "expected"), [("iro", 200), ("other_iro", 404), ("manager", 200), ("business_support", 403)]
)
def test_download_is_for_the_iro_on_the_case_and_managers(
    client, iro, other_iro, manager, business_support, role, expected
):
    document = _produce(_held_review(iro), DocumentKind.OUTCOMES, iro)
    client.force_login(
        {"iro": iro, "other_iro": other_iro, "manager": manager, "business_support": business_support}[role]
    )
    response = client.get(reverse("reviews:document_download", args=[document.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert response["Content-Disposition"].startswith("attachment")


def test_producing_and_issuing_from_the_review_page(client, iro, django_capture_on_commit_callbacks):
    app.conf.task_always_eager = True
    try:
        review = _held_review(iro)
        client.force_login(iro)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("reviews:document_request", args=[review.pk]), {"kind": "letter"})
        document = Document.objects.get(review=review)
        assert document.state == DocumentState.READY
        page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
        assert "Letter to the child" in page
        assert "Ready" in page
        assert "Draft" in page
        client.post(reverse("reviews:document_issue", args=[document.pk]), {"understood": "on"})
        document.refresh_from_db()
        assert document.issued_on is not None
    finally:
        app.conf.task_always_eager = False


class _Listener(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []  # what the server was asked for; the fixture resets it

    def do_GET(self):  # the standard library's name
        _Listener.requests.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    _Listener.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def _payloads(port: int) -> str:
    return (
        '<img src="file:///etc/passwd"> '
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/link.css"> '
        f"<style>body {{ background: url(http://127.0.0.1:{port}/style.png) }}</style> "
        f"<div style=\"background-image: url('http://127.0.0.1:{port}/inline.png')\">x</div> "
        "<script>alert(1)</script>"
    )


def test_hostile_text_in_every_free_text_field_fetches_nothing(iro, listener, settings):
    payload = _payloads(listener)
    settings.IRO_SERVICE_PHONE = payload  # the letter prints it when the IRO has no work number
    fields = ["child_views", "worried_about", "working_well", "needs_to_happen", "child_own_words"]
    review = _held_review(iro, venue=payload[:200], **{field: payload for field in fields})
    Decision.objects.create(review=review, text=payload, owner=payload[:200])
    Decision.objects.create(review=review, text="Decided.", owner="Carer", for_child=payload)
    Invitee.objects.create(review=review, name=payload[:200], role=payload[:100])
    review.child.first_name = review.child.preferred_name = review.child.last_name = payload[:100]
    review.child.save()
    for kind in DocumentKind:
        document = _produce(review, kind, iro)
        assert document.state == DocumentState.READY, document.failure_reason
        text, _pages = _text(private_storage().open(document.file_name).read())
        assert "root:" not in text
        assert "<img" in text  # shown as text, escaped, not obeyed
    assert _Listener.requests == []


def test_the_fetcher_itself_refuses_files_and_the_network(listener):
    html = (
        f'<html><head><link rel="stylesheet" href="http://127.0.0.1:{listener}/a.css"></head><body>'
        f'<img src="file:///etc/passwd"><img src="http://127.0.0.1:{listener}/b.png">'
        f'<p style="background: url(http://127.0.0.1:{listener}/c.png)">Hello</p>'
        '<img src="/static/../../../../etc/passwd">'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<img src="/static/img/authority-logo.svg"></body></html>'
    )
    pdf = HTML(string=html, base_url=DOCUMENT_BASE_URL, url_fetcher=SafeURLFetcher()).write_pdf()
    text, _pages = _text(pdf)
    assert "Hello" in text
    assert "root:" not in text
    assert _Listener.requests == []
    with pytest.raises(ValueError, match="may not fetch"):
        SafeURLFetcher().fetch("file:///etc/passwd")
    with pytest.raises(ValueError, match="may not fetch"):
        SafeURLFetcher().fetch(f"http://127.0.0.1:{listener}/x")
    assert SafeURLFetcher().fetch(DOCUMENT_BASE_URL + "static/img/authority-logo.svg").content_type == "image/svg+xml"


def test_the_three_documents_for_a_demo_review():
    build_demo(children=20, today=date(2026, 11, 27))
    review = (
        Review.objects.filter(status=ReviewStatus.HELD, decisions__isnull=False, held_on__gte=date(2026, 6, 1))
        .select_related("child", "chair")
        .order_by("-held_on")
        .first()
    )
    child_row = next(row for row in children_with_next_review(today=date(2026, 11, 27)) if row.pk == review.child_id)
    next_due = child_row.next_review_due.strftime("%-d %b %Y")
    for kind in DocumentKind:
        document = _produce(review, kind, review.chair)
        assert document.state == DocumentState.READY, document.failure_reason
        text, pages = _text(private_storage().open(document.file_name).read())
        text = " ".join(text.split())  # table cells wrap: compare words, not line breaks
        assert review.child.first_name in text
        if kind != DocumentKind.LETTER:
            assert " ".join(review.decisions.first().text.split()) in text
            assert next_due in text
        else:
            assert pages == 1
            # Said to the child, with the chair's number (the demo gives IROs and decisions both).
            assert " ".join(review.decisions.first().for_child.split()) in text
            assert f"you can call me on {review.chair.iro_profile.work_phone}" in text
