"""The first screen: each role's home page and the caseload lists."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from children.codes import AllocationKind, LegalStatus
from children.models import Allocation, Episode
from reviews.services import child_come_into_care
from reviews.timescales import add_working_days
from tests.factories import ChildFactory, IROFactory, UserFactory

pytestmark = pytest.mark.django_db

EPISODE = {"legal_status": LegalStatus.C2, "category_of_need": "N1", "placement_type": "U4"}


def _children_in_care(iro, count, *, came_into_care_days_ago=5):
    start = timezone.localdate() - timedelta(days=came_into_care_days_ago)
    children = []
    for _ in range(count):
        # Ten years old: the clock gives no date after an 18th birthday.
        child = ChildFactory(date_of_birth=timezone.localdate() - timedelta(days=10 * 365))
        child_come_into_care(child=child, start=start, episode_fields=EPISODE)
        Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=start)
        children.append(child)
    return children


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    page = client.get(response.url)
    assert page.status_code == 200
    assert b"Sign in" in page.content


def test_demo_style_login_lands_the_iro_on_their_caseload(client, iro):
    response = client.post(
        reverse("accounts:login"), {"username": "iro.one", "password": "correct-horse-battery"}, follow=True
    )
    assert response.status_code == 200
    assert b"My caseload" in response.content


def test_iro_sees_their_own_children_and_not_a_colleagues(client, iro, other_iro):
    mine = _children_in_care(iro, 2)
    theirs = _children_in_care(other_iro, 1)
    client.force_login(iro)
    response = client.get("/")
    content = response.content.decode()
    assert all(child.local_id in content for child in mine)
    assert theirs[0].local_id not in content


def test_caseload_shows_age_legal_status_placement_next_due_and_state(client, iro):
    (_child,) = _children_in_care(iro, 1, came_into_care_days_ago=40)
    client.force_login(iro)
    row = client.get("/").context["page"].items[0]
    assert row.legal_status == "C2"
    assert row.placement_type == "U4"
    assert row.next_review_due == add_working_days(timezone.localdate() - timedelta(days=40), 20)
    assert row.review_state == "overdue"
    assert b"Overdue" in client.get("/").content


def test_manager_sees_every_iro_and_can_filter_by_one(client, manager, iro, other_iro):
    mine = _children_in_care(iro, 2)
    theirs = _children_in_care(other_iro, 1)
    client.force_login(manager)
    everything = client.get("/").content.decode()
    assert all(child.local_id in everything for child in mine + theirs)
    filtered = client.get(reverse("caseload:all"), {"iro": other_iro.pk}).content.decode()
    assert theirs[0].local_id in filtered
    assert mine[0].local_id not in filtered


def test_business_support_lands_on_all_caseloads(client, business_support, iro):
    _children_in_care(iro, 1)
    client.force_login(business_support)
    response = client.get("/")
    assert response.status_code == 200
    assert b"All caseloads" in response.content


def test_an_iro_cannot_open_the_all_caseloads_page(client, iro):
    client.force_login(iro)
    assert client.get(reverse("caseload:all")).status_code == 403


def test_a_user_without_a_role_is_refused(client):
    client.force_login(UserFactory())
    assert client.get("/").status_code == 403


def test_unknown_iro_in_the_filter_shows_a_message_not_an_error(client, manager):
    client.force_login(manager)
    response = client.get(reverse("caseload:all"), {"iro": "999999"})
    assert response.status_code == 200
    assert b"the one asked for is not known. Showing all IROs." in response.content


@pytest.mark.parametrize("url_name", ["caseload:all", "reviews:to_book"])
def test_the_iro_filter_finds_an_iro_by_part_of_a_name_and_lists_no_one_else(client, manager, url_name):
    """A box for part of a name, not a drop-down of every IRO (1,334 at national scale)."""
    fatima = IROFactory(first_name="Fatima", last_name="Begum")
    fiona = IROFactory(first_name="Fiona", last_name="Begg")
    idle = [IROFactory(first_name="Idle", last_name=f"Person{n}") for n in range(5)]
    # Both overdue, so both are also on Reviews to book.
    (hers,) = _children_in_care(fatima, 1, came_into_care_days_ago=40)
    _children_in_care(fiona, 1, came_into_care_days_ago=40)
    client.force_login(manager)
    url = reverse(url_name)
    page = client.get(url).content.decode()
    assert not any(person.last_name in page for person in idle)  # no list of every IRO
    one = client.get(url, {"iro_name": "  fatima  "})
    assert one.context["pick"].chosen == fatima
    assert [child.pk for child in one.context["page"]] == [hers.pk]
    several = client.get(url, {"iro_name": "beg"}).content.decode()
    assert f"iro={fatima.pk}" in several
    assert f"iro={fiona.pk}" in several
    assert "2 IROs match" in several
    nobody = client.get(url, {"iro_name": "Zzyzx\x00"})
    assert nobody.status_code == 200
    assert "No IRO&#x27;s name holds \u201cZzyzx\u201d. Showing all IROs." in nobody.content.decode()
    assert len(nobody.context["page"]) == 2


def _queries_for(client, user, url, *, last_page=False):
    """The page's queries; with `last_page`, of its last page (reached by following "Next")."""
    client.force_login(user)
    while last_page and (page := client.get(url).context["page"]).has_next:
        url = f"{url.split('?')[0]}?page={page.next_cursor}"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    # Savepoints come from ATOMIC_REQUESTS inside the test's transaction: not data queries.
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


# session (read and saved again: the idle timeout), user, roles, unread reminders, the count, the
# page of children: one query for the children with a due date and, on the page where they end,
# one for those without (iro_service.keyset); + the booked reviews (mine); + the children arriving
# (both) and the monitoring forms outstanding (mine). No list of every IRO (accounts.iro_picker).
@pytest.mark.parametrize(("url_name", "expected_queries"), [("caseload:mine", 11), ("caseload:all", 9)])
def test_caseload_page_runs_the_same_queries_for_10_and_200_children(client, iro, manager, url_name, expected_queries):
    viewer = iro if url_name == "caseload:mine" else manager
    _children_in_care(iro, 10)
    small = _queries_for(client, viewer, reverse(url_name))  # one page: the dated children end on it
    _children_in_care(iro, 190)
    first = _queries_for(client, viewer, reverse(url_name))  # four pages: the first holds dated ones only
    last = _queries_for(client, viewer, reverse(url_name), last_page=True)
    assert small == last == expected_queries
    assert first == expected_queries - 1


@pytest.mark.parametrize(
    ("placement", "shown"),
    [
        ("EX1 1UR", "150.4 miles (Over 100 miles), outside the authority (E07000041)"),
        ("MK6 5LD", "1.6 miles (0–20 miles), within the authority"),
        ("ZZ9 9ZZ", "Unknown: &#x27;ZZ9 9ZZ&#x27; is not in the ONS postcode data"),
    ],
)
def test_the_child_page_shows_the_placement_distance(client, iro, placement, shown):
    (child,) = _children_in_care(iro, 1)
    Episode.objects.filter(period_of_care__child=child).update(home_postcode="MK9 3EJ", placement_postcode=placement)
    client.force_login(iro)
    page = client.get(reverse("caseload:child", args=[child.pk])).content.decode()
    assert shown in page
