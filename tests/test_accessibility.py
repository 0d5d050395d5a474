"""Accessibility fixes that the server decides: the error pages in the site's layout,
the menu's current page, the error summary tied to the fields, overdue said in words.

(axe-core's scan of every page, the focus moved to the error summary and the keyboard journey are
the browser tests: tests/browser/test_accessibility.py and test_keyboard.py.)
"""

import os
import re
import subprocess
import sys
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django import forms
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.templatetags.site_tags import summary_errors
from audits.services import escalation_raise
from iro_service import urls as site_urls
from reviews import claims
from reviews.forms import VisitForm
from reviews.models import Review
from tests.factories import UserFactory, child_in_care, names_word
from tests.test_settings import ROOT

pytestmark = pytest.mark.django_db


# A page that fails and one that is refused as suspicious, beside the site's own pages, with the
# site's handlers: `@pytest.mark.urls(__name__)`.
def _fails(request):
    raise RuntimeError("a bug")


def _suspicious(request):
    raise SuspiciousOperation("a forged request")


urlpatterns = [path("fails/", _fails), path("suspicious/", _suspicious), *site_urls.urlpatterns]
handler400 = site_urls.handler400
handler500 = site_urls.handler500


def failing_context_processor(request):
    raise RuntimeError("the database is down")


