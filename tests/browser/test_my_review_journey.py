""" "My review", the older version, in a real browser: the IRO invites a 13-year-old; the child
answers on a phone; the IRO sees it, business support and the minutes do not see the private
note; the review is held and its letter issued; the link is renewed and the child reads the
letter and says whether they felt listened to. A screenshot of each step is saved in
test-output/screenshots/my_review_older/."""

from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from children.codes import AllocationKind, LegalStatus
from children.models import Allocation
from iro_service.celery import app
from reviews.models import MyReviewResponse, Review
from reviews.services import child_come_into_care
from tests.browser.conftest import SCREENSHOTS
from tests.browser.my_review_after import PHONE, after_review_steps
from tests.factories import BusinessSupportFactory, ChildFactory, IROFactory

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
PASSWORD = "correct-horse-battery"
WORD = "Pineapple"
PRIVATE = "I keep a secret diary about the bus driver"
WORRY = "I worry about my exams in May"
FOR_CHILD = "You will see your brother every other Saturday."
FOLDER = SCREENSHOTS / "my_review_older"


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
    # Documents render in the request (as under `make run`) rather than in a worker.
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path / "documents")
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def folder() -> Path:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for old in FOLDER.glob("*.png"):
        old.unlink()
    return FOLDER


def _pdf_text(path: str) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)


def _produce(page, kind: str, label: str, *, issue: bool) -> str:
    """Produce a document on the review page (and issue it); returns the downloaded file's path."""
    page.get_by_label("Document", exact=True).select_option(kind)
    page.get_by_role("button", name="Produce").click()
    row = page.get_by_test_id(f"document-{kind}-v1")
    assert "Ready" in row.inner_text()
    if issue:
        row.get_by_label(f"I understand issuing {label} version 1 cannot be undone").check()
        row.get_by_role("button", name="Issue").click()
        assert f"{label.capitalize()} version 1 issued." in page.content()
    with page.expect_download() as download:
        page.get_by_test_id(f"document-{kind}-v1").get_by_role("link", name="Download").click()
    return str(download.value.path())


