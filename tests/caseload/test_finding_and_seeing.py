"""Finding and seeing: search, children arriving, per FTE, the IRO's booked reviews,
monitoring-form reminders and the access log, each through the pages."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessAction, AccessLog, IROProfile, Notification, NotificationKind
from audits.codes import RatingScheme
from audits.models import MonitoringForm
from audits.reminders import reminders_sweep
from caseload.dashboard import Dashboard
from caseload.statistics import WHOLE_AUTHORITY
from children.codes import AllocationKind
from children.models import Allocation, Child
from reviews.codes import ReviewStatus
from reviews.models import Review
from reviews.services import review_record_held
from reviews.timescales import add_working_days
from tests.factories import ChildFactory, child_in_care

LONDON = ZoneInfo("Europe/London")
# A Friday: "this week" is all but over (the case).
FRIDAY = datetime(2026, 11, 27, 9, 0, tzinfo=LONDON)


@pytest.fixture
def on_friday():
    with time_machine.travel(FRIDAY, tick=False):
        yield FRIDAY.date()


# --- Search -----------------------------------------------------------------------------------


def _search(client, text):
    return client.get(reverse("caseload:search"), {"q": text})


def test_every_page_has_the_search_box(client, manager):
    client.force_login(manager)
    html = client.get(reverse("caseload:all")).content.decode()
    assert 'role="search"' in html
    assert '<label for="site-search" class="visually-hidden">' in html
    assert f'action="{reverse("caseload:search")}"' in html


def test_support_finds_any_child_by_name_id_birth_date_or_upn(client, iro, business_support):
    child, _review = child_in_care(iro)
    Child.objects.filter(pk=child.pk).update(
        first_name="Ella", last_name="Smithson", date_of_birth=date(2015, 3, 3), upn="A123456789012"
    )
    other, _ = child_in_care(iro)
    client.force_login(business_support)
    for text in ["ella", "SMITHSON", "ella smith", child.local_id.lower(), "3/3/2015", "2015-03-03", "a123456789012"]:
        html = _search(client, text).content.decode()
        assert reverse("caseload:child", args=[child.pk]) in html, text
        assert reverse("caseload:child", args=[other.pk]) not in html, text
    assert "No child matches" in _search(client, "Nobody Here").content.decode()


def test_an_iro_finds_only_their_own_children(client, iro, other_iro):
    mine, _ = child_in_care(iro)
    theirs, _ = child_in_care(other_iro)
    Child.objects.filter(pk__in=[mine.pk, theirs.pk]).update(last_name="Jones")
    client.force_login(iro)
    html = _search(client, "jones").content.decode()
    assert reverse("caseload:child", args=[mine.pk]) in html
    assert reverse("caseload:child", args=[theirs.pk]) not in html
    assert "1 child found" in html


def test_the_results_are_one_log_row_and_each_child_opened_is_logged(client, iro, manager):
    child, _ = child_in_care(iro)
    client.force_login(manager)
    _search(client, child.last_name)
    rows = list(AccessLog.objects.values_list("action", "object_type", "child_id"))
    assert rows == [(AccessAction.VIEW, "child_search", None)]
    client.get(reverse("caseload:child", args=[child.pk]))
    assert AccessLog.objects.filter(child_id=child.pk, action=AccessAction.VIEW, object_type="child").count() == 1


def test_bad_search_input_is_explained(client, manager):
    client.force_login(manager)
    response = _search(client, "x" * 101)
    assert response.status_code == 200
    assert "at most 100 characters" in response.content.decode()
    assert _search(client, "nul\x00byte").status_code == 200


def _search_queries(client, text) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert _search(client, text).status_code == 200
    return len(queries.captured_queries)


def test_search_runs_the_same_queries_for_few_and_many_children(client, iro, manager):
    for _ in range(3):
        child, _ = child_in_care(iro)
        Child.objects.filter(pk=child.pk).update(last_name="Baker")
    client.force_login(manager)
    small = _search_queries(client, "baker")
    for _ in range(60):
        ChildFactory(last_name="Baker")
    large = _search_queries(client, "baker")
    client.force_login(iro)
    iro_small = _search_queries(client, "baker")
    for _ in range(5):
        child, _ = child_in_care(iro)
        Child.objects.filter(pk=child.pk).update(last_name="Baker")
    iro_large = _search_queries(client, "baker")
    # 5 for the signed-in request (session, user, roles, unread reminders, session save), 4
    # savepoints, and the search's own 3: the count, the page and the access-log row.
    assert small == large == 12
    assert iro_small == iro_large == 12


# --- Children arriving ------------------------------------------------------------------------


def _new_child(client, iro, starts: date) -> Child:
    response = client.post(
        reverse("reviews:child_new"),
        {
            "local_id": "N200",
            "first_name": "Ivy",
            "last_name": "Arriving",
            "date_of_birth": "2014-04-14",
            "sex": "F",
            "ethnicity": "WBRI",
            "mother": "0",
            "looked_after_from": starts.isoformat(),
            "legal_status": "C1",
            "category_of_need": "N1",
            "placement_type": "U6",
            "iro": iro.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Child.objects.get(local_id="N200")


def test_a_child_whose_care_starts_later_is_arriving_allocated_and_open_to_their_iro(
    client, iro, other_iro, business_support, manager, on_friday
):
    starts = on_friday + timedelta(days=10)
    client.force_login(business_support)
    child = _new_child(client, iro, starts)
    page = client.get(reverse("caseload:all")).content.decode()
    assert "Arriving" in page
    assert reverse("caseload:child", args=[child.pk]) in page
    assert "Morgan" in page.split('id="arriving-heading"')[1]  # the IRO allocated from then
    allocate = client.get(reverse("children:allocate", args=[child.pk])).content.decode()
    assert "Not allocated" not in allocate
    assert f"Allocated to {iro} from {starts:%-d %B %Y}" in allocate

    client.force_login(iro)
    home = client.get(reverse("caseload:mine")).content.decode()
    assert reverse("caseload:child", args=[child.pk]) in home.split('id="arriving-heading"')[1]
    assert client.get(reverse("caseload:child", args=[child.pk])).status_code == 200
    assert "Arriving" in _search(client, "arriving").content.decode()
    client.force_login(other_iro)
    assert client.get(reverse("caseload:child", args=[child.pk])).status_code == 404
    assert reverse("caseload:child", args=[child.pk]) not in client.get(reverse("caseload:mine")).content.decode()


# --- Per FTE ----------------------------------------------------------------------------------


def test_per_fte_has_one_decimal_on_the_allocation_page(client, iro, manager):
    IROProfile.objects.filter(user=iro).update(fte=Decimal("0.6"))
    for _ in range(40):
        child_in_care(iro)
    child, _ = child_in_care(iro)
    client.force_login(manager)
    html = client.get(reverse("children:allocate", args=[child.pk])).content.decode()
    assert "68.3" in html  # 41 / 0.6
    assert "68.333" not in html


def test_the_caseload_chart_plots_children_not_per_fte(iro, manager):
    IROProfile.objects.filter(user=iro).update(fte=Decimal("0.6"))
    for _ in range(4):
        child_in_care(iro, start=date(2025, 1, 6))
    today = timezone.localdate()
    panel = Dashboard(start=date(2025, 4, 1), end=today, today=today, scope=WHOLE_AUTHORITY).caseload_per_iro()
    row = next(row for row in panel.rows if row[3] == 4)
    assert row[4] == 6.7
    assert panel.title == "Caseload per IRO"
    assert "Children held" in panel.chart
    assert "per FTE" not in panel.chart


# --- Booked reviews on the IRO's home ---------------------------------------------------------


def test_a_friday_shows_next_thursdays_review_and_the_rest_of_the_month(client, iro, business_support, on_friday):
    soon, soon_review = child_in_care(iro)
    later, later_review = child_in_care(iro)
    thursday = datetime(2026, 12, 3, 10, 0, tzinfo=LONDON)
    Review = type(soon_review)
    Review.objects.filter(pk=soon_review.pk).update(status=ReviewStatus.BOOKED, booked_for=thursday)
    Review.objects.filter(pk=later_review.pk).update(
        status=ReviewStatus.BOOKED, booked_for=datetime(2026, 12, 30, 10, 0, tzinfo=LONDON)
    )
    client.force_login(iro)
    html = client.get(reverse("caseload:mine")).content.decode()
    soon_part, later_part = html.split('id="month-heading"')
    assert "None booked" not in soon_part.split('id="week-heading"')[1]
    assert soon.display_name in soon_part
    assert "Thu 3 Dec" in soon_part
    # The next 10 working days from Fri 27 Nov run to Fri 11 Dec; then the rest of December.
    assert later.display_name in later_part.split('id="forms-heading"')[0]
    assert later.display_name not in soon_part
    assert "Today to Fri 11 Dec" in html
    assert "Later in December" in html


# --- Monitoring forms -------------------------------------------------------------------------


def _held(iro, held_on: date):
    _child, review = child_in_care(iro, start=held_on - timedelta(days=40))
    return review_record_held(review=review, held_on=held_on, chair=iro, participation_code="PN1")


def test_monitoring_forms_are_reminded_once_when_due_and_when_overdue(client, iro, on_friday):
    today = on_friday
    due_soon = _held(iro, add_working_days(today, -3))  # due in 2 working days
    overdue = _held(iro, add_working_days(today, -7))  # due 2 working days ago
    not_yet = _held(iro, add_working_days(today, -1))  # due in 4 working days
    done = _held(iro, add_working_days(today, -7))
    MonitoringForm.objects.create(
        review=done, completed_by=iro, completed_on=today, scheme=RatingScheme.OFSTED_4, care_plan_rating=2
    )
    for _ in range(2):
        reminders_sweep(today=today)
    kinds = {
        (n.kind, n.object_key) for n in Notification.objects.filter(kind__startswith="monitoring_form", recipient=iro)
    }
    assert kinds == {
        (NotificationKind.MONITORING_FORM_DUE, f"review:{due_soon.pk}"),
        (NotificationKind.MONITORING_FORM_OVERDUE, f"review:{overdue.pk}"),
    }
    assert Notification.objects.filter(kind__startswith="monitoring_form").count() == 2  # exactly once
    # Two working days on, the first is overdue: reminded once more, under its overdue kind.
    reminders_sweep(today=add_working_days(today, 3))
    assert (
        Notification.objects.filter(
            kind=NotificationKind.MONITORING_FORM_OVERDUE, object_key=f"review:{due_soon.pk}"
        ).count()
        == 1
    )
    client.force_login(iro)
    html = client.get(reverse("caseload:mine")).content.decode().split('id="forms-heading"')[1]
    for review in (due_soon, overdue, not_yet):
        assert reverse("audits:monitoring_form", args=[review.pk]) in html
    assert reverse("audits:monitoring_form", args=[done.pk]) not in html
    assert "Overdue" in html


# --- The access log ---------------------------------------------------------------------------


def test_the_access_log_names_records_in_local_time_and_shows_refusals(client, iro, other_iro, manager):
    child, review = child_in_care(iro)
    client.force_login(iro)
    with time_machine.travel(datetime(2026, 7, 1, 11, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        client.get(reverse("caseload:child", args=[child.pk]))
        client.get(reverse("reviews:detail", args=[review.pk]))
    client.force_login(other_iro)
    assert client.get(reverse("caseload:child", args=[child.pk])).status_code == 404
    assert client.get(reverse("reviews:detail", args=[review.pk])).status_code == 404
    assert client.get(reverse("caseload:child", args=[999999])).status_code == 404
    refused = AccessLog.objects.filter(action=AccessAction.REFUSED, user=other_iro).order_by("pk")
    assert [row.child_id for row in refused] == [child.pk, child.pk, None]
    client.force_login(manager)
    html = client.get(reverse("caseload:child_access_log", args=[child.pk])).content.decode()
    assert "1 Jul 2026 12:30:00" in html  # BST
    assert f"Child {child.display_name}" in html
    assert f"Review due {review.due_date:%-d %b %Y}" in html
    assert f"child {child.pk}" not in html
    assert html.count("Refused") >= 2


def test_the_access_log_names_a_review_with_no_due_date(client, iro, manager):
    child, review = child_in_care(iro)
    Review.objects.filter(pk=review.pk).update(due_date=None)  # no date can be due (e.g. after the 18th birthday)
    client.force_login(iro)
    assert client.get(reverse("reviews:detail", args=[review.pk])).status_code == 200
    client.force_login(manager)
    response = client.get(reverse("caseload:child_access_log", args=[child.pk]))
    assert response.status_code == 200
    assert "Review with no due date" in response.content.decode()


def test_a_post_that_saved_nothing_is_logged_as_a_view(client, iro, manager):
    child, _ = child_in_care(iro)
    client.force_login(manager)
    url = reverse("children:allocate", args=[child.pk])
    assert client.post(url, {}).status_code == 200  # the form comes back with its errors
    assert client.post(url, {"iro": iro.pk, "start": "not a date"}).status_code == 200
    actions = list(AccessLog.objects.filter(child_id=child.pk).values_list("action", flat=True))
    assert actions == [AccessAction.VIEW, AccessAction.VIEW]


def test_a_post_that_saved_is_logged_as_a_change(client, iro, other_iro, manager):
    child, _ = child_in_care(iro)
    client.force_login(manager)
    url = reverse("children:allocate", args=[child.pk])
    data = {"iro": other_iro.pk, "start": timezone.localdate().isoformat(), "held_by_when_opened": iro.pk}
    response = client.post(url, data)
    assert response.status_code == 302
    assert list(AccessLog.objects.filter(child_id=child.pk).values_list("action", flat=True)) == [AccessAction.CHANGE]
    assert Allocation.objects.filter(child=child, iro=other_iro, kind=AllocationKind.CASE_HOLDING).exists()
