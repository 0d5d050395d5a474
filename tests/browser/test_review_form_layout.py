"""The review form at 1366 px with three decisions: "Add another decision"
adds a row without script, nothing spills off the right edge, and the fields have room."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from children.codes import AllocationKind, LegalStatus
from children.models import Allocation
from reviews.models import Decision
from reviews.services import child_come_into_care
from tests.factories import ChildFactory, IROFactory

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
PASSWORD = "correct-horse-battery"


def test_three_decisions_fit_at_1366(browser, live_server, screenshot_dir):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), tick=True):
        iro = IROFactory(username="iro", first_name="Alex", last_name="Morgan")
        child = ChildFactory(first_name="Zara", last_name="Jones", date_of_birth=date(2015, 6, 1))
        review = child_come_into_care(
            child=child,
            start=date(2026, 2, 16),
            episode_fields={"legal_status": LegalStatus.C1, "category_of_need": "N1", "placement_type": "U6"},
        )
        Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=date(2026, 2, 16))
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(iro.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/reviews/{review.pk}/")

        texts = [
            "Arrange family time with her brother every fortnight, supervised by the carers at first.",
            "Book a PEP meeting with the designated teacher before the Easter holidays.",
            "Refer Zara to the children's advocacy service and tell her who her advocate is.",
        ]
        owners = ["Social worker (Sam Patel)", "Virtual school head", "Independent Reviewing Officer"]
        for index in range(2):
            page.locator(f"#id_decisions-{index}-text").fill(texts[index])
            page.locator(f"#id_decisions-{index}-owner").fill(owners[index])
            page.locator(f"#id_decisions-{index}-deadline").fill(f"2026-04-0{index + 1}")
        page.get_by_role("button", name="Add another decision").click()
        page.wait_for_load_state()
        assert page.locator("[data-testid=decision-row]").count() == 3
        assert page.locator("#id_decisions-0-text").input_value() == texts[0]  # kept what was typed
        page.locator("#id_decisions-2-text").fill(texts[2])
        page.locator("#id_decisions-2-owner").fill(owners[2])
        page.locator("#id_decisions-2-deadline").fill("2026-04-03")
        page.get_by_role("button", name="Save draft").click()
        page.wait_for_load_state()
        assert "Record saved." in page.content()
        assert Decision.objects.filter(review=review).count() == 3

        page.locator("fieldset", has_text="Decisions").scroll_into_view_if_needed()
        # Nothing wider than the page; each field shows its whole value and the date box its whole date.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        for index in range(3):
            owner = page.locator(f"#id_decisions-{index}-owner")
            assert owner.evaluate("el => el.scrollWidth <= el.clientWidth"), owners[index]
            deadline = page.locator(f"#id_decisions-{index}-deadline")
            assert deadline.bounding_box()["width"] >= 150
            delete = page.locator(f"#id_decisions-{index}-DELETE")
            box, right = delete.bounding_box(), page.locator("main").bounding_box()
            assert box["x"] + box["width"] <= right["x"] + right["width"]
        page.locator("fieldset", has_text="Decisions").screenshot(path=screenshot_dir / "decisions-1366.png")
        page.screenshot(path=screenshot_dir / "review-1366.png", full_page=True)
        page.close()
