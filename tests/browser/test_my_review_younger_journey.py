""" "My review", the younger version, in real browsers: the IRO invites an 8-year-old; the child,
on a phone (390 px wide), opens the link, gives the word, picks faces, chooses a venue, says
something just for the IRO and sends it; the IRO reads it on the review page before the review;
business support's view and the minutes do not hold the private note; the review is held; the
outcomes and the letter are issued, the IRO renews the link, and the child reads their letter and
says whether they felt listened to (tests/browser/my_review_after.py, shared with the older journey).

The journey is a list of steps sharing one `Journey` (STEPS, at the end): a later step (the
after-review letter, say) is one more function appended there. Screenshots of every step go to
test-output/screenshots/my_review_younger/ (git-ignored)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from accounts.models import User
from children.codes import AllocationKind, LegalStatus
from children.models import Allocation, Child
from reviews.codes import ReviewStatus
from reviews.models import MyReviewResponse, Review
from reviews.services import child_come_into_care, review_book
from tests.browser.my_review_after import after_review_steps
from tests.browser.test_my_review_journey import _produce
from tests.browser.test_review_journey import _sign_in, eager_tasks  # noqa: F401  (a fixture)
from tests.factories import BusinessSupportFactory, ChildFactory, IROFactory

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "test-output" / "screenshots" / "my_review_younger"
PHONE = {"width": 390, "height": 844}
WORD = "Rainbow"
PRIVATE = "I miss my dog Biscuit and I cry at night"
GOOD_THING = "I got a gold star for reading"


@dataclass
class Journey:
    """What the steps share: the browser and server, the clock, the people and the review, and
    what earlier steps left for later ones (the card's link, the child's browser)."""

    browser: Browser
    live_server_url: str
    traveller: time_machine.Traveller
    iro: User
    support: User
    child: Child
    review: Review
    link_path: str = ""
    child_page: Page | None = None
    shots: list[str] = field(default_factory=list)

    def shot(self, page: Page, name: str) -> None:
        path = SCREENSHOTS / f"{len(self.shots) + 1:02d}-{name}.png"
        page.screenshot(path=path, full_page=True)
        self.shots.append(path.name)

    def sign_in(self, user: User) -> Page:
        return _sign_in(self.browser, _Server(self.live_server_url), user.username)


@dataclass
class _Server:
    url: str


def iro_invites_the_child(journey: Journey) -> None:
    page = journey.sign_in(journey.iro)
    page.goto(f"{journey.live_server_url}/reviews/{journey.review.pk}/")
    page.get_by_role("link", name="My review invitation").click()
    # Zara is 8 on the review day: the younger version is chosen for her.
    assert "younger version (faces and short choices)" in page.get_by_test_id("suggested-version").inner_text()
    assert page.get_by_label("Younger (under 11): faces and short choices").is_checked()
    page.get_by_label("Memorable word").fill(WORD)
    journey.shot(page, "iro-invites")
    page.get_by_role("button", name="Make the invitation and show the card").click()
    journey.link_path = urlsplit(page.get_by_test_id("card-link").inner_text()).path
    journey.shot(page, "iro-card")
    page.close()


def child_fills_in_the_younger_version(journey: Journey) -> None:
    journey.traveller.move_to(datetime(2026, 3, 5, 17, 30, tzinfo=LONDON))
    context = journey.browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = journey.child_page = context.new_page()
    page.goto(f"{journey.live_server_url}{journey.link_path}")
    assert journey.link_path not in page.url  # the token is swapped for a session at once
    page.get_by_label("Your memorable word").fill(WORD)
    journey.shot(page, "child-word")
    page.get_by_role("button", name="Carry on").click()
    assert "Alex" in page.content()  # the IRO's first name, and no other name
    assert "Morgan" not in page.content()
    assert "Zara" not in page.content()
    journey.shot(page, "child-home")

    page.get_by_role("link", name="How things are").click()
    page.get_by_role("group", name="Where I live").get_by_label("Good", exact=True).check()
    page.get_by_role("group", name="School").get_by_label("OK", exact=True).check()
    page.get_by_role("group", name="Seeing my family").get_by_label("Not good").check()
    page.get_by_role("group", name="My friends").get_by_label("Good", exact=True).check()
    page.get_by_label("What is good?").fill(GOOD_THING)
    journey.shot(page, "child-faces")
    page.get_by_role("button", name="Save and carry on").click()
    assert "Saved." in page.content()

    page.get_by_label("Who would you like at your meeting?").fill("My foster carer")
    page.get_by_role("group", name="Where would you like to meet?").get_by_label("A family centre").check()
    page.get_by_role("group", name="When would you like to meet?").get_by_label("After school").check()
    page.get_by_role("group", name="Would you like to help run your meeting?").get_by_label("Yes, some of it").check()
    page.get_by_role("group", name="Would you like someone to help you say what you think?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("group", name="Would you like to talk to your IRO on your own first?").get_by_label(
        "Not sure"
    ).check()
    journey.shot(page, "child-meeting")
    page.get_by_role("button", name="Save and carry on").click()

    page.get_by_label("Just for my IRO").fill(PRIVATE)
    journey.shot(page, "child-private")
    page.get_by_role("button", name="Save and carry on").click()
    assert page.get_by_role("heading", name="Check and send").is_visible()
    check = page.locator("main").inner_text()
    for words in ("Good", "Not good", GOOD_THING, "A family centre", "Yes, some of it", PRIVATE):
        assert words in check, words
    journey.shot(page, "child-check")
    page.get_by_role("button", name="Send to my IRO").click()
    assert "Sent to your IRO" in page.content()
    assert "You sent your answers on 5 March 2026." in page.get_by_test_id("sent-state").inner_text()
    journey.shot(page, "child-sent")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.context.close()


def iro_reads_it_before_the_review(journey: Journey) -> None:
    journey.traveller.move_to(datetime(2026, 3, 6, 9, 0, tzinfo=LONDON))
    assert Review.objects.get(pk=journey.review.pk).status == ReviewStatus.BOOKED
    page = journey.sign_in(journey.iro)
    page.goto(f"{journey.live_server_url}/reviews/{journey.review.pk}/")
    page.get_by_test_id("my-review").get_by_text("What the child sent").click()
    sent = page.locator("details").filter(has_text="What the child sent").inner_text()
    for question, answer in (
        ("Where I live: face", "Good"),
        ("School: face", "OK"),
        ("Family time: face", "Not good"),
        ("Friends: face", "Good"),
    ):
        assert f"{question}\n{answer}" in sent or f"{question}\t{answer}" in sent, (question, sent)
    assert GOOD_THING in sent
    assert "A family centre" in sent
    assert PRIVATE in page.get_by_test_id("my-review-private").inner_text()
    journey.shot(page, "iro-reads-it")
    page.close()


def business_support_does_not_see_the_private_note(journey: Journey) -> None:
    page = journey.sign_in(journey.support)
    page.goto(f"{journey.live_server_url}/reviews/{journey.review.pk}/")
    assert page.get_by_role("heading", level=1).count()
    assert PRIVATE not in page.content()
    assert "Biscuit" not in page.content()
    journey.shot(page, "support-review")
    page.goto(f"{journey.live_server_url}/reviews/{journey.review.pk}/book/")
    assert "A family centre" in page.get_by_test_id("my-review-meeting").inner_text()
    assert PRIVATE not in page.content()
    journey.shot(page, "support-booking")
    page.close()


def the_review_is_held(journey: Journey) -> None:
    journey.traveller.move_to(datetime(2026, 3, 10, 14, 0, tzinfo=LONDON))
    page = journey.sign_in(journey.iro)
    page.goto(f"{journey.live_server_url}/reviews/{journey.review.pk}/")
    page.get_by_label("Participation code").select_option("PN1")
    page.get_by_label("Parents participated").select_option("True")
    page.get_by_label("What are we worried about?").fill("Family time has been cancelled twice.")
    page.get_by_label("What is working well?").fill("Zara is happy at school.")
    page.get_by_label("What needs to happen?").fill("Family time every week.")
    page.get_by_label("The child's views, in their words").fill("Home is good. I want to see my mum more.")
    page.locator("#id_decisions-0-text").fill("Family time every week, with a back-up day.")
    page.locator("#id_decisions-0-owner").fill("Social worker")
    page.locator("#id_decisions-0-deadline").fill("2026-03-31")
    page.locator("#id_held_on").fill("2026-03-10")
    journey.shot(page, "iro-records")
    page.get_by_role("button", name="Mark held").click()
    assert "Review marked held on Tue 10 Mar 2026" in page.content()
    journey.shot(page, "held")
    page.close()
    assert Review.objects.get(pk=journey.review.pk).status == ReviewStatus.HELD


def the_minutes_do_not_hold_the_private_note(journey: Journey) -> None:
    page = journey.sign_in(journey.iro)
    page.goto(f"{journey.live_server_url}/reviews/{journey.review.pk}/")
    page.get_by_label("Document", exact=True).select_option("minutes")
    page.get_by_role("button", name="Produce").click()
    row = page.get_by_test_id("document-minutes-v1")
    assert "Ready" in row.inner_text()
    journey.shot(page, "minutes-ready")
    with page.expect_download() as download:
        row.get_by_role("link", name="Download").click()
    reader = PdfReader(BytesIO(Path(download.value.path()).read_bytes()))
    text = " ".join(" ".join((pdf_page.extract_text() or "").split()) for pdf_page in reader.pages)
    assert "Family time every week, with a back-up day." in text  # the minutes were read
    assert "Biscuit" not in text
    assert "cry at night" not in text
    page.close()


def the_child_reads_the_letter_and_says_if_listened_to(journey: Journey) -> None:
    journey.traveller.move_to(datetime(2026, 3, 12, 10, 0, tzinfo=LONDON))
    page = journey.sign_in(journey.iro)
    page.goto(f"{journey.live_server_url}/reviews/{journey.review.pk}/")
    _produce(page, "outcomes", "outcomes", issue=True)
    _produce(page, "letter", "letter to the child", issue=True)
    journey.shot(page, "iro-documents-issued")
    listened = after_review_steps(
        journey.browser,
        journey.live_server_url,
        page,
        Review.objects.get(pk=journey.review.pk),
        word=WORD,
        folder=SCREENSHOTS,
        first_step=len(journey.shots) + 1,
        expected_in_letter=("Dear Zara,", "Home is good. I want to see my mum more."),
        answer="A bit",
        changed_to="Yes",
    )
    page.close()
    assert listened.answer == "yes"


# The journey's steps, in order: append a step here to carry it on.
STEPS = [
    iro_invites_the_child,
    child_fills_in_the_younger_version,
    iro_reads_it_before_the_review,
    business_support_does_not_see_the_private_note,
    the_review_is_held,
    the_minutes_do_not_hold_the_private_note,
    the_child_reads_the_letter_and_says_if_listened_to,
]


def test_an_8_year_old_tells_their_iro_with_faces(browser, live_server, eager_tasks):  # noqa: F811
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), tick=True) as traveller:
        support = BusinessSupportFactory(username="support", first_name="Jo", last_name="Bennett")
        iro = IROFactory(username="iro", first_name="Alex", last_name="Morgan")
        child = ChildFactory(first_name="Zara", last_name="Jones", date_of_birth=date(2017, 9, 1))
        review = child_come_into_care(
            child=child,
            start=date(2026, 2, 16),
            episode_fields={"legal_status": LegalStatus.C1, "category_of_need": "N1", "placement_type": "U6"},
        )
        Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=date(2026, 2, 16))
        review = review_book(
            review=review,
            booked_for=datetime(2026, 3, 10, 10, 0, tzinfo=LONDON),
            venue="School",
            venue_chosen_by_child=False,
            booked_by=support,
        )
        journey = Journey(
            browser=browser,
            live_server_url=live_server.url,
            traveller=traveller,
            iro=iro,
            support=support,
            child=child,
            review=review,
        )
        for step in STEPS:
            step(journey)
    answers = MyReviewResponse.objects.get(review=review)
    assert (answers.version, answers.family_time_face, answers.venue) == ("younger", "not_good", "Family centre")
    assert answers.advocate is True
    assert answers.talk_alone_first is None  # "Not sure"
