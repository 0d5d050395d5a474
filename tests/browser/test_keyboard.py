"""Keyboard only (WCAG 2.1.1, 2.4.7, 2.4.11): an IRO signs in, finds a child, records a visit and
marks the review held with Tab, Shift+Tab, typing, Space and Enter; never the mouse.

The child is found by tabbing through the caseload list (the header search box has its own tests,
tests/caseload/test_finding_and_seeing.py). Each focused control must show the focus indicator:
its computed outline or box-shadow is drawn, in the GOV.UK yellow, and the screenshots show it.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from reviews.codes import ReviewStatus
from reviews.models import Review, Visit
from tests.factories import IROFactory, child_in_care

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"
FOCUS_YELLOW = "rgb(255, 221, 0)"

# What the focused element shows: its outline, shadow and background as computed.
_FOCUS_STYLE_JS = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    tag: element.tagName.toLowerCase(),
    id: element.id,
    text: (element.innerText || element.value || "").trim().slice(0, 60),
    outlineStyle: style.outlineStyle,
    outlineWidth: style.outlineWidth,
    outlineColor: style.outlineColor,
    boxShadow: style.boxShadow,
    background: style.backgroundColor,
  };
}"""


def _tab_to(page, selector: str, *, limit: int = 80, backwards: bool = False) -> dict:
    """Presses Tab (or Shift+Tab) until the focused element matches `selector`; returns its focus style."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            style = page.evaluate(_FOCUS_STYLE_JS)
            _assert_focus_visible(style)
            return style
    raise AssertionError(f"{selector} never got the focus after {limit} presses of Tab on {page.url}")


def _assert_focus_visible(style: dict) -> None:
    outline = style["outlineStyle"] != "none" and style["outlineWidth"] != "0px"
    shadow = style["boxShadow"] != "none"
    assert outline or shadow, f"no focus indicator on {style}"
    # The yellow is drawn: as the outline (fields), or as the background with a dark shadow (links, buttons).
    assert FOCUS_YELLOW in (style["outlineColor"], style["background"]) or FOCUS_YELLOW in style["boxShadow"], style


def _date_keys(context) -> str:
    """The strftime order in which this browser's date fields take typed digits: Chromium shows
    them in the order of its own locale (US order in Debian's headless build, whatever the page's
    language), so the test types what a person in front of this browser would."""
    probe = context.new_page()
    probe.set_content('<input type="date" id="d" aria-label="probe">')
    probe.focus("#d")
    probe.keyboard.type("01022003")
    value = probe.eval_on_selector("#d", "field => field.value")
    probe.close()
    assert value in ("2003-02-01", "2003-01-02"), value
    return "%d%m%Y" if value == "2003-02-01" else "%m%d%Y"


def test_sign_in_find_a_child_record_a_visit_and_the_review_by_keyboard(browser, live_server, screenshot_dir):
    today = timezone.localdate()
    iro = IROFactory(username="iro", first_name="Alex", last_name="Morgan")
    for old in screenshot_dir.glob("*.png"):
        old.unlink()
    child, review = child_in_care(iro, start=today - timedelta(days=10), born=date(2015, 6, 1))
    child.first_name, child.last_name = "Zara", "Jones"
    child.save(update_fields=["first_name", "last_name"])
    child_in_care(iro, start=today - timedelta(days=30), born=date(2010, 2, 3))

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    date_keys = _date_keys(context)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")

    # The username field has the focus when the page opens (Django's sign-in form asks for it).
    assert page.evaluate("document.activeElement.id") == "id_username"
    _assert_focus_visible(page.evaluate(_FOCUS_STYLE_JS))
    page.keyboard.type("iro")
    page.screenshot(path=screenshot_dir / "1-username-focused.png")
    _tab_to(page, "#id_password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="My caseload").is_visible()

    # The first Tab on a page reaches the skip link, shown and focused.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    _assert_focus_visible(page.evaluate(_FOCUS_STYLE_JS))
    page.screenshot(path=screenshot_dir / "2-skip-link-focused.png")

    # A menu link on the blue bar, focused: yellow, dark text.
    style = _tab_to(page, "nav a[href='/caseload/dashboard/']")
    assert style["background"] == FOCUS_YELLOW
    page.screenshot(path=screenshot_dir / "3-menu-link-focused.png")

    # The child, found in the caseload list.
    _tab_to(page, f"main a[href='/caseload/children/{child.pk}/']")
    page.screenshot(path=screenshot_dir / "4-child-in-caseload-focused.png", full_page=True)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Zara Jones").is_visible()

    # Record a visit: the date typed day, month, year; "Y" chooses Yes for "Seen alone" (a required choice).
    _tab_to(page, f"main a[href='/reviews/children/{child.pk}/visits/new/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visited = today - timedelta(days=1)
    _tab_to(page, "#id_visited_on")
    page.keyboard.type(visited.strftime(date_keys))
    page.screenshot(path=screenshot_dir / "5-visit-date-focused.png")
    _tab_to(page, "#id_seen_alone")
    page.keyboard.press("y")
    page.screenshot(path=screenshot_dir / "6-checkbox-focused.png")
    _tab_to(page, "#id_notes")
    page.keyboard.type("Zara showed me her new room.")
    _tab_to(page, "main button[type=submit]")
    page.screenshot(path=screenshot_dir / "7-record-visit-button-focused.png")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Visit recorded." in page.content()

    # The review: a code chosen with the arrow keys, a view typed, marked held with Space.
    _tab_to(page, f"main a[href='/reviews/{review.pk}/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _tab_to(page, "#id_held_on")
    page.keyboard.type(today.strftime(date_keys))
    _tab_to(page, "#id_participation_code")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.screenshot(path=screenshot_dir / "8-review-code-focused.png")
    _tab_to(page, "#id_child_views")
    page.keyboard.type("I like it here.")
    style = _tab_to(page, "main button[name=mark_held]")
    assert style["text"] == "Mark held"
    page.screenshot(path=screenshot_dir / "9-mark-held-focused.png")
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert "Review marked held" in page.content()
    page.screenshot(path=screenshot_dir / "10-held.png", full_page=True)
    context.close()

    visit = Visit.objects.get(child=child)
    assert (visit.visited_on, visit.seen_alone, visit.notes) == (visited, True, "Zara showed me her new room.")
    review.refresh_from_db()
    assert review.status == ReviewStatus.HELD
    assert review.held_on == today
    assert review.participation_code
    assert review.child_views == "I like it here."
    assert Review.objects.filter(child=child, status=ReviewStatus.DUE).exists()  # the next one
