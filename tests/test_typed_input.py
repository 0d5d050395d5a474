"""Input a person can type never gives a server error: ids in the
query string, dates out of range on every filter and form, CHILD ids that are not codes. Each
case is tried through its page as the role that uses it, and says what is wrong."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape

from accounts.models import IROProfile, Notification, Team
from children.ages import age_on, latest_birth_date_for_age, retention_until
from children.models import Child
from iro_service.inputs import ids_from, query_id
from tests.factories import ChildFactory, child_in_care

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/London"))
OUT_OF_RANGE = "Enter a date between 1 January 1900 and 31 December 2100."
PERIODS_OUT_OF_RANGE = [
    {"start": "0001-01-01", "end": "0001-12-31"},
    {"start": "9999-01-01", "end": "9999-12-31"},
    {"start": "2025-04-01", "end": "9999-12-31"},
    {"start": "1899-12-31", "end": "1900-03-31"},
    {"start": "2100-04-01", "end": "2101-01-01"},
]


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Ids in the query string -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "١٢٣", "-1", "0", "1.0", " 1", "99999999999999999999", "\x00", "<b>"])
def test_an_id_that_is_not_one_is_refused_with_a_message(value):
    assert query_id({"iro": value}, "iro", choose="an IRO", everyone="all IROs") == (
        None,
        "Choose an IRO from the list: the one asked for is not known. Showing all IROs.",
    )


def test_an_id_is_read_and_blank_means_no_choice():
    assert query_id({"iro": "12"}, "iro", choose="an IRO", everyone="all IROs") == (12, None)
    assert query_id({"iro": ""}, "iro", choose="an IRO", everyone="all IROs") == (None, None)
    assert query_id({}, "iro", choose="an IRO", everyone="all IROs") == (None, None)
    assert ids_from(["3", "4"]) == [3, 4]
    assert ids_from(["3", "²"]) is None


@pytest.mark.parametrize(("name", "message"), [
    ("iro", "Choose an IRO from the list: the one asked for is not known. Showing all IROs."),
    ("team", "Choose a team from the list: the one asked for is not known. Showing all teams."),
])  # fmt: skip
def test_reviews_to_book_with_a_superscript_id_shows_everyone_and_says_why(
    client, iro, business_support, name, message
):
    child, _review = child_in_care(iro, start=date(2026, 2, 16))
    client.force_login(business_support)
    content = _text(client.get(reverse("reviews:to_book"), {name: "²"}))
    assert message in content
    assert escape(child.last_name) in content


def test_reviews_to_book_still_filters_by_a_real_iro(client, iro, other_iro, business_support):
    mine, _ = child_in_care(iro, start=date(2026, 2, 16))
    theirs, _ = child_in_care(other_iro, start=date(2026, 2, 16))
    client.force_login(business_support)
    content = _text(client.get(reverse("reviews:to_book"), {"iro": str(iro.pk)}))
    assert escape(mine.last_name) in content
    assert escape(theirs.last_name) not in content
    assert "not known" not in content


def test_all_caseloads_with_a_superscript_iro_says_so(client, manager):
    client.force_login(manager)
    content = _text(client.get(reverse("caseload:all"), {"iro": "²"}))
    assert "Choose an IRO from the list: the one asked for is not known. Showing all IROs." in content


def test_a_reminder_id_that_is_not_one_marks_nothing_and_says_so(client, manager):
    reminder = Notification.objects.create(
        recipient=manager, kind="daily_digest", object_key="digest", deadline=date(2026, 3, 2), subject="Reviews due"
    )
    client.force_login(manager)
    response = client.post(reverse("accounts:notifications_read"), {"notification": "²"}, follow=True)
    assert "Those reminders are not known" in _text(response)
    reminder.refresh_from_db()
    assert reminder.read_at is None
    client.post(reverse("accounts:notifications_read"), {"notification": str(reminder.pk)})
    reminder.refresh_from_db()
    assert reminder.read_at is not None


@pytest.mark.parametrize("username", ["x" * 5000, "\ufdfa" * 150])  # the second grows 18-fold in NFKC
def test_signing_in_with_a_very_long_username_is_explained_not_a_server_error(client, iro, username):
    response = client.post(reverse("accounts:login"), {"username": username, "password": "correct-horse-battery"})
    assert "Enter a username of 150 characters or fewer." in _text(response)
    assert not AccessAttempt.objects.exists()


def test_signing_in_still_works_and_a_wrong_password_is_still_counted(client, iro):
    wrong = client.post(reverse("accounts:login"), {"username": "iro.one", "password": "wrong"})
    assert "Please enter a correct username and password." in _text(wrong)
    assert AccessAttempt.objects.get().username == "iro.one"
    right = client.post(reverse("accounts:login"), {"username": "iro.one", "password": "correct-horse-battery"})
    assert right.status_code == 302


# --- Dates on every filter -------------------------------------------------------------------


@pytest.mark.parametrize("period", PERIODS_OUT_OF_RANGE)
@pytest.mark.parametrize("role", ["manager", "iro"])
def test_the_dashboard_with_a_date_out_of_range_says_so_and_shows_this_year(client, iro, manager, period, role):
    child_in_care(iro)
    client.force_login({"manager": manager, "iro": iro}[role])
    content = _text(client.get(reverse("caseload:dashboard"), period))
    assert OUT_OF_RANGE in content
    assert "Showing this report year to date instead." in content
    assert "1 April 2025 to 2 March 2026 (to date: the period runs to 31 March 2026)" in content


NO_FILE = "No file was made: correct the period below, then download again."


@pytest.mark.parametrize("period", PERIODS_OUT_OF_RANGE[:2])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_dashboard_download_with_a_date_out_of_range_makes_no_file_and_says_why(client, manager, period, fmt):
    client.force_login(manager)
    response = client.get(reverse("caseload:dashboard_export", args=["ages", fmt]), period)
    assert response["Content-Type"].startswith("text/html")
    content = _text(response)
    assert NO_FILE in content
    assert OUT_OF_RANGE in content
    # the page's own download links are for the figures it shows: this report year
    assert "ages.csv?start=2025-04-01&amp;end=2026-03-31" in content


@pytest.mark.parametrize("period", PERIODS_OUT_OF_RANGE[:2])
@pytest.mark.parametrize("fmt", ["json", "pdf"])
def test_the_annual_report_download_with_a_date_out_of_range_makes_no_file(client, manager, period, fmt):
    client.force_login(manager)
    response = client.get(reverse("caseload:report"), {**period, "format": fmt})
    assert response["Content-Type"].startswith("text/html")
    content = _text(response)
    assert NO_FILE in content
    assert OUT_OF_RANGE in content
    # the page's downloads are for the last complete report year: the JSON link, and the PDF's button
    assert "?start=2024-04-01&amp;end=2025-03-31&amp;format=json" in content
    assert (
        '<input type="hidden" name="start" value="2024-04-01"><input type="hidden" name="end" value="2025-03-31">'
        in content
    )


def test_a_filter_with_a_date_out_of_range_is_not_passed_on_to_the_downloads(client, manager):
    client.force_login(manager)
    content = _text(client.get(reverse("caseload:dashboard"), {"start": "9999-01-01", "end": "9999-12-31"}))
    assert "9999" not in content.split("Showing this report year to date instead.")[1]


@pytest.mark.parametrize("period", PERIODS_OUT_OF_RANGE)
def test_the_annual_report_page_with_a_date_out_of_range_says_so(client, manager, period):
    client.force_login(manager)
    assert OUT_OF_RANGE in _text(client.get(reverse("caseload:report"), period))


def test_the_annual_report_with_no_period_given_is_the_last_complete_report_year(client, manager):
    client.force_login(manager)
    response = client.get(reverse("caseload:report"), {"format": "json"})
    assert response.status_code == 200
    period = {"start": "2024-04-01", "end": "2025-03-31", "to_date": False, "asked_end": "2025-03-31"}
    assert response.json()["period"] == period


def test_a_start_after_the_end_is_explained_on_every_filter(client, manager):
    client.force_login(manager)
    backwards = {"start": "2026-03-31", "end": "2025-04-01"}
    for name in ("caseload:dashboard", "caseload:report", "audits:qa_report"):
        assert "The end date is before the start date." in _text(client.get(reverse(name), backwards)), name


def test_the_narrative_with_a_period_out_of_range_is_sent_back_to_choose_one(client, manager):
    client.force_login(manager)
    response = client.get(reverse("caseload:report_narrative"), PERIODS_OUT_OF_RANGE[1], follow=True)
    assert "Choose the report&#x27;s period first." in _text(response)


@pytest.mark.parametrize("period", PERIODS_OUT_OF_RANGE)
@pytest.mark.parametrize("fmt", [None, "pdf"])
def test_the_qa_report_with_a_date_out_of_range_says_so_and_makes_no_pdf(client, manager, period, fmt):
    client.force_login(manager)
    response = client.get(reverse("audits:qa_report"), {**period, **({"format": fmt} if fmt else {})})
    assert response["Content-Type"].startswith("text/html")
    assert OUT_OF_RANGE in _text(response)


@pytest.mark.parametrize(("start", "end", "flag"), [
    ("0001-01-01", "0001-12-31", "--start 0001-01-01"),
    ("2025-04-01", "9999-12-31", "--end 9999-12-31"),
])  # fmt: skip
def test_the_report_command_refuses_a_date_out_of_range(db, start, end, flag):
    with pytest.raises(CommandError, match=f"{flag}: {OUT_OF_RANGE}"):
        call_command("iro_report", "--start", start, "--end", end)


def test_age_arithmetic_at_the_ends_of_the_calendar_gives_dates_not_errors():
    assert latest_birth_date_for_age(date(1, 6, 1), 18) == date.min
    assert latest_birth_date_for_age(date(19, 6, 1), 18) == date(1, 6, 1)
    assert retention_until(date(9990, 1, 1)) == date.max
    assert retention_until(date(2008, 2, 29)) == date(2083, 3, 1)
    assert age_on(date(1, 1, 1), date(9999, 12, 31)) == 9998


# --- A child coming into care ----------------------------------------------------------------

NEW_CHILD = {
    "local_id": "N100",
    "first_name": "Ivy",
    "last_name": "Hall",
    "date_of_birth": "2014-04-14",
    "sex": "F",
    "ethnicity": "WBRI",
    "mother": "0",
    "looked_after_from": "2026-02-27",
    "legal_status": "C1",
    "category_of_need": "N1",
    "placement_type": "U6",
}


def _new_child(client, **fields):
    return client.post(reverse("reviews:child_new"), {**NEW_CHILD, **fields})


@pytest.mark.parametrize(("fields", "message"), [
    ({"looked_after_from": "31/12/9999"}, OUT_OF_RANGE),
    ({"looked_after_from": "9999-12-31"}, OUT_OF_RANGE),
    ({"date_of_birth": "9999-12-30", "looked_after_from": "9999-12-31"}, OUT_OF_RANGE),
    ({"date_of_birth": "0001-01-01", "looked_after_from": "0001-01-02"}, OUT_OF_RANGE),
    ({"date_of_birth": "1899-12-31"}, OUT_OF_RANGE),
    ({"looked_after_from": "2027-03-04"}, "Looked after from must be no later than 3 March 2027 (a year from today)."),
    ({"date_of_birth": "2026-03-03", "looked_after_from": "2026-03-04"}, "Date of birth must be today or in the past."),
    ({"mother": "1", "mother_child_date_of_birth": "2026-04-01"},
     "The child&#x27;s date of birth must be today or in the past."),
])  # fmt: skip
def test_a_new_child_with_a_date_out_of_range_is_explained_and_nothing_is_saved(
    client, business_support, fields, message
):
    client.force_login(business_support)
    assert message in _text(_new_child(client, **fields))
    assert not Child.objects.exists()


def test_a_new_child_may_come_into_care_up_to_a_year_ahead_and_be_born_today(client, business_support):
    client.force_login(business_support)
    response = _new_child(client, date_of_birth="2026-03-02", looked_after_from="2027-03-03")
    assert response.status_code == 302
    child = Child.objects.get(local_id="N100")
    assert child.date_of_birth == date(2026, 3, 2)
    assert child.periods_of_care.get().start == date(2027, 3, 3)


# --- CHILD ids -------------------------------------------------------------------------------

LETTERS_AND_DIGITS = "A CHILD id has only letters and digits (no spaces, punctuation or symbols)."


@pytest.mark.parametrize(("local_id", "message"), [
    ("=1+1", LETTERS_AND_DIGITS),
    ("@SUM(1+1)", LETTERS_AND_DIGITS),
    ("+cmd|'/C", LETTERS_AND_DIGITS),
    ("<b>A1</b>", LETTERS_AND_DIGITS),
    ("A1\nB2", LETTERS_AND_DIGITS),
    ("A 1", LETTERS_AND_DIGITS),
    ("ABCDEFGHIJK", "A CHILD id has at most 10 characters; this one has 11."),
    ("", "This field is required."),
])  # fmt: skip
def test_a_child_id_that_is_not_a_code_is_refused_with_the_reason(client, business_support, local_id, message):
    client.force_login(business_support)
    content = _text(_new_child(client, local_id=local_id))
    assert message.replace("'", "&#x27;") in content
    assert not Child.objects.exists()


def test_a_child_id_of_letters_and_digits_is_accepted(client, business_support):
    client.force_login(business_support)
    assert _new_child(client, local_id="A1b2").status_code == 302
    assert Child.objects.filter(local_id="A1b2").exists()


@pytest.mark.parametrize("local_id", ["=1+1", "A 1", "A1\n", "ABCDEFGHIJK"])
def test_the_model_refuses_a_child_id_that_is_not_a_code(local_id):
    child = ChildFactory.build(local_id=local_id)
    with pytest.raises(ValidationError) as refused:
        child.full_clean()
    assert "local_id" in refused.value.message_dict


@pytest.mark.parametrize("local_id", ["A1", "N100", "123456", "D0000001"])
def test_the_ids_the_fixtures_and_demo_use_are_codes(local_id):
    ChildFactory.build(local_id=local_id).full_clean()


def test_a_team_filter_still_works_on_reviews_to_book(client, iro, other_iro, business_support):
    team = Team.objects.create(name="North")
    IROProfile.objects.filter(user=iro).update(team=team)
    mine, _ = child_in_care(iro, start=date(2026, 2, 16))
    theirs, _ = child_in_care(other_iro, start=date(2026, 2, 16))
    client.force_login(business_support)
    content = _text(client.get(reverse("reviews:to_book"), {"team": str(team.pk)}))
    assert escape(mine.last_name) in content
    assert escape(theirs.last_name) not in content


@pytest.mark.parametrize("name", ["caseload:dashboard", "caseload:report"])
def test_a_period_of_centuries_is_refused_with_the_limit(client, manager, name):
    """1900 to 2100 is within the date range but would draw 2,400 month columns: refused, said."""
    client.force_login(manager)
    response = client.get(reverse(name), {"start": "1900-01-01", "end": "2100-12-31"})
    assert response.status_code == 200
    assert "Choose a period of at most 10 years" in response.content.decode()
