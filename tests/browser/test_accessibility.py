"""WCAG 2.2 AA in a real browser (docs/architecture.md, "Cross-cutting checks"): every role's pages
and forms, scanned by axe-core.

Each role signs in and visits every page its menu leads to, the child, review and escalation pages
those lead to, and every form twice: as opened, and posted empty or invalid so its errors show.
axe-core (the npm package `make test` installs into var/axe, README "Accessibility") runs on each
with the WCAG 2.0/2.1/2.2 A and AA rules, at 1366 and at 390 pixels wide: no violation of any impact
is allowed, and no page may be wider than a 390 px window (1.4.10 reflow). Every page is
screenshotted, full length, at both widths (test-output/screenshots/<test>/<role>-<nn>-<page>-<width>.png).

A form page with errors must also start with the GOV.UK error summary, focused, whose every link
goes to a field on the page.
"""

import json
import os
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from accounts.models import Notification, NotificationKind
from audits.services import escalation_raise
from caseload.models import ReportPDF
from reviews.codes import DocumentKind, DocumentState
from reviews.models import Document
from reviews.my_review import invitation_create, invitation_renew
from reviews.services import document_issue, review_book, review_record_held
from tests.factories import BusinessSupportFactory, IROFactory, ManagerFactory, child_in_care

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent.parent
AXE_JS = Path(os.environ.get("IRO_AXE_JS", ROOT / "var" / "axe" / "node_modules" / "axe-core" / "axe.min.js"))
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "correct-horse-battery"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

# Clears every field a person can type in or choose from, so that the form posts empty.
_EMPTY_FORM_JS = """form => {
  form.noValidate = true;
  for (const field of form.elements) {
    if (field.type === "hidden" || field.type === "submit" || field.type === "button") continue;
    if (field.type === "checkbox" || field.type === "radio") { field.checked = false; continue; }
    field.value = "";
  }
}"""

# The error summary: present, focused, and each of its links goes to a field on the page that is
# marked invalid and described by (aria-describedby) the same message.
_SUMMARY_JS = """() => {
  const summary = document.querySelector("[data-error-summary]");
  if (!summary) return {present: false};
  const links = [...summary.querySelectorAll("a")];
  const describedBy = element => (element.getAttribute("aria-describedby") || "").split(" ")
    .map(id => id && document.getElementById(id)).filter(Boolean);
  const saysIt = (field, message) => {
    const holder = field.getAttribute("aria-describedby") ? field : field.closest("fieldset[aria-describedby]");
    if (!holder) return false;
    return describedBy(holder).some(element =>
      [element, ...element.querySelectorAll("p, span, strong")].some(part => {
        const text = part.textContent.trim();
        return text && message.endsWith(text);
      }));
  };
  const fieldLinks = [...summary.querySelectorAll(".error-summary-list a")];
  return {
    present: true,
    focused: document.activeElement === summary,
    heading: summary.querySelector("h2").textContent.trim(),
    items: summary.querySelectorAll("li").length + links.length,
    broken: links.map(a => a.getAttribute("href")).filter(href => !document.getElementById(href.slice(1))),
    undescribed: fieldLinks.filter(a => {
      const field = document.getElementById(a.getAttribute("href").slice(1));
      const invalid = field && (field.getAttribute("aria-invalid") === "true" || field.closest("fieldset"));
      return !field || !invalid || !saysIt(field, a.textContent.trim());
    }).map(a => a.textContent.trim()),
  };
}"""