class _Elements(HTMLParser):
    """Every element's attributes, and the text inside each element that has an id."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[str | None] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag not in {"input", "br", "img", "meta", "link", "hr"}:
            self._open.append(attributes.get("id"))
            if attributes.get("id"):
                self.text_by_id[attributes["id"]] = ""

    def handle_endtag(self, tag):
        if tag not in {"input", "br", "img", "meta", "link", "hr"} and self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in filter(None, self._open):
            self.text_by_id[element_id] += data

    def by_id(self, element_id: str) -> dict:
        return next(attributes for _tag, attributes in self.elements if attributes.get("id") == element_id)

    def with_attribute(self, name: str, value: str | None = None) -> list[tuple[str, dict]]:
        return [
            (tag, attributes)
            for tag, attributes in self.elements
            if name in attributes and (value is None or attributes[name] == value)
        ]


def _in_layout(html: str, *, menu: bool) -> None:
    assert '<nav class="navbar navbar-expand-md navbar-dark site-header mb-4" aria-label="Main">' in html
    assert 'href="/static/css/site.css"' in html
    assert ("Sign out" in html) is menu


# --- Error pages ------------------------------------------------------------------------------


@pytest.fixture
def no_debug(settings):
    settings.DEBUG = False


def test_a_missing_page_is_the_sites_page_not_found_with_the_menu(client, iro, no_debug):
    client.force_login(iro)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    _in_layout(html, menu=True)
    assert "<h1" in html
    assert "Page not found" in html
    assert 'href="/caseload/mine/"' in html  # the IRO's menu
    assert '<a href="/">Go to your home page</a>' in html


def test_a_child_not_on_the_caseload_is_not_found_in_the_layout(client, iro, other_iro, no_debug):
    child, _review = child_in_care(other_iro)
    client.force_login(iro)
    response = client.get(reverse("caseload:child", args=[child.pk]))
    assert response.status_code == 404
    html = response.content.decode()
    _in_layout(html, menu=True)
    assert "Page not found" in html
    assert not names_word(child.last_name, html)


def test_a_missing_page_for_someone_signed_out_offers_sign_in(client, no_debug):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    _in_layout(html, menu=False)
    assert "Page not found" in html
    assert '<a href="/accounts/login/">Sign in</a>' in html


def test_a_page_of_another_role_is_refused_in_the_layout(client, iro, no_debug):
    client.force_login(iro)
    response = client.get(reverse("caseload:all"))
    assert response.status_code == 403
    html = response.content.decode()
    _in_layout(html, menu=True)
    assert "You cannot see this page" in html
    assert "Your role in the IRO service does not include this page" in html


def test_a_refusal_with_a_reason_gives_the_reason(client, no_debug):
    client.force_login(UserFactory())  # no role yet
    response = client.get("/")
    assert response.status_code == 403
    html = response.content.decode()
    _in_layout(html, menu=True)
    assert "Your account has no role in the IRO service yet; ask a manager to give you one." in html


@pytest.mark.urls(__name__)
def test_a_server_error_is_the_sites_page_with_the_menu(client, iro, no_debug):
    client.force_login(iro)
    client.raise_request_exception = False
    response = client.get("/fails/")
    assert response.status_code == 500
    html = response.content.decode()
    _in_layout(html, menu=True)
    assert "Sorry, there is a problem with the service" in html
    assert "a bug" not in html
    assert "Traceback" not in html


@pytest.mark.urls(__name__)
def test_a_server_error_page_that_cannot_use_the_request_is_drawn_without_it(client, iro, no_debug, settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": [
                    *settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
                    f"{__name__}.failing_context_processor",
                ],
            },
        }
    ]
    client.force_login(iro)
    client.raise_request_exception = False
    response = client.get("/fails/")
    assert response.status_code == 500
    html = response.content.decode()
    _in_layout(html, menu=False)
    assert "Sorry, there is a problem with the service" in html
    assert "Demo Borough Council" in html  # the authority's name, given without the request


@pytest.mark.urls(__name__)
def test_a_bad_request_is_the_sites_page(client, iro, no_debug):
    client.force_login(iro)
    response = client.get("/suspicious/")
    assert response.status_code == 400
    html = response.content.decode()
    _in_layout(html, menu=True)
    assert "Sorry, the request could not be read" in html
    assert "a forged request" not in html


def test_a_request_for_an_unknown_host_is_the_sites_bad_request_page(client, no_debug):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    html = response.content.decode()
    _in_layout(html, menu=False)
    assert "Sorry, the request could not be read" in html


def test_a_form_without_its_security_token_is_explained_in_the_layout(iro, no_debug):
    client = Client(enforce_csrf_checks=True)
    client.force_login(iro)
    response = client.post(reverse("accounts:notifications_read"), {})
    assert response.status_code == 403
    html = response.content.decode()
    _in_layout(html, menu=True)
    assert "Your form was not sent" in html
    assert "Nothing was saved" in html
    assert "CSRF" not in html  # Django's own page names it; ours says what to do


def test_make_run_shows_the_sites_error_pages_not_djangos_debug_pages():
    """`make run` (the local settings) has DEBUG off unless DJANGO_DEBUG=true: a missing page is
    the site's page above, never Django's debug 404 listing every URL."""
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    shown = subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "iro_service.settings.local"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "False"


# --- The menu's current page -------------------------------------------------------------------


def _current(html: str) -> list[str]:
    return re.findall(r'<a class="nav-link[^"]*" href="([^"]+)"[^>]*aria-current="page"', html)


def test_the_menu_marks_the_page_shown_and_only_it(client, iro, manager, business_support):
    client.force_login(iro)
    assert _current(client.get("/").content.decode()) == ["/caseload/mine/"]  # the IRO's home is their caseload
    assert _current(client.get("/caseload/mine/").content.decode()) == ["/caseload/mine/"]
    assert _current(client.get("/caseload/dashboard/").content.decode()) == ["/caseload/dashboard/"]
    assert _current(client.get("/accounts/notifications/").content.decode()) == ["/accounts/notifications/"]
    child, _review = child_in_care(iro)
    assert _current(client.get(reverse("caseload:child", args=[child.pk])).content.decode()) == []
    client.force_login(manager)
    assert _current(client.get("/").content.decode()) == ["/caseload/all/"]
    assert _current(client.get("/qa/escalations/").content.decode()) == ["/qa/escalations/"]
    client.force_login(business_support)
    assert _current(client.get("/reviews/children/new/").content.decode()) == ["/reviews/children/new/"]


# --- The error summary -------------------------------------------------------------------------


def test_a_form_with_errors_starts_with_a_summary_linking_to_each_field(client, iro):
    child, _review = child_in_care(iro)
    client.force_login(iro)
    url = reverse("reviews:visit_new", args=[child.pk])
    assert "data-error-summary" not in client.get(url).content.decode()  # not before anything is sent

    html = client.post(url, {"visited_on": "", "notes": ""}).content.decode()
    page = _Elements(html)
    [(_tag, summary)] = page.with_attribute("data-error-summary")
    assert summary["tabindex"] == "-1"  # static/js/site.js focuses it
    assert html.index("data-error-summary") < html.index("<h1")  # at the top of the page
    assert "There is a problem" in html
    assert '<a href="#id_visited_on">Date of the visit: Enter the date of the visit.</a>' in html
    # The field says so too, tied to it for a screen reader.
    field = page.by_id("id_visited_on")
    assert field["aria-invalid"] == "true"
    described = field["aria-describedby"].split()
    assert any("Enter the date of the visit." in page.text_by_id.get(element_id, "") for element_id in described)
    assert '<script src="/static/js/site.js"></script>' in html


def test_the_summary_names_the_row_of_a_formset_and_gives_errors_about_the_whole_form(client, iro):
    _child, review = child_in_care(iro)
    client.force_login(iro)
    data = {
        "claim": claims.RECORD.claim(Review.objects.get(pk=review.pk)),
        "save_draft": "1",
        "attendees-TOTAL_FORMS": "0",
        "attendees-INITIAL_FORMS": "0",
        "decisions-TOTAL_FORMS": "2",
        "decisions-INITIAL_FORMS": "0",
        "decisions-0-text": "Book a dentist.",
        "decisions-0-owner": "Social worker",
        "decisions-1-text": "Arrange family time.",
        "decisions-1-owner": "",
    }
    html = client.post(reverse("reviews:detail", args=[review.pk]), data).content.decode()
    assert '<a href="#id_decisions-1-owner">Decision 2, Owner: This field is required.</a>' in html
    assert "Decision 1" not in html
    page = _Elements(html)
    assert page.by_id("id_decisions-1-owner")["aria-invalid"] == "true"

    # A claim that is out of date is an error about the whole form: said in the summary, no link.
    data.update({"claim": "0:stale", "decisions-TOTAL_FORMS": "1"})
    html = client.post(reverse("reviews:detail", args=[review.pk]), data).content.decode()
    summary = html[html.index("data-error-summary") : html.index("</ul>", html.index("data-error-summary"))]
    items = re.findall(r"<li>(.*?)</li>", summary, re.S)
    assert items
    assert not any("<a " in item for item in items), items


def test_the_summary_links_a_group_of_radio_buttons_to_its_first_button():
    class Choice(forms.Form):
        answer = forms.ChoiceField(choices=[("y", "Yes"), ("n", "No")], widget=forms.RadioSelect)

    form = Choice({})
    form.is_valid()
    [error] = summary_errors([form])
    assert error.target == "id_answer_0"
    assert error.message == "Answer: This field is required."


def test_a_form_never_validated_gives_no_summary():
    form = VisitForm({"visited_on": ""})  # bound, but the view did not check it
    assert summary_errors([form]) == []
    assert form._errors is None  # and the summary did not validate it either


# --- Said in words, not colour alone -------------------------------------------------------------


def test_an_overdue_escalation_deadline_says_overdue(client, iro, manager):
    today = timezone.localdate()
    child, _review = child_in_care(iro, start=today - timedelta(days=90), born=date(2012, 1, 1))
    late = escalation_raise(
        child=child, raised_by=iro, raised_on=today - timedelta(days=40), theme="pep", concern="No PEP."
    )
    recent = escalation_raise(child=child, raised_by=iro, raised_on=today, theme="pep", concern="Still no PEP.")
    client.force_login(manager)
    html = client.get(reverse("audits:escalations_open")).content.decode()
    cells = re.findall(r'<td data-testid="stage-deadline">(.*?)</td>', html)
    shown = {cell.split(" <")[0]: "Overdue" in cell for cell in cells}
    assert shown == {
        date_format(late.stage_deadline, "DATE_FORMAT"): True,
        date_format(recent.stage_deadline, "DATE_FORMAT"): False,
    }
