"""Caseload lists at a phone's width (issue #16): a card per child with its next review due and
state, and no sideways scrolling; the table at a desktop's width."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories import BusinessSupportFactory, IROFactory, ManagerFactory, child_in_care

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# The three lists of children with a next review due: the IRO's home, All caseloads, Reviews to book.
LISTS = [("iro", "/caseload/mine/"), ("manager", "/caseload/all/"), ("support", "/reviews/to-book/")]


@pytest.fixture
def caseload():
    """Two children held by one IRO, both due within the reviews-to-book window."""
    today = timezone.localdate()
    iro = IROFactory(username="iro")
    ManagerFactory(username="manager")
    BusinessSupportFactory(username="support")
    children = [
        child_in_care(iro, start=today - timedelta(days=10), born=date(2014, 3, 9))[0],
        child_in_care(iro, start=today - timedelta(days=5), born=date(2011, 7, 2))[0],
    ]
    return [child.display_name for child in children]


def _signed_in(browser, live_server, username, viewport):
    page = browser.new_page(viewport=viewport)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


@pytest.mark.parametrize(("username", "path"), LISTS)
def test_phone_shows_each_child_as_a_card_with_next_due_and_state(browser, live_server, caseload, username, path):
    page = _signed_in(browser, live_server, username, PHONE)
    page.goto(f"{live_server.url}{path}")
    cards = page.get_by_test_id("child-card")
    assert cards.count() == len(caseload)
    for name in caseload:
        card = cards.filter(has=page.get_by_role("heading", name=name))
        assert card.get_by_role("heading").get_by_role("link", name=name, exact=True).is_visible()
        assert card.get_by_test_id("card-next-due").is_visible()
        assert card.get_by_text("Next review due").is_visible()
        assert card.get_by_test_id("card-state").locator("[data-state]").is_visible()
    assert page.locator("table.table-caseload").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.close()


@pytest.mark.parametrize(("username", "path"), LISTS)
def test_desktop_shows_the_caseload_table_not_cards(browser, live_server, caseload, username, path):
    page = _signed_in(browser, live_server, username, DESKTOP)
    page.goto(f"{live_server.url}{path}")
    table = page.locator("table.table-caseload")
    assert table.is_visible()
    assert table.get_by_role("columnheader", name="Next review due").is_visible()
    for name in caseload:
        assert table.get_by_role("row").filter(has_text=name).locator("[data-state]").is_visible()
    assert page.get_by_test_id("caseload-cards").is_hidden()
    page.close()