# How far the page is wider than the window (it scrolls sideways), and the boxes in it that scroll
# sideways on their own (a wide table in .table-responsive: allowed by 1.4.10 for data tables, but listed).
_OVERFLOW_JS = """() => {
  const describe = element => element.tagName.toLowerCase()
    + (element.id ? "#" + element.id : "")
    + [...element.classList].map(name => "." + name).join("")
    + (element.dataset.testid ? `[data-testid=${element.dataset.testid}]` : "");
  const boxes = [...document.querySelectorAll("body *")].filter(element => {
    const overflowX = getComputedStyle(element).overflowX;
    return (overflowX === "auto" || overflowX === "scroll") && element.scrollWidth > element.clientWidth + 1;
  });
  // What sticks out past the window's right edge (the innermost few), to say why a page is too wide.
  const outside = [...document.querySelectorAll("body *")].filter(element => {
    const box = element.getBoundingClientRect();
    return box.width && box.right > window.innerWidth + 1 && !element.closest(".table-responsive")
      && ![...element.children].some(child => child.getBoundingClientRect().right > window.innerWidth + 1);
  });
  return {
    page: document.documentElement.scrollWidth - window.innerWidth,
    outside: outside.slice(0, 3).map(describe),
    boxes: boxes.map(box => `${describe(box)} ${box.scrollWidth} px in ${box.clientWidth}`
      + (box.querySelector("caption") ? ` (${box.querySelector("caption").textContent.trim().slice(0, 60)})` : "")),
  };
}"""


