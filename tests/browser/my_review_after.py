""" "My review" after the review, in a real browser: steps shared by the journeys of each version
(tests/browser/test_my_review_journey.py for the older one; the younger one appends them too).

Call `after_review_steps` once the review is held and its letter issued, with the IRO's page
signed in and `base_url` the live server's. It renews the link from the review page, opens it as
the child on a phone in a new browser context, checks the letter, answers "Did you feel listened
to?" with a face, changes the answer, and checks the IRO sees it on the review page. It saves a
screenshot of each step and returns the answer stored."""

from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page

from reviews.models import MyReviewListenedTo, Review

PHONE = {"width": 390, "height": 844}


def renew_link(iro_page: Page, base_url: str, review: Review, *, word: str = "") -> str:
    """From the review page: *My review after the review*, renew (keeping the child's word unless
    `word` is given); returns the path of the link on the card (the card's host is IRO_SITE_URL)."""
    iro_page.goto(f"{base_url}/reviews/{review.pk}/")
    iro_page.get_by_role("link", name="My review after the review").click()
    if word:
        iro_page.get_by_label("Memorable word (leave blank to keep the child's word)").fill(word)
    with iro_page.expect_navigation():
        iro_page.get_by_role("button", name="Renew the link and show the card").click()
    return urlsplit(iro_page.get_by_test_id("card-link").inner_text()).path


def after_review_steps(
    browser: Browser,
    base_url: str,
    iro_page: Page,
    review: Review,
    *,
    word: str,
    folder: Path,
    first_step: int,
    expected_in_letter: tuple[str, ...] = (),
    answer: str = "Yes",
    changed_to: str = "A bit",
) -> MyReviewListenedTo:
    """The IRO renews the link; the child opens it (390 px), reads the letter, answers
    "Did you feel listened to?" with `answer`, then changes it to `changed_to`; the IRO sees it."""
    step = first_step

    def shot(page: Page, name: str) -> None:
        nonlocal step
        page.screenshot(path=folder / f"{step:02d}-{name}.png", full_page=True)
        step += 1

    link = renew_link(iro_page, base_url, review)
    assert "Your letter about your review is here." in iro_page.get_by_test_id("my-review-card").inner_text()
    shot(iro_page, "iro-renews-the-link-after-the-review")

    context = browser.new_context(viewport=PHONE)
    child = context.new_page()
    try:
        child.goto(f"{base_url}{link}")
        token = link.rstrip("/").rsplit("/", 1)[1]
        assert token not in child.url  # swapped for a session and redirected
        child.get_by_label("Your memorable word").fill(word)
        with child.expect_navigation():
            child.get_by_role("button", name="Carry on").click()
        assert child.url.endswith("/my-review/your-letter/")
        letter = child.get_by_test_id("letter").inner_text()
        for wording in expected_in_letter:
            assert wording in letter, wording
        assert child.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        shot(child, "child-reads-the-letter")

        faces = child.get_by_role("group", name="Did you feel listened to?")
        assert faces.get_by_role("radio").count() == 3
        assert faces.locator("svg[aria-hidden=true]").count() == 3
        faces.get_by_text(answer, exact=True).click()  # the face's label: the picture and its word
        assert faces.get_by_role("radio", name=answer, exact=True).is_checked()
        shot(child, "child-chooses-a-face")
        with child.expect_navigation():
            child.get_by_role("button", name="Send my answer").click()
        assert f"You answered: {answer}." in child.get_by_test_id("listened-state").inner_text()
        shot(child, "child-answer-sent")

        faces = child.get_by_role("group", name="Did you feel listened to?")
        faces.get_by_text(changed_to, exact=True).click()
        with child.expect_navigation():
            child.get_by_role("button", name="Send my answer").click()
        assert f"You answered: {changed_to}." in child.get_by_test_id("listened-state").inner_text()
        shot(child, "child-changes-the-answer")
    finally:
        context.close()

    iro_page.goto(f"{base_url}/reviews/{review.pk}/")
    shown = iro_page.get_by_test_id("my-review-listened").inner_text()
    assert f"{changed_to} (answered" in shown
    iro_page.get_by_test_id("my-review-listened").scroll_into_view_if_needed()
    shot(iro_page, "iro-sees-listened-to")
    return MyReviewListenedTo.objects.get(review=review)
