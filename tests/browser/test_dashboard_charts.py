"""The dashboard's charts in a real browser: no label is clipped.
Chromium draws each chart with its own fonts; every text element's drawn box (after any rotation)
must lie inside its chart, at a desktop and at a phone width. The demo's long labels are there:
"Section 20 accommodation where proceedings seem needed" (escalation themes), the legal
statuses, and a month "to date"."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from caseload.demo import DEMO_PASSWORD, build_demo

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")

# For each chart, the texts whose drawn box reaches outside the chart's own box (half a pixel
# allowed for rounding), with the chart's title.
_CLIPPED_JS = """() => [...document.querySelectorAll("svg.chart")].flatMap(svg => {
  const chart = svg.getBoundingClientRect();
  return [...svg.querySelectorAll("text")].filter(text => {
    const box = text.getBoundingClientRect();
    return box.left < chart.left - 0.5 || box.right > chart.right + 0.5
      || box.top < chart.top - 0.5 || box.bottom > chart.bottom + 0.5;
  }).map(text => `${svg.getAttribute("aria-label")}: ${text.textContent}`);
})"""


@pytest.mark.parametrize("width", [1366, 390])
def test_no_chart_label_on_the_dashboard_is_clipped(browser, live_server, screenshot_dir, width):
    with time_machine.travel(datetime(2026, 5, 1, 9, 0, tzinfo=LONDON), tick=True):
        build_demo(children=40, today=date(2026, 5, 1), years=2)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("manager")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/caseload/dashboard/?start=2025-06-01&end=2026-05-31")
        content = page.content()
        assert "Section 20 accommodation where proceedings seem needed" in content
        assert "1 May 2026 (to date)" in content
        assert page.locator("svg.chart").count() == 12
        for section in ("legal_status", "escalations", "in_care", "my_review"):  # taken first: a failure leaves them
            page.locator(f"#{section}").screenshot(path=screenshot_dir / f"{section}-{width}.png")
        assert page.evaluate(_CLIPPED_JS) == []
        # A wide table scrolls inside its own region: the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.close()