class Scanner:
    """Visits pages in one browser tab, runs axe on each and keeps what it found."""

    def __init__(self, browser, live_server, folder: Path, role: str):
        self.context = browser.new_context(viewport=DESKTOP)
        # Injected before each page's own scripts, so the page's CSP (scripts from itself only)
        # stays as it is for everything else.
        self.context.add_init_script(path=str(AXE_JS))
        self.page = self.context.new_page()
        self.base = live_server.url
        self.folder = folder
        self.role = role
        self.count = 0
        self.violations: list[str] = []
        self.details: list[dict] = []
        self.summaries: list[str] = []
        self.overflows: list[str] = []
        self.scrolled_boxes: list[str] = []
        self.visited: set[str] = set()

    def sign_in(self, username: str) -> None:
        self.page.goto(f"{self.base}/accounts/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()

    def scan(self, name: str) -> None:
        """axe on the page as it is now and a screenshot, at 1366 px wide and again at 390 px (a
        phone: WCAG 1.4.10 reflow, and what the narrow layout shows and hides)."""
        self.count += 1
        self.visited.add(self.page.url.split("#")[0].removeprefix(self.base))
        stem = f"{self.role}-{self.count:02d}-{name}"
        self.axe(name, DESKTOP)
        self.page.screenshot(path=self.folder / f"{stem}-{DESKTOP['width']}.png", full_page=True)
        self.page.set_viewport_size(PHONE)
        self.axe(name, PHONE)
        overflow = self.page.evaluate(_OVERFLOW_JS)
        if overflow["page"] > 0:
            self.overflows.append(
                f"{self.role} {name} ({self.page.url}): {overflow['page']} px too wide at 390 px, past the edge: "
                + ", ".join(overflow["outside"])
            )
        self.scrolled_boxes.extend(f"{self.role} {name}: {box}" for box in overflow["boxes"])
        self.page.screenshot(path=self.folder / f"{stem}-{PHONE['width']}.png", full_page=True)
        self.page.set_viewport_size(DESKTOP)

    def axe(self, name: str, viewport: dict) -> None:
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        width = viewport["width"]
        for violation in result["violations"]:
            self.details.append({"page": f"{self.role} {name}", "width": width, "url": self.page.url, **violation})
            nodes = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
            self.violations.append(
                f"{self.role} {name} at {width} px ({self.page.url}): {violation['id']} [{violation['impact']}] "
                f"{violation['help']}: {nodes}"
            )

    def visit(self, path: str, name: str) -> None:
        response = self.page.goto(f"{self.base}{path}")
        assert response.status == 200, f"{self.role} {name}: {path} answered {response.status}"
        self.scan(name)

    def post_empty(
        self,
        name: str,
        form: str = "main form[method=post]",
        button: str | None = None,
        fill: dict | None = None,
        summary: bool = True,
    ) -> None:
        """Submits the form with every field cleared (but those in `fill`, a field's CSS selector and
        what to type in it: a form that may be empty gets a wrong value instead); the page must
        come back with its errors (in the error summary, or for a form that answers on another page,
        `summary=False`, in a message there)."""
        target = self.page.locator(form).first
        target.evaluate(_EMPTY_FORM_JS)
        for selector, value in (fill or {}).items():
            target.locator(selector).fill(value)
        submit = target.locator(button or "button[type=submit]").first
        with self.page.expect_navigation():
            submit.click()
        summary = self.page.evaluate(_SUMMARY_JS) if summary else {"present": True, "focused": True, "items": 1}
        if not summary["present"]:
            self.summaries.append(f"{self.role} {name}: no error summary at {self.page.url}")
        elif not summary["focused"] or summary.get("broken") or summary.get("undescribed") or not summary["items"]:
            self.summaries.append(f"{self.role} {name}: {summary}")
        elif "heading" in summary:
            assert summary["heading"] == "There is a problem"
        else:
            assert self.page.locator("main .alert-danger").count(), f"{name}: no error shown on {self.page.url}"
        self.scan(f"{name}-errors")

    def menu_paths(self) -> set[str]:
        links = self.page.locator("nav[aria-label=Main] a").evaluate_all("links => links.map(a => a.pathname)")
        return set(links)

    def scan_phone_menu(self, name: str) -> None:
        """The menu as a phone shows it: collapsed behind its button, then opened."""
        self.page.set_viewport_size(PHONE)
        self.page.get_by_role("button", name="Menu").click()
        self.page.locator("#nav-menu.show").wait_for()
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        for violation in result["violations"]:
            self.violations.append(f"{self.role} {name} (phone menu): {violation['id']} {violation['help']}")
        self.page.screenshot(path=self.folder / f"{self.role}-{name}-menu-open-390.png", full_page=True)
        self.page.set_viewport_size(DESKTOP)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def service():
    """A service with something on every page: a held review with its documents, a booked one, an
    overdue escalation, a reminder."""
    today = timezone.localdate()
    iro = IROFactory(username="iro", first_name="Alex", last_name="Morgan")
    manager = ManagerFactory(username="manager", first_name="Priya", last_name="Shah")
    support = BusinessSupportFactory(username="support", first_name="Jo", last_name="Bennett")
    IROFactory(username="cover", first_name="Sam", last_name="Okafor")

    held_child, first = child_in_care(iro, start=today - timedelta(days=120), born=date(2014, 3, 9))
    held = review_record_held(review=first, held_on=today - timedelta(days=95), chair=iro, participation_code="PN1")
    outcomes = Document.objects.create(
        review=held,
        kind=DocumentKind.OUTCOMES,
        version=1,
        state=DocumentState.READY,
        file_name="outcomes.pdf",
        sha256="0" * 64,
        created_by=iro,
    )
    document_issue(document=outcomes, issued_on=held.held_on + timedelta(days=3))
    Document.objects.create(
        review=held,
        kind=DocumentKind.MINUTES,
        version=1,
        state=DocumentState.READY,
        file_name="minutes.pdf",
        sha256="0" * 64,
        created_by=iro,
    )
    escalation = escalation_raise(
        child=held_child,
        raised_by=iro,
        raised_on=today - timedelta(days=40),
        theme="pep",
        concern="The PEP has not been written.",
        review=held,
    )

    booked_child, due = child_in_care(iro, start=today - timedelta(days=10), born=date(2011, 7, 2))
    booked = review_book(
        review=due,
        booked_for=timezone.make_aware(datetime.combine(today + timedelta(days=7), time(10, 0))),
        venue="School",
        venue_chosen_by_child=True,
        booked_by=support,
        invitees=[{"name": "Sam Jones", "role": "Mother", "email": ""}],
    )
    for recipient in (iro, manager, support):
        Notification.objects.create(
            recipient=recipient,
            kind=NotificationKind.REVIEW_DUE_15,
            object_key=f"review:{booked.pk}",
            deadline=today + timedelta(days=7),
            subject=f"Review due for {booked_child.display_name}",
            url=f"/reviews/{booked.pk}/",
        )
    # A report PDF in each state its progress page shows (caseload.services.report_pdf_request).
    pdf_fields = {"period_start": date(2025, 4, 1), "period_end": date(2026, 3, 31), "asked_on": today}
    report_pdfs = {
        "being-made": ReportPDF.objects.create(
            kind="annual",
            requested_by=manager,
            state="running",
            step="Laying out the pages",
            percent=40,
            scope_label="Whole authority",
            **pdf_fields,
        ),
        "ready": ReportPDF.objects.create(
            kind="qa", requested_by=manager, state="done", percent=100, file_name="qa.pdf", size=52_000, **pdf_fields
        ),
        "failed": ReportPDF.objects.create(
            kind="annual",
            requested_by=manager,
            team=None,
            iro=iro,
            state="failed",
            message="RuntimeError: no fonts on this machine",
            scope_label="Alex Morgan",
            **pdf_fields,
        ),
    }
    return {
        "report_pdfs": report_pdfs,
        "held_child": held_child,
        "held": held,
        "next": held.period_of_care.reviews.exclude(pk=held.pk).get(),
        "escalation": escalation,
        "booked_child": booked_child,
        "booked": booked,
    }


def _check_menu(scanner: Scanner, menu: set[str]) -> None:
    missed = menu - scanner.visited - {"/accounts/logout/"}
    assert not missed, f"{scanner.role}: menu pages not scanned: {sorted(missed)}"


def test_every_page_and_form_of_every_role_passes_axe(browser, live_server, screenshot_dir, service):
    assert AXE_JS.exists(), f"{AXE_JS} is missing: `make test` installs axe-core (README, Accessibility)."
    for old in screenshot_dir.glob("*.png"):
        old.unlink()
    held, upcoming, booked = service["held"], service["next"], service["booked"]
    held_child, booked_child, escalation = service["held_child"], service["booked_child"], service["escalation"]
    scanners = []

    # Nobody signed in: the sign-in page, with its errors, and a page that does not exist.
    anonymous = Scanner(browser, live_server, screenshot_dir, "anonymous")
    scanners.append(anonymous)
    anonymous.visit("/accounts/login/", "sign-in")
    anonymous.post_empty("sign-in")
    anonymous.page.goto(f"{live_server.url}/no-such-page/")
    anonymous.scan("not-found")
    for _attempt in range(5):  # django-axes locks the username after five failures
        anonymous.page.goto(f"{live_server.url}/accounts/login/")
        anonymous.page.get_by_label("Username").fill("iro")
        anonymous.page.get_by_label("Password").fill("not-the-password")
        anonymous.page.get_by_role("button", name="Sign in").click()
        anonymous.page.wait_for_load_state()
    assert anonymous.page.get_by_role("heading", name="Sign-in locked for 30 minutes").is_visible()
    anonymous.scan("locked-out")
    AccessAttempt.objects.all().delete()  # the IRO signs in below

    # The IRO.
    iro = Scanner(browser, live_server, screenshot_dir, "iro")
    scanners.append(iro)
    iro.sign_in("iro")
    iro.scan("home")
    menu = iro.menu_paths()
    iro.scan_phone_menu("home")
    iro.visit("/caseload/mine/", "my-caseload")
    iro.visit(f"/caseload/search/?q={held_child.last_name}", "find-a-child")
    iro.visit("/caseload/dashboard/", "dashboard")
    iro.visit("/caseload/report/", "annual-report")
    iro.visit("/accounts/notifications/", "reminders")
    iro.visit(f"/caseload/children/{held_child.pk}/", "child")
    iro.visit(f"/reviews/{held.pk}/", "held-review-and-documents")
    iro.post_empty("document-sent", form="main form[action$='/distribution/']", summary=False)
    iro.visit(f"/reviews/{upcoming.pk}/", "review-record")
    iro.post_empty("review-record", button="button[name=mark_held]")
    iro.visit(f"/reviews/{booked.pk}/prepare/", "before-the-review")
    iro.post_empty("before-the-review", fill={"#id_wishes_and_feelings_received_on": "2099-01-01"})
    iro.visit(f"/reviews/children/{held_child.pk}/visits/new/", "visit")
    iro.post_empty("visit")
    iro.visit(f"/qa/children/{held_child.pk}/midway/new/", "midway")
    iro.post_empty("midway")
    iro.visit(f"/qa/children/{held_child.pk}/escalations/new/", "escalation-new")
    iro.post_empty("escalation-new")
    iro.visit(f"/qa/children/{held_child.pk}/disruption-meetings/new/", "disruption")
    iro.post_empty("disruption")
    iro.visit(f"/qa/reviews/{held.pk}/monitoring-form/", "monitoring-form")
    iro.post_empty("monitoring-form", fill={"#id_shared_on": "2099-01-01"})
    iro.visit(f"/qa/reviews/{held.pk}/feedback/new/", "feedback")
    iro.post_empty("feedback")
    iro.visit(f"/qa/escalations/{escalation.pk}/", "escalation")
    iro.post_empty("escalation-close", form="main form:has(button[name=close])")
    iro.visit(f"/reviews/children/{held_child.pk}/care-events/", "care-events")
    iro.visit(f"/reviews/children/{held_child.pk}/care-events/placement/", "care-event-placement")
    iro.post_empty("care-event-placement")
    iro.page.goto(f"{live_server.url}/caseload/all/")
    iro.scan("forbidden")
    iro.page.goto(f"{live_server.url}/reviews/999999/")
    iro.scan("not-found")
    _check_menu(iro, menu)

    # The manager.
    manager = Scanner(browser, live_server, screenshot_dir, "manager")
    scanners.append(manager)
    manager.sign_in("manager")
    manager.scan("home")
    menu = manager.menu_paths()
    manager.scan_phone_menu("home")
    manager.visit("/caseload/all/", "all-caseloads")
    manager.visit("/caseload/search/?q=", "find-a-child-empty")
    manager.visit("/caseload/all/?iro=not-an-iro", "all-caseloads-bad-filter")
    manager.visit("/caseload/dashboard/", "dashboard")
    manager.visit("/caseload/report/", "annual-report")
    manager.visit("/caseload/report/narrative/", "report-narrative")
    manager.visit("/reviews/to-book/", "reviews-to-book")
    manager.visit("/qa/escalations/", "escalations")
    manager.visit("/qa/report/", "qa-report")
    manager.visit("/qa/report/?start=2026-13-01", "qa-report-bad-period")
    for state, report_pdf in service["report_pdfs"].items():
        manager.visit(f"/caseload/report/pdfs/{report_pdf.pk}/", f"report-pdf-{state}")
    manager.visit("/accounts/notifications/", "reminders")
    manager.visit(f"/caseload/children/{held_child.pk}/", "child")
    manager.visit(f"/caseload/children/{held_child.pk}/access-log/", "access-log")
    manager.visit(f"/qa/escalations/{escalation.pk}/", "escalation")
    manager.visit(f"/reviews/{held.pk}/", "held-review")
    manager.visit(f"/children/{booked_child.pk}/allocate/", "allocate")
    manager.post_empty("allocate")
    manager.visit("/accounts/two-factor/", "two-factor")
    manager.post_empty("two-factor")
    manager.visit(f"/reviews/{booked.pk}/cover/", "cover")
    manager.post_empty("cover", fill={"#id_ends_on": "2000-01-03"})
    _check_menu(manager, menu)

    # Business support.
    support = Scanner(browser, live_server, screenshot_dir, "support")
    scanners.append(support)
    support.sign_in("support")
    support.scan("home")
    menu = support.menu_paths()
    support.scan_phone_menu("home")
    support.visit("/caseload/all/", "all-caseloads")
    support.visit("/reviews/to-book/", "reviews-to-book")
    support.visit(f"/reviews/{upcoming.pk}/book/", "book")
    support.post_empty("book")
    support.visit(f"/reviews/{booked.pk}/book/", "reschedule")
    support.post_empty("reschedule")
    support.visit(f"/reviews/{booked.pk}/cancel-booking/", "cancel-booking")
    support.post_empty("cancel-booking")
    support.visit("/reviews/children/new/", "new-child")
    support.post_empty("new-child")
    support.visit("/reviews/ssda903/import/", "import-ssda903")
    support.post_empty("import-ssda903")
    support.visit("/reviews/ssda903/checks/", "return-checks")
    support.post_empty("return-checks")
    support.visit("/accounts/notifications/", "reminders")
    support.visit(f"/caseload/children/{booked_child.pk}/", "child")
    support.visit(f"/reviews/{booked.pk}/", "booked-review")
    support.visit(f"/reviews/children/{booked_child.pk}/care-events/", "care-events")
    _check_menu(support, menu)

    pages = sum(scanner.count for scanner in scanners)
    violations = [line for scanner in scanners for line in scanner.violations]
    summaries = [line for scanner in scanners for line in scanner.summaries]
    details = [detail for scanner in scanners for detail in scanner.details]
    axe_version = iro.page.evaluate("axe.version")
    overflows = [line for scanner in scanners for line in scanner.overflows]
    scrolled_boxes = [line for scanner in scanners for line in scanner.scrolled_boxes]
    report = {
        "axe": axe_version,
        "tags": AXE_TAGS,
        "widths": [DESKTOP["width"], PHONE["width"]],
        "pages": pages,
        "violations": details,
        "too_wide_at_390": overflows,
        "scrolling_sideways_inside_at_390": scrolled_boxes,
    }
    (screenshot_dir / "axe-violations.json").write_text(json.dumps(report, indent=2))
    for scanner in scanners:
        scanner.close()
    assert pages >= 70
    assert not violations, f"{len(violations)} axe violations on {pages} pages:\n" + "\n".join(violations)
    assert not summaries, "Error summaries missing or wrong:\n" + "\n".join(summaries)
    assert not overflows, "Pages that scroll sideways on a phone:\n" + "\n".join(overflows)


def _fits(scanner: Scanner, width: int, name: str) -> None:
    """Nothing on the page is wider than `width` pixels (WCAG 1.4.10 reflow: 320 CSS pixels)."""
    scanner.page.set_viewport_size({"width": width, "height": 800})
    overflow = scanner.page.evaluate("() => document.documentElement.scrollWidth")
    scanner.page.set_viewport_size(DESKTOP)
    assert overflow <= width, f"{name} is {overflow}px wide at {width}px"


def test_my_review_pages_pass_axe(browser, live_server, screenshot_dir):
    """ "My review": the IRO's invitation and card, and every page of the child's older
    version, with their errors, scanned by axe and fitting a 320-pixel-wide screen."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: `make test` installs axe-core (README, Accessibility)."
    for old in screenshot_dir.glob("*.png"):
        old.unlink()
    iro = IROFactory(username="iro", first_name="Alex", last_name="Morgan")
    _child, review = child_in_care(iro, born=date(2012, 5, 1))
    scanners = []

    staff = Scanner(browser, live_server, screenshot_dir, "iro")
    scanners.append(staff)
    staff.sign_in("iro")
    staff.visit(f"/reviews/{review.pk}/my-review/", "my-review-invite")
    staff.post_empty("my-review-invite")
    staff.page.get_by_label("Memorable word").fill("Pineapple")
    staff.page.get_by_label("Older (11 and over): their own words").check()
    with staff.page.expect_navigation():
        staff.page.get_by_role("button", name="Make the invitation and show the card").click()
    staff.scan("my-review-card")

    new = invitation_create(review=review, word="Mango", version="older", created_by=iro, today=timezone.localdate())
    child = Scanner(browser, live_server, screenshot_dir, "child")
    scanners.append(child)
    child.visit("/my-review/code/", "code")
    child.post_empty("code")
    response = child.page.goto(f"{live_server.url}/my-review/{new.token}/")
    assert response.status == 200
    assert new.token not in child.page.url
    child.scan("word")
    child.post_empty("word")
    child.page.get_by_label("Your memorable word").fill("Mango")
    with child.page.expect_navigation():
        child.page.get_by_role("button", name="Carry on").click()
    child.scan("home")
    for path, name in (
        ("/my-review/how-things-are/", "how-things-are"),
        ("/my-review/meeting/", "meeting"),
        ("/my-review/just-for-my-iro/", "just-for-my-iro"),
        ("/my-review/send/", "send"),
    ):
        child.visit(path, name)
        _fits(child, 320, name)
    child.visit("/my-review/how-things-are/", "how-things-are-long")
    # Over the limit (the browser's maxlength taken off, as an old browser would): an error.
    child.page.locator("main form[method=post]").evaluate(
        "form => { form.noValidate = true; "
        "form.querySelectorAll('[maxlength]').forEach(field => field.removeAttribute('maxlength')); }"
    )
    child.page.get_by_label("What worries me").fill("x" * 5001)
    with child.page.expect_navigation():
        child.page.get_by_role("button", name="Save and carry on").click()
    summary = child.page.evaluate(_SUMMARY_JS)
    assert summary["present"], summary
    assert summary["focused"], summary
    assert not summary.get("undescribed"), summary
    child.scan("how-things-are-errors")
    with child.page.expect_navigation():
        child.page.get_by_role("button", name="I don't feel safe").click()
    child.scan("not-safe")
    _fits(child, 320, "not-safe")
    with child.page.expect_navigation():
        child.page.get_by_role("button", name="Leave My review").click()
    child.scan("left")
    child.page.goto(f"{live_server.url}/my-review/{new.token}x/")
    child.scan("stopped")
    _fits(child, 320, "stopped")

    violations = [line for scanner in scanners for line in scanner.violations]
    summaries = [line for scanner in scanners for line in scanner.summaries]
    for scanner in scanners:
        scanner.close()
    assert not violations, "\n".join(violations)
    assert not summaries, "\n".join(summaries)


def test_my_review_after_the_review_pages_pass_axe(browser, live_server, screenshot_dir):
    """ "My review" after the review: the IRO's renew page and card, and the child's pages (the
    letter not ready yet; the letter with "Did you feel listened to?", with its error and once
    answered), scanned by axe and fitting a 320-pixel-wide screen."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: `make test` installs axe-core (README, Accessibility)."
    for old in screenshot_dir.glob("*.png"):
        old.unlink()
    iro = IROFactory(username="iro", first_name="Alex", last_name="Morgan")
    _child, review = child_in_care(iro, born=date(2012, 5, 1))
    invitation_create(review=review, word="Pineapple", version="older", created_by=iro, today=timezone.localdate())
    review.decisions.create(
        text="Arrange family time every fortnight.", owner="Social worker", deadline=date(2025, 3, 31),
        for_child="You will see your brother every other Saturday.",
    )  # fmt: skip
    held = review_record_held(review=review, held_on=date(2025, 3, 1), chair=iro, participation_code="PN1")
    scanners = []

    staff = Scanner(browser, live_server, screenshot_dir, "iro")
    scanners.append(staff)
    staff.sign_in("iro")
    staff.visit(f"/reviews/{held.pk}/my-review/after/", "my-review-renew")
    renew_form = "main section[aria-labelledby=renew-heading] form"  # below the withdraw button's form
    staff.post_empty("my-review-renew", form=renew_form, fill={"#id_word": "ab"})  # too short: an error
    with staff.page.expect_navigation():
        staff.page.get_by_role("button", name="Renew the link and show the card").click()
    staff.scan("my-review-renew-card")

    new = invitation_renew(review=held, word="Mango", created_by=iro, today=timezone.localdate())
    child = Scanner(browser, live_server, screenshot_dir, "child")
    scanners.append(child)
    child.page.goto(f"{live_server.url}/my-review/{new.token}/")
    child.page.get_by_label("Your memorable word").fill("Mango")
    with child.page.expect_navigation():
        child.page.get_by_role("button", name="Carry on").click()
    assert child.page.url.endswith("/my-review/your-letter/")
    child.scan("letter-not-ready")
    _fits(child, 320, "letter-not-ready")

    letter = Document.objects.create(
        review=held, kind=DocumentKind.LETTER, version=1, state=DocumentState.READY, created_by=iro
    )
    document_issue(document=letter, issued_on=date(2025, 3, 3))
    child.visit("/my-review/your-letter/", "letter")
    _fits(child, 320, "letter")
    child.post_empty("letter")
    child.page.get_by_text("A bit", exact=True).click()
    with child.page.expect_navigation():
        child.page.get_by_role("button", name="Send my answer").click()
    child.scan("letter-answered")
    _fits(child, 320, "letter-answered")
    staff.visit(f"/reviews/{held.pk}/", "review-with-listened-to")  # the answer, as the IRO sees it
    assert "A bit (answered" in staff.page.get_by_test_id("my-review-listened").inner_text()

    violations = [line for scanner in scanners for line in scanner.violations]
    summaries = [line for scanner in scanners for line in scanner.summaries]
    for scanner in scanners:
        scanner.close()
    assert not violations, "\n".join(violations)
    assert not summaries, "\n".join(summaries)


# Each face (the radio covers its whole tile) is at least this big: WCAG 2.5.8 asks 24 CSS px, 2.5.5 (AAA) 44.
_FACE_SIZES_JS = """() => [...document.querySelectorAll("input.face-input")].map(input => {
  const box = input.getBoundingClientRect();
  return {id: input.id, width: box.width, height: box.height,
          word: document.querySelector(`label[for="${input.id}"]`).textContent.trim()};
})"""


def test_my_review_younger_pages_pass_axe(browser, live_server, screenshot_dir):
    """ "My review", the younger version (faces and short choices): every page, with a face picked
    and with an error, scanned by axe at 1366, 390 and 320 pixels wide, fitting 320; each face has
    its word and a touch target of 44 by 44 pixels or more."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: `make test` installs axe-core (README, Accessibility)."
    for old in screenshot_dir.glob("*.png"):
        old.unlink()
    iro = IROFactory(username="iro", first_name="Alex", last_name="Morgan")
    _child, review = child_in_care(iro, born=date(2018, 5, 1))
    new = invitation_create(review=review, word="Mango", version="younger", created_by=iro, today=timezone.localdate())
    child = Scanner(browser, live_server, screenshot_dir, "child")
    narrow = {"width": 320, "height": 800}

    def scan(name: str) -> None:
        child.scan(name)
        child.page.set_viewport_size(narrow)
        child.axe(name, narrow)
        child.page.screenshot(path=screenshot_dir / f"child-{name}-320.png", full_page=True)
        child.page.set_viewport_size(DESKTOP)
        _fits(child, 320, name)

    response = child.page.goto(f"{live_server.url}/my-review/{new.token}/")
    assert response.status == 200
    child.page.get_by_label("Your memorable word").fill("Mango")
    with child.page.expect_navigation():
        child.page.get_by_role("button", name="Carry on").click()
    scan("home")
    child.visit("/my-review/how-things-are/", "how-things-are")
    for width in (390, 320):
        child.page.set_viewport_size({"width": width, "height": 800})
        sizes = child.page.evaluate(_FACE_SIZES_JS)
        assert len(sizes) == 15, sizes
        assert {size["word"] for size in sizes} == {"Good", "OK", "Not good"}
        small = [size for size in sizes if size["width"] < 44 or size["height"] < 44]
        assert not small, f"at {width} px: {small}"
    child.page.set_viewport_size(DESKTOP)
    child.page.get_by_role("group", name="School").get_by_label("Not good").check()
    child.page.get_by_role("group", name="Where I live").get_by_label("Good", exact=True).check()
    child.page.get_by_role("group", name="My friends").get_by_label("OK").focus()
    scan("how-things-are-picked")
    # Over the limit (the browser's maxlength taken off, as an old browser would): an error.
    child.page.locator("main form[method=post]").evaluate(
        "form => { form.noValidate = true; "
        "form.querySelectorAll('[maxlength]').forEach(field => field.removeAttribute('maxlength')); }"
    )
    child.page.get_by_label("What makes you sad or worried?").fill("x" * 5001)
    with child.page.expect_navigation():
        child.page.get_by_role("button", name="Save and carry on").click()
    summary = child.page.evaluate(_SUMMARY_JS)
    assert summary["present"], summary
    assert summary["focused"], summary
    assert not summary.get("undescribed"), summary
    scan("how-things-are-errors")
    for path, name in (
        ("/my-review/meeting/", "meeting"),
        ("/my-review/just-for-my-iro/", "just-for-my-iro"),
        ("/my-review/send/", "send"),
    ):
        assert child.page.goto(f"{live_server.url}{path}").status == 200
        scan(name)
    with child.page.expect_navigation():
        child.page.get_by_role("button", name="I don't feel safe").click()
    scan("not-safe")

    violations = child.violations
    child.close()
    assert not violations, "\n".join(violations)
