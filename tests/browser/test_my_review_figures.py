"""The managers' My review figures (issue #18) in a real browser, on the dashboard and the annual
report page: axe finds nothing in their tables at a desktop's width or a phone's, and at 390 px
the page never scrolls sideways (a wide table scrolls inside its own focusable region)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from caseload.demo import DEMO_PASSWORD, build_demo
from tests.browser.test_accessibility import AXE_JS, AXE_TAGS

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
PAGES = [
    ("/caseload/dashboard/?start=2025-04-01&end=2026-03-31", "#my_review"),
    ("/caseload/report/?start=2025-04-01&end=2026-03-31", "section[aria-labelledby=my-review-heading]"),
]


@pytest.mark.parametrize("width", [1366, 390])
def test_the_my_review_tables_pass_axe_and_fit_the_width(browser, live_server, screenshot_dir, width):
    with time_machine.travel(datetime(2026, 5, 1, 9, 0, tzinfo=LONDON), tick=True):
        build_demo(children=40, today=date(2026, 5, 1), years=2)
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.add_init_script(path=str(AXE_JS))
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("manager")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        for path, section in PAGES:
            page.goto(f"{live_server.url}{path}")
            figures = page.locator(section)
            figures.screenshot(path=screenshot_dir / f"{path.split('/')[2]}-{width}.png")
            table = figures.get_by_role("table")
            assert table.locator("caption").count() == 1
            assert table.locator("th[scope=col]").count() == 10
            assert table.get_by_role("rowheader", name="Whole period").is_visible()
            assert figures.get_by_role("region").get_attribute("tabindex") == "0"
            result = page.evaluate(
                "([section, tags]) => axe.run(section, {runOnly: {type: 'tag', values: tags}, "
                "resultTypes: ['violations']})",
                [section, AXE_TAGS],
            )
            assert result["testEngine"]["name"] == "axe-core"
            assert [violation["id"] for violation in result["violations"]] == [], path
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        context.close()
