"""The chair's record with what the child sent in My review: beside the Signs of Safety fields at
1366 px, above them at 390 px, nothing wider than a phone, and axe-clean at both widths (with the
invitation page offering the email)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from reviews import my_review
from tests.browser.test_accessibility import AXE_JS, DESKTOP, PHONE, Scanner
from tests.factories import IROFactory, child_in_care

pytestmark = pytest.mark.django_db(transaction=True)


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_the_childs_answers_sit_beside_the_record_and_stack_on_a_phone(browser, live_server, screenshot_dir):
    assert AXE_JS.exists(), f"{AXE_JS} is missing: `make test` installs axe-core (README, Accessibility)."
    iro = IROFactory(username="iro", first_name="Alex", last_name="Morgan")
    child, review = child_in_care(iro, start=timezone.localdate() - timedelta(days=10), born=date(2011, 5, 1))
    child.email = "young.person@example.org"
    child.save()
    new = my_review.invitation_create(
        review=review, word="Mango", version="older", created_by=iro, today=timezone.localdate()
    )
    my_review.response_save(
        invitation=new.invitation,
        answers={
            "where_i_live": "I like my room but the house is noisy at night and I can't sleep before exams.",
            "worries": "I worry about moving school in September, and about seeing my brother less.",
            "next_steps": "I want to stay here until the end of year 11.",
            "chair": "part",
            "advocate": True,
            "private_note": "Please don't tell my carer about the detention.",
        },
    )
    my_review.response_submit(invitation=new.invitation, today=timezone.localdate())

    staff = Scanner(browser, live_server, screenshot_dir, "iro")
    staff.sign_in("iro")
    staff.visit(f"/reviews/{review.pk}/", "record-with-my-review")
    page = staff.page
    aside, fields = "[data-testid=record-my-review]", "#id_worried_about"

    page.set_viewport_size(DESKTOP)
    beside, field = _box(page, aside), _box(page, fields)
    assert beside["x"] >= field["x"] + field["width"], (beside, field)  # to the right of the fields
    assert beside["y"] < field["y"] + field["height"], (beside, field)  # level with them
    assert page.locator("#id_child_views").input_value().startswith("Where I live: I like my room")

    page.set_viewport_size(PHONE)
    above, field = _box(page, aside), _box(page, fields)
    assert above["y"] + above["height"] <= field["y"], (above, field)  # stacked: the child's words first
    assert above["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator(aside).screenshot(path=screenshot_dir / "my-review-beside-record-390.png")
    page.set_viewport_size(DESKTOP)
    page.locator("[data-testid=signs-of-safety]").screenshot(path=screenshot_dir / "my-review-beside-record-1366.png")

    staff.visit(f"/reviews/{review.pk}/my-review/", "invite-with-email")
    assert page.get_by_label("Also email the link and code to young.person@example.org").is_checked()

    violations, overflows = staff.violations, staff.overflows
    staff.close()
    assert not violations, "\n".join(violations)
    assert not overflows, "\n".join(overflows)