def test_a_13_year_old_says_how_things_are_then_reads_the_letter_and_says_if_listened_to(
    browser, live_server, folder, eager_tasks
):
    step = 1

    def shot(page, name):
        nonlocal step
        page.screenshot(path=folder / f"{step:02d}-{name}.png", full_page=True)
        step += 1

    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), tick=True) as traveller:
        support = BusinessSupportFactory(username="support", first_name="Jo", last_name="Bennett")
        iro = IROFactory(username="iro", first_name="Alex", last_name="Morgan")
        child = ChildFactory(first_name="Maya", last_name="Jones", date_of_birth=date(2012, 11, 1))  # 13
        review = child_come_into_care(
            child=child,
            start=date(2026, 2, 16),
            episode_fields={"legal_status": LegalStatus.C1, "category_of_need": "N1", "placement_type": "U6"},
        )
        Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=date(2026, 2, 16))

        # The IRO invites Maya from the review page.
        iro_page = _sign_in(browser, live_server, iro.username)
        iro_page.goto(f"{live_server.url}/reviews/{review.pk}/")
        iro_page.get_by_role("link", name="My review invitation").click()
        iro_page.get_by_label("Memorable word").fill(WORD)
        assert iro_page.get_by_label("Older (11 and over): their own words").is_checked()  # by age
        shot(iro_page, "iro-invites")
        with iro_page.expect_navigation():
            iro_page.get_by_role("button", name="Make the invitation and show the card").click()
        link = urlsplit(iro_page.get_by_test_id("card-link").inner_text()).path
        shot(iro_page, "iro-card")

        # Maya, on her phone: the link, the word, the older version, then send.
        context = browser.new_context(viewport=PHONE)
        phone = context.new_page()
        phone.goto(f"{live_server.url}{link}")
        assert link.rstrip("/").rsplit("/", 1)[1] not in phone.url
        shot(phone, "child-word")
        phone.get_by_label("Your memorable word").fill(WORD.lower())
        with phone.expect_navigation():
            phone.get_by_role("button", name="Carry on").click()
        assert "Alex" in phone.content()
        assert "Morgan" not in phone.content()
        shot(phone, "child-home")
        phone.get_by_role("link", name="1. How things are").click()
        phone.get_by_label("Where I live").fill("I like my room and my carers.")
        phone.get_by_label("What worries me").fill(WORRY)
        phone.get_by_label("What I want to happen next").fill("To see my brother more.")
        shot(phone, "child-how-things-are")
        with phone.expect_navigation():
            phone.get_by_role("button", name="Save and carry on").click()
        phone.get_by_label("Who I want at my meeting").fill("My carer and my brother")
        phone.get_by_role("group", name="Where I want to meet").get_by_label("My school or college").check()
        phone.get_by_label("I'd like to chair part of it").check()
        phone.get_by_role("group", name="Would you like to talk to your IRO on your own first?").get_by_label(
            "Yes"
        ).check()
        shot(phone, "child-my-meeting")
        with phone.expect_navigation():
            phone.get_by_role("button", name="Save and carry on").click()
        phone.get_by_label("Just for my IRO").fill(PRIVATE)
        shot(phone, "child-just-for-my-iro")
        with phone.expect_navigation():
            phone.get_by_role("button", name="Save and carry on").click()
        assert PRIVATE in phone.content()
        assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        shot(phone, "child-check-and-send")
        with phone.expect_navigation():
            phone.get_by_role("button", name="Send to my IRO").click()
        assert "Sent to your IRO" in phone.content()
        shot(phone, "child-sent")
        context.close()
        sent = MyReviewResponse.objects.get(review=review)
        assert sent.chair == "part"
        assert sent.venue == "School"

        # The IRO sees it on the review page before the review, the private note too.
        iro_page.goto(f"{live_server.url}/reviews/{review.pk}/")
        answers = iro_page.get_by_test_id("my-review")
        answers.get_by_text("What the child sent").click()
        assert WORRY in answers.inner_text()
        assert "I'd like to chair part of it" in answers.inner_text()
        assert "My school or college" in answers.inner_text()
        assert PRIVATE in iro_page.get_by_test_id("my-review-private").inner_text()
        answers.scroll_into_view_if_needed()
        shot(iro_page, "iro-sees-the-answers")

        # Business support's view of the review has the meeting choices, never the private note.
        support_page = _sign_in(browser, live_server, support.username)
        support_page.goto(f"{live_server.url}/reviews/{review.pk}/")
        assert PRIVATE not in support_page.content()
        assert WORRY not in support_page.content()
        shot(support_page, "support-review-page")
        support_page.goto(f"{live_server.url}/reviews/{review.pk}/book/")
        assert "My school or college" in support_page.content()
        assert PRIVATE not in support_page.content()
        shot(support_page, "support-book-page")
        support_page.close()

        # Two days later the IRO chairs the review and records it on the chair's record page.
        traveller.move_to(datetime(2026, 3, 4, 14, 0, tzinfo=LONDON))
        iro_page.close()  # signed out by then (the idle timeout): sign in again
        iro_page = _sign_in(browser, live_server, iro.username)
        iro_page.goto(f"{live_server.url}/reviews/{review.pk}/")
        iro_page.get_by_label("Participation code").select_option("PN1")
        iro_page.get_by_label("The child's views, in their words").fill("I like it here. I want to see my brother.")
        iro_page.locator("#id_decisions-0-text").fill("Arrange family time with her brother every fortnight.")
        iro_page.locator("#id_decisions-0-owner").fill("Social worker")
        iro_page.locator("#id_decisions-0-deadline").fill("2026-03-31")
        iro_page.locator("#id_decisions-0-for_child").fill(FOR_CHILD)
        iro_page.locator("#id_held_on").fill("2026-03-04")
        shot(iro_page, "iro-chairs-record")
        iro_page.get_by_role("button", name="Mark held").click()
        assert "Review marked held on Wed 4 Mar 2026" in iro_page.content()

        # Minutes (never the private note), outcomes and the letter, issued.
        minutes = _pdf_text(_produce(iro_page, "minutes", "minutes", issue=False))
        assert "Maya" in minutes  # the minutes were read
        assert "secret diary" not in minutes
        assert "bus driver" not in minutes
        _produce(iro_page, "outcomes", "outcomes", issue=True)
        letter = _pdf_text(_produce(iro_page, "letter", "letter to the child", issue=True))
        assert FOR_CHILD in letter
        shot(iro_page, "iro-documents-issued")

        # After the review: the link renewed, the letter read, "listened to" answered.
        listened = after_review_steps(
            browser,
            live_server.url,
            iro_page,
            Review.objects.get(pk=review.pk),
            word=WORD,
            folder=folder,
            first_step=step,
            expected_in_letter=("Dear Maya,", FOR_CHILD, "I like it here. I want to see my brother."),
        )
        iro_page.close()

    assert listened.answer == "a_bit"
    assert sorted(path.name for path in folder.glob("*.png"))[-1].endswith("iro-sees-listened-to.png")
