"""Care events in a real browser (docs/domain.md, "Care events that move the clock"): a placement
change, a legal status change ending remand, a child placed for adoption, a child leaving care (no
review due, no reminder) and a return to care, each through its page, with the early-review prompt
answered."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils.formats import date_format

from accounts import services as notification_services
from accounts.models import Notification
from audits.reminders import reminders_sweep
from children.codes import AllocationKind, LegalStatus
from children.models import Allocation, PeriodOfCare
from reviews.care_event_models import CareEvent
from reviews.codes import ReviewStatus
from reviews.models import Review
from reviews.services import child_come_into_care, review_record_held
from reviews.timescales import add_working_days
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


def _in_care(iro, *, first_name, start, legal_status, placement_type, born=date(2012, 6, 1)):
    child = ChildFactory(first_name=first_name, last_name="Care", date_of_birth=born)
    review = child_come_into_care(
        child=child,
        start=start,
        episode_fields={"legal_status": legal_status, "category_of_need": "N1", "placement_type": placement_type},
    )
    Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=start)
    return child, review


def _open_child(page, child):
    with page.expect_navigation():
        page.get_by_role("link", name="All caseloads").click()
    # At this width the caseload is a table (the cards are for phones).
    page.get_by_role("table").get_by_role("link", name=child.display_name).click()


def _open_care_events(page, child):
    _open_child(page, child)
    page.get_by_role("link", name="Care events").click()


def _outstanding(child) -> Review:
    return Review.objects.get(child=child, status__in=(ReviewStatus.DUE, ReviewStatus.BOOKED))


def test_care_events_move_the_clock(browser, live_server, screenshot_dir, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), tick=True) as traveller:
        support = BusinessSupportFactory(username="support", first_name="Jo", last_name="Bennett")
        iro = IROFactory(username="iro", first_name="Alex", last_name="Morgan")
        # Remanded (J1) in a children's home since 16 Feb.
        remanded, remanded_review = _in_care(
            iro, first_name="Remi", start=date(2026, 2, 16), legal_status=LegalStatus.J1, placement_type="K2"
        )
        # A placement order (E1), with foster carers who are approved adopters, for over a year.
        adopted, adopted_review = _in_care(
            iro, first_name="Ada", start=date(2025, 1, 6), legal_status=LegalStatus.E1, placement_type="U5"
        )
        review_record_held(review=adopted_review, held_on=date(2026, 1, 5), chair=iro, participation_code="PN1")

        page = _sign_in(browser, live_server, support.username)

        # 1. A placement change: the prompt (reg 32(2)), answered "no early review".
        _open_care_events(page, remanded)
        page.screenshot(path=screenshot_dir / "1-care-events.png", full_page=True)
        page.get_by_role("link", name="Change of placement", exact=True).click()
        page.get_by_label("Date of the move").fill("2026-03-02")
        page.locator("#id_reason_new_episode_0").check()  # P: new carers
        page.locator("#id_placement_type").select_option("U6")
        page.locator("#id_placement_postcode").fill("MK9 3EJ")
        page.locator("#id_reason_place_change").select_option("CARPL")
        page.screenshot(path=screenshot_dir / "2-placement-form.png", full_page=True)
        page.get_by_role("button", name="Record the move").click()
        assert "Change of placement recorded from Mon 2 Mar 2026." in page.content()
        assert "reg 32(2)" in page.get_by_test_id("early-review-why").inner_text()
        page.screenshot(path=screenshot_dir / "3-placement-prompt.png", full_page=True)
        page.locator("#id_choice_1").check()  # No early review
        page.get_by_role("button", name="Continue").click()
        assert "There is a problem" in page.content()  # no reason given
        page.get_by_label("Why no early review").fill("The move was agreed at the review on 20 February.")
        page.get_by_role("button", name="Continue").click()
        assert "Recorded: no early review." in page.content()
        page.screenshot(path=screenshot_dir / "4-placement-recorded.png", full_page=True)

        # 2. A legal status change ending remand: reg 33(3)(c); "book an early review" opens the
        # booking with the reason filled in.
        page.get_by_role("link", name="Change of legal status", exact=True).click()
        page.get_by_label("Date the new legal status began").fill("2026-03-03")
        page.locator("#id_legal_status").select_option("C1")
        page.get_by_role("button", name="Record the change").click()
        assert "reg 33(3)(c)" in page.get_by_test_id("early-review-why").inner_text()
        page.screenshot(path=screenshot_dir / "5-legal-status-prompt.png", full_page=True)
        page.locator("#id_choice_0").check()  # Book an early review
        page.get_by_role("button", name="Continue").click()
        assert page.locator("#id_early_review_reason").input_value() == "s21_ending"
        page.screenshot(path=screenshot_dir / "6-booking-early.png", full_page=True)

        # 3. Placed for adoption: the next review and the rule that set it, as the clock stored them.
        _open_care_events(page, adopted)
        page.get_by_role("link", name="Placed for adoption", exact=True).click()
        page.get_by_label("Date placed for adoption").fill("2026-03-02")
        page.locator("#id_placement_type_2").check()  # A5: placement order, with current foster carers
        page.get_by_role("button", name="Record the placement").click()
        assert "Placed for adoption on Mon 2 Mar 2026." in page.content()
        page.locator("#id_choice_1").check()
        page.get_by_label("Why no early review").fill("The adoption review comes within 28 days.")
        page.get_by_role("button", name="Continue").click()
        outstanding = _outstanding(adopted)
        shown_due = page.get_by_test_id("care-events-next-due").inner_text()
        assert shown_due == f"Due by {date_format(outstanding.due_date)}"
        shown_rule = page.get_by_test_id("care-events-next-rule").inner_text()
        assert shown_rule == outstanding.due_rule[:1].upper() + outstanding.due_rule[1:]
        # AAR 2005 reg 36(3): 28 days after the placement (Mon 30 Mar 2026), sooner than reg 33's
        # six months after the review held on 5 Jan 2026. (The clock's own words are asserted above;
        # these pin the schedule.)
        assert outstanding.due_date == date(2026, 3, 30)
        assert outstanding.due_rule == "adoption review: 28 days after placement on Mon 2 Mar 2026"
        page.screenshot(path=screenshot_dir / "7-adoption-next-review.png", full_page=True)
        _open_child(page, adopted)
        assert page.get_by_test_id("next-review-due").inner_text().startswith("Due by Mon 30 Mar 2026")

        # 4. Leaving care: reminders were created for Remi's review; after leaving care no review is
        # due and none of them is emailed.
        reminders_sweep(today=date(2026, 3, 2))
        reminders = list(Notification.objects.filter(object_key=f"review:{remanded_review.pk}"))
        assert reminders
        traveller.move_to(datetime(2026, 3, 4, 10, 0, tzinfo=LONDON))
        page.close()
        page = _sign_in(browser, live_server, support.username)  # two days on: a new session
        _open_care_events(page, remanded)
        page.get_by_role("link", name="Leaving care", exact=True).click()
        page.get_by_label("Date care ended").fill("2026-03-05")
        page.locator("#id_reason_ended").select_option("E4A")
        page.get_by_role("button", name="Record leaving care").click()
        assert "in the future" in page.get_by_test_id("error-summary").inner_text()
        page.screenshot(path=screenshot_dir / "8-leaving-care-error.png", full_page=True)
        page.get_by_label("Date care ended").fill("2026-03-04")
        page.get_by_role("button", name="Record leaving care").click()
        assert "left care on Wed 4 Mar 2026 (E4A). No review is due now." in page.content()
        assert page.get_by_test_id("care-events-next-due").inner_text() == "No review due."
        page.screenshot(path=screenshot_dir / "9-left-care.png", full_page=True)
        remanded_review.refresh_from_db()
        assert remanded_review.status == ReviewStatus.CANCELLED
        mail.outbox = []
        for reminder in reminders:
            assert notification_services.notification_deliver(notification_id=reminder.pk) is False
        assert mail.outbox == []
        assert reminders_sweep(today=date(2026, 3, 4)) == 0

        # 5. Returning to care: a new period, the first review 20 working days on.
        page.get_by_role("link", name="Returning to care").click()
        page.get_by_label("Looked after again from").fill("2026-03-04")
        page.locator("#id_legal_status").select_option("V2")
        page.locator("#id_placement_type").select_option("U6")
        page.get_by_role("button", name="Record the return to care").click()
        assert "Care last ended on Wed 4 Mar 2026" in page.get_by_test_id("error-summary").inner_text()
        traveller.move_to(datetime(2026, 3, 9, 10, 0, tzinfo=LONDON))
        page.close()
        # Remi is not in care, so not on the caseload lists: the care events page's own address,
        # signing in on the way.
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(f"{live_server.url}{reverse('reviews:care_event_return', args=[remanded.pk])}")
        page.get_by_label("Username").fill(support.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("Looked after again from").fill("2026-03-09")
        page.locator("#id_legal_status").select_option("V2")
        page.locator("#id_placement_type").select_option("U6")
        page.get_by_role("button", name="Record the return to care").click()
        first_due = add_working_days(date(2026, 3, 9), 20)
        assert f"The first review is due by {date_format(first_due)}." in page.content()
        assert page.get_by_test_id("care-events-next-due").inner_text() == f"Due by {date_format(first_due)}"
        page.screenshot(path=screenshot_dir / "10-returned.png", full_page=True)
        page.close()

    assert PeriodOfCare.objects.filter(child=remanded).count() == 2
    kinds = list(CareEvent.objects.filter(child=remanded).order_by("pk").values_list("kind", "early_review_choice"))
    assert kinds == [
        ("placement", "none"),
        ("legal_status", "book"),
        ("left_care", ""),
        ("returned_to_care", ""),
    ]
    # reg 33(1): 20 working days from Mon 9 Mar 2026, skipping Good Friday (3 Apr) and Easter Monday (6 Apr).
    assert _outstanding(remanded).due_date == first_due == date(2026, 4, 8)
