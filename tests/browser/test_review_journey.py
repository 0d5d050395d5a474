"""The week's review work in a real browser: book → visit → chair and record → held → next due."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from children.codes import AllocationKind, LegalStatus
from children.models import Allocation
from iro_service.celery import app
from reviews.codes import ReviewStatus
from reviews.models import Review
from reviews.services import child_come_into_care
from tests.factories import BusinessSupportFactory, ChildFactory, IROFactory

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
PASSWORD = "correct-horse-battery"


def _sign_in(browser, live_server, username):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


@pytest.fixture
def eager_tasks(settings, tmp_path):
    # The document renders in the request (as under `make run`) rather than in a worker.
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path / "documents")
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_book_visit_chair_record_and_hold_a_review(browser, live_server, screenshot_dir, eager_tasks):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), tick=True) as traveller:
        support = BusinessSupportFactory(username="support", first_name="Jo", last_name="Bennett")
        iro = IROFactory(username="iro", first_name="Alex", last_name="Morgan")
        child = ChildFactory(first_name="Zara", last_name="Jones", date_of_birth=date(2015, 6, 1))
        child_come_into_care(
            child=child,
            start=date(2026, 2, 16),
            episode_fields={"legal_status": LegalStatus.C1, "category_of_need": "N1", "placement_type": "U6"},
        )
        Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=date(2026, 2, 16))

        # Business support: the child is due soon and on the list to book.
        page = _sign_in(browser, live_server, support.username)
        page.get_by_role("link", name="Reviews to book").click()
        row = page.get_by_role("row").filter(has_text="Zara Jones")
        assert "Mon 16 Mar 2026" in row.inner_text()
        page.screenshot(path=screenshot_dir / "1-reviews-to-book.png", full_page=True)
        row.get_by_role("link", name="Book").click()
        page.locator("#id_day").fill("2026-03-04")
        page.locator("#id_time").fill("10:00")
        page.locator("#id_venue").fill("School")
        page.get_by_label("The child chose this venue").check()
        page.locator("#id_invitees-0-name").fill("Sam Jones")
        page.locator("#id_invitees-0-role").fill("Mother")
        page.screenshot(path=screenshot_dir / "2-booking-form.png", full_page=True)
        page.get_by_role("button", name="Book").click()
        assert "Review booked for Zara Jones" in page.content()
        page.screenshot(path=screenshot_dir / "3-booked.png", full_page=True)
        page.close()

        # The IRO, two days later: visit, then chair and record the review.
        traveller.move_to(datetime(2026, 3, 4, 14, 0, tzinfo=LONDON))
        page = _sign_in(browser, live_server, iro.username)
        assert "Zara Jones" in page.get_by_role("region", name="My reviews in the next 10 working days").inner_text()
        page.screenshot(path=screenshot_dir / "4-iro-caseload.png", full_page=True)
        page.get_by_role("row").filter(has_text="Zara Jones").get_by_role("link", name="Zara Jones").click()
        page.get_by_role("link", name="Record a visit").click()
        page.get_by_label("Date of the visit").fill("2026-03-03")
        page.get_by_label("Was the child seen alone?").select_option("True")
        page.get_by_label("Notes").fill("Zara showed me her new room.")
        page.get_by_role("button", name="Record visit").click()
        assert "Visit recorded." in page.content()
        page.screenshot(path=screenshot_dir / "5-visit-recorded.png", full_page=True)

        page.get_by_role("link", name="Open the review").click()
        codes = page.get_by_label("Participation code").locator("option").all_inner_texts()
        assert not any(code.startswith("PN0") for code in codes)  # Zara is 10
        page.get_by_label("Participation code").select_option("PN1")
        page.get_by_label("Parents participated").select_option("True")
        page.locator("#id_attendees-0-attended").select_option("True")
        page.get_by_label("What are we worried about?").fill("School attendance has dropped.")
        page.get_by_label("What is working well?").fill("Zara is settled with her carers.")
        page.get_by_label("What needs to happen?").fill("A PEP meeting before Easter.")
        page.get_by_label("The child's views, in their words").fill("I like it here. I want to see my brother.")
        page.locator("#id_decisions-0-text").fill("Arrange family time with her brother every fortnight.")
        page.locator("#id_decisions-0-owner").fill("Social worker")
        page.locator("#id_decisions-0-deadline").fill("2026-03-31")
        page.get_by_role("button", name="Save draft").click()
        assert "Record saved." in page.content()
        page.screenshot(path=screenshot_dir / "6-draft-saved.png", full_page=True)

        page.locator("#id_held_on").fill("2026-03-04")
        page.get_by_role("button", name="Mark held").click()
        assert "Review marked held on Wed 4 Mar 2026" in page.content()
        assert page.url.endswith("#documents-heading")  # Mark held opens the review's documents
        page.get_by_role("link", name="Zara Jones").first.click()
        # The child page shows the statutory next due date and the rule that set it.
        assert page.get_by_test_id("next-review-due").inner_text().startswith("Due by Thu 4 Jun 2026")
        assert page.get_by_test_id("next-review-rule").inner_text() == "Second review: 3 months after Wed 4 Mar 2026"
        page.screenshot(path=screenshot_dir / "7-held-child-page.png", full_page=True)

        # The IRO produces the letter to the child and issues it.
        page.get_by_role("link", name="First review", exact=True).click()
        page.get_by_label("Document", exact=True).select_option("letter")
        page.get_by_role("button", name="Produce").click()
        row = page.get_by_test_id("document-letter-v1")
        assert "Ready" in row.inner_text()
        assert "Draft" in row.inner_text()
        row.get_by_label("I understand issuing letter to the child version 1 cannot be undone").check()
        row.get_by_role("button", name="Issue").click()
        assert "Letter to the child version 1 issued." in page.content()
        page.screenshot(path=screenshot_dir / "7b-letter-issued.png", full_page=True)
        with page.expect_download() as download:
            page.get_by_test_id("document-letter-v1").get_by_role("link", name="Download").click()
        assert download.value.suggested_filename.startswith("letter-")
        page.close()

        # Business support: the child has left "reviews to book".
        page = _sign_in(browser, live_server, support.username)
        page.get_by_role("link", name="Reviews to book").click()
        assert "Zara Jones" not in page.content()
        page.screenshot(path=screenshot_dir / "8-left-reviews-to-book.png", full_page=True)
        page.close()

    held = Review.objects.get(child=child, status=ReviewStatus.HELD)
    assert held.participation_code == "PN1"
    assert held.child_visited_on == date(2026, 3, 3)
    assert held.decisions.get().owner == "Social worker"
    assert held.invitees.get().attended is True
    assert held.bookings.get().venue == "School"
