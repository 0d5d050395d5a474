"""The main menu of templates/base.html: each role's links, in order, and which is the page shown.

Pinned link by link (label, address, aria-current) so that the template can be rewritten
without anyone's menu changing.
"""

from datetime import date
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group

from accounts.models import Notification, NotificationKind
from accounts.roles import Role
from reviews.models import ReturnCheck
from tests.factories import UserFactory

AUTHORITY = "Northshire County Council"
BRAND = (f"IRO service · {AUTHORITY}", "/", False)
REMINDERS = ("Reminders", "/accounts/notifications/", False)


class _MainMenu(HTMLParser):
    """The links of <nav aria-label="Main">, each as (text, href, marked current), and
    whether the menu has the search form."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str, bool]] = []
        self.has_search = False
        self._depth = 0  # open elements inside the nav; 0 = outside it
        self._link: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self._depth == 0:
            if tag == "nav" and attributes.get("aria-label") == "Main":
                self._depth = 1
            return
        if tag not in {"input", "br", "img", "meta", "link", "hr"}:
            self._depth += 1
        if tag == "a":
            self._link = {"href": attributes["href"], "current": attributes.get("aria-current") == "page", "text": ""}
        if tag == "form" and attributes.get("role") == "search":
            self.has_search = True

    def handle_endtag(self, tag):
        if self._depth == 0:
            return
        self._depth -= 1
        if tag == "a" and self._link is not None:
            self.links.append((" ".join(self._link["text"].split()), self._link["href"], self._link["current"]))
            self._link = None

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data


def _user(*roles: Role):
    user = UserFactory()
    user.groups.add(*(Group.objects.get_or_create(name=role.value)[0] for role in roles))
    return user


def _menu(client, url: str) -> _MainMenu:
    response = client.get(url)
    assert response.status_code in (200, 403)
    return _MainMenu(response.content.decode())


@pytest.fixture(autouse=True)
def _authority(settings):
    settings.IRO_AUTHORITY_NAME = AUTHORITY
    settings.IRO_REQUIRE_MANAGER_2FA = False


IRO_ITEMS = [
    ("My caseload", "/caseload/mine/"),
    ("Dashboard", "/caseload/dashboard/"),
    ("Annual report", "/caseload/report/"),
]
ALL_CASELOADS = [("All caseloads", "/caseload/all/"), ("Reviews to book", "/reviews/to-book/")]
MANAGER_ITEMS = [("Escalations", "/qa/escalations/"), ("QA report", "/qa/report/")]
SUPPORT_ITEMS = [
    ("New child in care", "/reviews/children/new/"),
    ("Import SSDA903", "/reviews/ssda903/import/"),
    ("Return check", "/reviews/ssda903/checks/"),
]
DASHBOARD_AND_REPORT = IRO_ITEMS[1:]

# Each role's menu, in order, and the item marked current on the home page ("/").
MENUS = {
    (Role.IRO,): (IRO_ITEMS, "My caseload"),
    (Role.MANAGER,): (DASHBOARD_AND_REPORT + ALL_CASELOADS + MANAGER_ITEMS, "All caseloads"),
    (Role.BUSINESS_SUPPORT,): (ALL_CASELOADS + SUPPORT_ITEMS, "All caseloads"),
    # The IRO's home is their caseload, so All caseloads is not current on it.
    (Role.IRO, Role.MANAGER): (IRO_ITEMS + ALL_CASELOADS + MANAGER_ITEMS, "My caseload"),
    (Role.IRO, Role.BUSINESS_SUPPORT): (IRO_ITEMS + ALL_CASELOADS + SUPPORT_ITEMS, "My caseload"),
    (Role.MANAGER, Role.BUSINESS_SUPPORT): (
        DASHBOARD_AND_REPORT + ALL_CASELOADS + MANAGER_ITEMS + SUPPORT_ITEMS,
        "All caseloads",
    ),
    (Role.IRO, Role.MANAGER, Role.BUSINESS_SUPPORT): (
        IRO_ITEMS + ALL_CASELOADS + MANAGER_ITEMS + SUPPORT_ITEMS,
        "My caseload",
    ),
}


@pytest.mark.parametrize("roles", list(MENUS), ids=lambda roles: "+".join(role.value for role in roles))
def test_each_roles_menu_on_its_home_page(client, db, roles):
    items, current = MENUS[roles]
    client.force_login(_user(*roles))
    menu = _menu(client, "/")
    assert menu.links == [BRAND, *((label, href, label == current) for label, href in items), REMINDERS]
    assert menu.has_search


@pytest.mark.parametrize("roles", list(MENUS), ids=lambda roles: "+".join(role.value for role in roles))
def test_on_the_reminders_page_only_reminders_is_current(client, db, roles):
    items, _current = MENUS[roles]
    client.force_login(_user(*roles))
    menu = _menu(client, "/accounts/notifications/")
    reminders_current = ("Reminders", "/accounts/notifications/", True)
    assert menu.links == [BRAND, *((label, href, False) for label, href in items), reminders_current]


def test_each_item_is_current_on_its_own_page(client, db):
    user = _user(Role.IRO, Role.MANAGER, Role.BUSINESS_SUPPORT)
    client.force_login(user)
    items, _current = MENUS[(Role.IRO, Role.MANAGER, Role.BUSINESS_SUPPORT)]
    for label, href in items:
        current = [link[0] for link in _menu(client, href).links if link[2]]
        assert current == [label], href
    # The page of one return check is that item's page too.
    return_check = ReturnCheck.objects.create(year=2025, requested_by=user, state="done")
    current = [link[0] for link in _menu(client, f"/reviews/ssda903/checks/{return_check.pk}/").links if link[2]]
    assert current == ["Return check"]


def test_the_unread_count_is_part_of_the_reminders_link(client, db):
    user = _user(Role.IRO)
    Notification.objects.create(
        recipient=user, kind=NotificationKind.REVIEW_DUE_15, object_key="review:1", deadline=date(2026, 1, 5)
    )
    client.force_login(user)
    assert _menu(client, "/").links[-1] == ("Reminders 1 unread", "/accounts/notifications/", False)


def test_an_account_with_no_role_has_only_reminders(client, db, settings):
    settings.DEBUG = False
    client.force_login(_user())
    menu = _menu(client, "/")
    assert menu.links == [BRAND, REMINDERS]
    assert not menu.has_search


def test_a_manager_who_must_still_enter_a_code_has_no_menu(client, db, settings):
    settings.IRO_REQUIRE_MANAGER_2FA = True
    client.force_login(_user(Role.MANAGER))
    response = client.get("/accounts/two-factor/")
    assert response.status_code == 200
    menu = _MainMenu(response.content.decode())
    assert menu.links == [BRAND]
    assert not menu.has_search
    assert "Enter your code to carry on" in response.content.decode()


def test_signed_out_there_is_only_the_name_of_the_service(client, db):
    menu = _menu(client, "/accounts/login/")
    assert menu.links == [BRAND]
    assert not menu.has_search
